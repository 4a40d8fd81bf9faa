import { test } from 'node:test'
import assert from 'node:assert/strict'
import { inlineMarkdown } from './inline-md.ts'

test('code spans become <code>, everything else is escaped', () => {
  assert.equal(inlineMarkdown('Run `top -p <pid>` then **press** P <b>'), 'Run <code>top -p &lt;pid&gt;</code> then <strong>press</strong> P &lt;b&gt;')
})

test('an unclosed backtick stays text', () => {
  assert.equal(inlineMarkdown("it's `x"), 'it&#39;s `x')
})

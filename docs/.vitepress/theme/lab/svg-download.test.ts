import { test } from 'node:test'
import assert from 'node:assert/strict'
import { svgFileName } from './svg-download.ts'

test('a download is named after the picture, in safe characters only', () => {
  assert.equal(svgFileName('perf.data, 5 s'), 'perf-data-5-s.svg')
  assert.equal(svgFileName('../../<script>'), 'script.svg')
  assert.equal(svgFileName('→→'), 'picture.svg')
  assert.ok(svgFileName('x'.repeat(500)).length <= 64)
})

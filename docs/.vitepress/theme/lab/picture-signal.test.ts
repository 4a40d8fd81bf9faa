import { test } from 'node:test'
import assert from 'node:assert/strict'
import { announcePicture, pictureNameOf, pictureSignal } from './picture-signal.ts'

test('only a spool name of the agreed pattern is announced', () => {
  assert.equal(pictureNameOf('picture=flame-1764650000000-perf-data.json'), 'flame-1764650000000-perf-data.json')
  assert.equal(pictureNameOf('picture=../../etc/passwd'), null)
  assert.equal(pictureNameOf('picture=<img src=x>'), null)
  assert.equal(pictureNameOf('flame-1764650000000-x.json'), null)
  const before = pictureSignal.count
  assert.equal(announcePicture('picture=charts-1764650000000-syscalls.json'), true)
  assert.equal(announcePicture('picture=nope'), false)
  assert.equal(pictureSignal.count, before + 1)
  assert.equal(pictureSignal.lastName, 'charts-1764650000000-syscalls.json')
})

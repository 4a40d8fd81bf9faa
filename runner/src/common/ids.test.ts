import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isSlug, isSessionId, isToken } from './ids.ts';
import { parseSize } from './sizes.ts';
import { isCorrectAnswer } from './answers.ts';

test('slugs accept lab ids and refuse paths and upper case', () => {
  assert.ok(isSlug('syscall-storm'));
  assert.ok(isSlug('a1'));
  for (const bad of ['', '-a', 'a-', 'A', '../x', 'a/b', 'x'.repeat(60), 'a_b']) assert.equal(isSlug(bad), false, bad);
});

test('session ids and tokens have exact shapes', () => {
  assert.ok(isSessionId('s-abcdefghijklmnopqrst'));
  assert.equal(isSessionId('s-abc'), false);
  assert.equal(isSessionId('s-ABCDEFGHIJKLMNOPQRST'), false);
  assert.ok(isToken('a'.repeat(43)));
  assert.equal(isToken('a'.repeat(42)), false);
  assert.equal(isToken('a'.repeat(42) + '!'), false);
});

test('sizes parse with binary units', () => {
  assert.equal(parseSize('512m'), 512 * 1024 * 1024);
  assert.equal(parseSize('1g'), 1024 ** 3);
  assert.equal(parseSize('1.5G'), 1.5 * 1024 ** 3);
  assert.equal(parseSize('64kib'), 64 * 1024);
  assert.equal(parseSize('lots'), null);
});

test('answers match case-insensitively after trimming, and refuse empty or huge input', () => {
  const a = { pattern: '^(sys_)?write(\\(2\\))?$', example: 'write' };
  assert.ok(isCorrectAnswer(a, '  WRITE '));
  assert.ok(isCorrectAnswer(a, 'write(2)'));
  assert.equal(isCorrectAnswer(a, 'read'), false);
  assert.equal(isCorrectAnswer(a, ''), false);
  assert.equal(isCorrectAnswer({ pattern: '.*', example: 'x' }, 'x'.repeat(500)), false);
});

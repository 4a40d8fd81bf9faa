import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalAnswer, gradeAnswer, isCorrectAnswer, knownWrongAnswer, DEFAULT_PASS_MESSAGE, MAX_ANSWER_LENGTH } from './answers.ts';
import type { ResolvedQuestion, ResolvedWrongAnswer } from './lab-schema.ts';

test('canonical form: case, surrounding punctuation, %, (), (2), sys_ prefixes', () => {
  const cases: Array<[string, string]> = [
    ['SY', 'sy'], ['%sy', 'sy'], ['% sy', 'sy'], ['"%sy".', 'sy'], ['`writev()`', 'writev'], ['writev(2)', 'writev'],
    ['printf(3p)', 'printf'], ['sys_writev', 'writev'], ['__x64_sys_writev', 'writev'], ['__arm64_sys_write()', 'write'],
    ['  relayd  ', 'relayd'], ['**Serial**', 'serial'], ['“sy”', 'sy'], ['VM   Thread', 'vm thread'], ['sy!?', 'sy'],
  ];
  for (const [raw, want] of cases) assert.equal(canonicalAnswer(raw), want, raw);
});

test('canonical form keeps what names something else', () => {
  assert.equal(canonicalAnswer('sys'), 'sys');
  assert.equal(canonicalAnswer('system'), 'system');
  assert.equal(canonicalAnswer('sys_'), 'sys_', 'a bare prefix is not a syscall');
  assert.equal(canonicalAnswer('ch->queue (q)'), 'ch->queue (q)', 'only () and a man section are dropped');
  assert.equal(canonicalAnswer('faulty_submit+0x1c/0x40 [faulty]'), 'faulty_submit+0x1c/0x40 [faulty]');
  assert.equal(canonicalAnswer('()'), '');
});

test('a pattern accepts the canonical form and still the answer as typed', () => {
  const sy = { pattern: '^(sy|sys|system)$', example: 'sy' };
  for (const ok of ['sy', '%sy', 'SY', '"%sy"', 'system.']) assert.ok(isCorrectAnswer(sy, ok), ok);
  for (const no of ['us', '%us', 'sy us', '', '   ', '%', '()']) assert.ok(!isCorrectAnswer(sy, no), no);
  // A pattern that expects the decoration itself keeps working (matched against the typed form).
  const faulty = { pattern: '^faulty_submit(\\(\\))?(\\+0x[0-9a-f]+(/0x[0-9a-f]+)?)?( \\[faulty\\])?$', example: 'faulty_submit' };
  for (const ok of ['faulty_submit', 'faulty_submit()', 'faulty_submit+0x1c/0x40 [faulty]', 'FAULTY_SUBMIT(2)']) assert.ok(isCorrectAnswer(faulty, ok), ok);
});

test('parameter answers: writev(), sys_writev and writev(2) are writev; a neighbour\'s value is not', () => {
  const a = { param: 'syscall', pattern: '^(sys_)?{{value}}(\\(2\\))?$', example: '{{value}}' };
  for (const ok of ['writev', 'writev()', 'writev(2)', 'sys_writev', '__x64_sys_writev', 'WRITEV', '`writev`']) assert.ok(isCorrectAnswer(a, ok, { syscall: 'writev' }), ok);
  for (const no of ['write', 'write()', 'pwritev2', 'writev2']) assert.ok(!isCorrectAnswer(a, no, { syscall: 'writev' }), no);
  assert.ok(!isCorrectAnswer(a, 'writev', {}), 'no value, nothing is correct');
});

test('nonsense and over-long answers are refused', () => {
  const any = { pattern: '^x$', example: 'x' };
  assert.ok(!isCorrectAnswer(any, 'definitely-not-the-answer-42'));
  assert.ok(!isCorrectAnswer(any, 'x'.repeat(MAX_ANSWER_LENGTH + 1)));
});

const wrong: ResolvedWrongAnswer[] = [
  { answers: ['us', 'user'], pattern: null, example: null, message: 'That is the vmstat column for user time.' },
  { answers: [], pattern: '^(id|idle)$', example: 'id', message: 'That is idle time.' },
];

test('declared wrong answers match by canonical form or by pattern', () => {
  assert.equal(knownWrongAnswer(wrong, '%us')?.message, 'That is the vmstat column for user time.');
  assert.equal(knownWrongAnswer(wrong, '"User".')?.message, 'That is the vmstat column for user time.');
  assert.equal(knownWrongAnswer(wrong, 'IDLE')?.message, 'That is idle time.');
  assert.equal(knownWrongAnswer(wrong, '%id')?.message, 'That is idle time.');
  assert.equal(knownWrongAnswer(wrong, 'wa'), null);
  assert.equal(knownWrongAnswer(wrong, 'users'), null, 'canonical equality, not a prefix');
  assert.equal(knownWrongAnswer(wrong, '""'), null);
});

test('gradeAnswer: a pass says why, a known miss says what it is, any other miss names the answer', () => {
  const q: ResolvedQuestion = { prompt: 'Which column?', placeholder: '', answer: { pattern: '^sy$', example: 'sy' }, wrong, why: 'sy is time spent in the kernel on behalf of processes.' };
  assert.deepEqual(gradeAnswer(q, '%sy'), { passed: true, message: 'Correct: sy is time spent in the kernel on behalf of processes.' });
  assert.deepEqual(gradeAnswer(q, 'us'), { passed: false, message: 'That is the vmstat column for user time.' });
  const other = gradeAnswer(q, 'wa', {}, true);
  assert.equal(other.passed, false);
  assert.match(other.message, /"wa" is not it/);
  assert.match(other.message, /hint/);
  assert.doesNotMatch(gradeAnswer(q, 'wa', {}, false).message, /hint/);
  assert.match(gradeAnswer(q, 'w'.repeat(150)).message, /…" is not it/, 'a long answer is shortened in the message');
  // Without a reason, a plain pass; without declared wrong answers, the general miss.
  const bare: ResolvedQuestion = { prompt: 'p', placeholder: '', answer: { pattern: '^sy$', example: 'sy' } };
  assert.deepEqual(gradeAnswer(bare, 'sy'), { passed: true, message: DEFAULT_PASS_MESSAGE });
  assert.equal(gradeAnswer(bare, 'us').passed, false);
});

test('a correct answer wins over a declared wrong pattern that also matches it', () => {
  const q: ResolvedQuestion = { prompt: 'p', placeholder: '', answer: { pattern: '^sy$', example: 'sy' }, wrong: [{ answers: [], pattern: '^s', example: 'su', message: 'no' }] };
  assert.equal(gradeAnswer(q, 'sy').passed, true);
  assert.deepEqual(gradeAnswer(q, 'su'), { passed: false, message: 'no' });
});

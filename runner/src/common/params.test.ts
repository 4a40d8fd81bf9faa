import { test } from 'node:test';
import assert from 'node:assert/strict';
import { choiceIndex, choiceMessage, escapeRegExp, fillPlaceholder, paramEnvName, paramSweep, paramsPrelude, parseParamAssignments } from './params.ts';
import { answerPattern, exampleAnswer, isCorrectAnswer } from './answers.ts';
import { labFileSchema } from './lab-schema.ts';

const params = [{ name: 'syscall', choices: ['write', 'writev', 'pwritev2'], measuredIn: [] }];

test('parameters become KDLABS_PARAM_ shell variables at the top of a script, not exported', () => {
  assert.equal(paramEnvName('syscall'), 'KDLABS_PARAM_SYSCALL');
  assert.equal(paramsPrelude({ syscall: 'writev', max_rate: '5' }), "KDLABS_PARAM_SYSCALL='writev'\nKDLABS_PARAM_MAX_RATE='5'\n");
  assert.equal(paramsPrelude({ odd: "it's" }), "KDLABS_PARAM_ODD='it'\\''s'\n", 'a quote cannot end the value early');
  assert.equal(paramsPrelude({}), '');
});

test('choiceIndex is deterministic, in range and uses the digest', () => {
  const d = new Uint8Array([0, 0, 0, 0, 0, 7, 99]);
  assert.equal(choiceIndex(d, 3), 1);
  assert.equal(choiceIndex(d, 3), 1);
  assert.equal(choiceIndex(new Uint8Array([1, 2, 3, 4, 5, 6]), 1), 0);
  for (let i = 0; i < 256; i++) {
    const n = choiceIndex(new Uint8Array([i, 255 - i, i, 3, i, 9]), 5);
    assert.ok(n >= 0 && n < 5);
  }
  assert.throws(() => choiceIndex(new Uint8Array(3), 2));
  assert.notEqual(choiceMessage('ab', 'c', 'lab', 'p'), choiceMessage('a', 'bc', 'lab', 'p'));
});

test('the sweep covers every choice of every parameter', () => {
  assert.deepEqual(paramSweep([]), [{}]);
  const sweep = paramSweep([...params, { name: 'size', choices: ['s', 'l'], measuredIn: [] }]);
  assert.deepEqual(sweep, [{ syscall: 'write', size: 's' }, { syscall: 'writev', size: 'l' }, { syscall: 'pwritev2', size: 's' }]);
});

test('CLI assignments are checked against the lab', () => {
  assert.deepEqual(parseParamAssignments('syscall=writev', params), { ok: true, value: { syscall: 'writev' } });
  const bad = parseParamAssignments('syscall=sendto', params);
  assert.ok(!bad.ok && /no choice "sendto" \(choices: write, writev, pwritev2\)/.test(bad.message));
  const unknown = parseParamAssignments('color=red', params);
  assert.ok(!unknown.ok && /unknown parameter "color" \(this lab has: syscall\)/.test(unknown.message));
  assert.ok(!parseParamAssignments('syscall', params).ok);
});

test('a parameter answer accepts only this learner\'s value', () => {
  const a = { pattern: '^(sys_)?{{value}}(\\(2\\))?$', example: '{{value}}', param: 'syscall' };
  assert.ok(isCorrectAnswer(a, 'writev', { syscall: 'writev' }));
  assert.ok(isCorrectAnswer(a, ' WRITEV(2) ', { syscall: 'writev' }));
  assert.equal(isCorrectAnswer(a, 'write', { syscall: 'writev' }), false, "a neighbour's answer is wrong");
  assert.equal(isCorrectAnswer(a, 'writev', { syscall: 'write' }), false);
  assert.equal(isCorrectAnswer(a, 'writev', {}), false, 'no value, no correct answer');
  assert.equal(answerPattern(a, { syscall: 'a.b' }), '^(sys_)?a\\.b(\\(2\\))?$', 'values are escaped');
  assert.equal(exampleAnswer(a, { syscall: 'pwritev2' }), 'pwritev2');
  assert.equal(exampleAnswer(a, {}), null);
  assert.equal(exampleAnswer({ pattern: '^x$', example: 'x' }), 'x');
  assert.equal(fillPlaceholder('{{value}}-{{value}}', 'a+', true), `${escapeRegExp('a+')}-${escapeRegExp('a+')}`);
});

const base = {
  id: 'p-lab', title: 'T', level: 'beginner', summary: 'S', minutes: 5, steps: ['s.md'],
  solution: { script: 'solve.sh' }, selftest: { symptom: 'symptom.sh' },
};
const issues = (lab: unknown): string[] => {
  const r = labFileSchema.safeParse(lab);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

test('lab.yaml params and parameter answers are validated', () => {
  const ok = {
    ...base,
    params: { syscall: { choices: ['write', 'writev'] } },
    tasks: [{ id: 'q', title: 'Q', question: { prompt: 'which?', answer: { param: 'syscall' } } }],
  };
  assert.deepEqual(issues(ok), []);
  assert.match(issues({ ...ok, params: {} }).join('\n'), /tasks\.0\.question\.answer\.param: no parameter "syscall" under "params" \(none declared\)/);
  assert.match(issues({ ...ok, params: { syscall: { choices: ['write'] } } }).join('\n'), /at least two choices/);
  assert.match(issues({ ...ok, params: { syscall: { choices: ['write', 'write'] } } }).join('\n'), /distinct/);
  assert.match(issues({ ...ok, params: { Syscall: { choices: ['a', 'b'] } } }).join('\n'), /lower-case name/);
  assert.match(issues({ ...ok, params: { syscall: { choices: ['a b', 'c'] } } }).join('\n'), /letters, digits/);
  assert.deepEqual(issues({ ...ok, params: { syscall: { choices: ['write', 'writev'], measuredIn: ['/run/report'] } } }), []);
  assert.match(issues({ ...ok, params: { syscall: { choices: ['write', 'writev'], measuredIn: ['run/report'] } } }).join('\n'), /params\.syscall\.measuredIn\.0: expected an absolute path/);
  const noPlaceholder = { ...ok, tasks: [{ id: 'q', title: 'Q', question: { prompt: 'p', answer: { param: 'syscall', pattern: '^write$' } } }] };
  assert.match(issues(noPlaceholder).join('\n'), /must contain \{\{value\}\}/);
  const fixedWithoutExample = { ...ok, tasks: [{ id: 'q', title: 'Q', question: { prompt: 'p', answer: { pattern: '^x$' } } }] };
  assert.match(issues(fixedWithoutExample).join('\n'), /answer\.example: expected a correct answer/);
  const badRegex = { ...ok, tasks: [{ id: 'q', title: 'Q', question: { prompt: 'p', answer: { pattern: '(', example: 'x' } } }] };
  assert.match(issues(badRegex).join('\n'), /valid regular expression/);
});

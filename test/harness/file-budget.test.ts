import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_FILE_BUDGET_MS, failureDigest, parseBudget, parseCounts } from './file-budget.ts';

test('a file budget is read from a comment near the top', () => {
  assert.deepEqual(parseBudget('// x\n// test-budget: 40m\nimport a;'), { ok: true, ms: 40 * 60_000 });
  assert.deepEqual(parseBudget('// test-budget: 90s'), { ok: true, ms: 90_000 });
  assert.deepEqual(parseBudget('import a;'), { ok: true, ms: DEFAULT_FILE_BUDGET_MS });
  const bad = parseBudget('// test-budget: soon');
  assert.equal(bad.ok, false);
  assert.match(!bad.ok ? bad.error : '', /soon.*expected e\.g\. 90s/);
  assert.equal(parseBudget('// test-budget: 600m').ok, false);
  // Far down the file, the phrase is not a declaration.
  assert.deepEqual(parseBudget(`${'\n'.repeat(30)}// test-budget: 1s`), { ok: true, ms: DEFAULT_FILE_BUDGET_MS });
});

test('the closing counts of node:test are read from spec and tap output', () => {
  const spec = '✔ a (1ms)\nℹ tests 4\nℹ suites 0\nℹ pass 3\nℹ fail 1\nℹ cancelled 0\nℹ skipped 0\nℹ todo 0\n';
  assert.deepEqual(parseCounts(spec), { pass: 3, fail: 1, skipped: 0, cancelled: 0 });
  assert.deepEqual(parseCounts('# pass 2\n# fail 0\n# skipped 1\n'), { pass: 2, fail: 0, skipped: 1, cancelled: 0 });
  assert.equal(parseCounts('the file crashed before any test'), null);
});

test('the failure digest keeps the failing tests and their messages, not their stacks', () => {
  const out = [
    '✔ one (3ms)', 'ℹ fail 1', '', '✖ failing tests:', '', 'test at test/x.test.ts:10:1',
    '✖ crash-bt turns green (54000ms)',
    "  AssertionError [ERR_ASSERTION]: The input did not match the regular expression /^passed/. Input:",
    '', "  'pending: Start the lab first'", '', '      at TestContext.<anonymous> (test/x.test.ts:12:3)',
    '      at async Test.run (node:internal/test_runner/test:797:9) {', "    generatedMessage: true,", "    code: 'ERR_ASSERTION',", '  }',
  ].join('\n');
  assert.deepEqual(failureDigest(out), [
    '✖ crash-bt turns green (54000ms)',
    '  AssertionError [ERR_ASSERTION]: The input did not match the regular expression /^passed/. Input:',
    "  'pending: Start the lab first'",
  ]);
  assert.deepEqual(failureDigest('✔ all fine'), []);
});

test('the failure digest is cut to its line limit and says how much it left out', () => {
  const out = `✖ failing tests:\n${Array.from({ length: 20 }, (_, i) => `✖ test ${i}`).join('\n')}`;
  const d = failureDigest(out, 5);
  assert.equal(d.length, 5);
  assert.equal(d[4], "… (16 more lines in the file's output above)");
  assert.ok(failureDigest(`✖ failing tests:\n${'x'.repeat(1000)}`)[0]!.length <= 240);
});

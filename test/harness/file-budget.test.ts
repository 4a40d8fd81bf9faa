import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_FILE_BUDGET_MS, parseBudget, parseCounts } from './file-budget.ts';

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

// The harness itself fails a file that leaves a process behind or outlives its budget.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const here = import.meta.dirname;
const harness = (file: string) => spawnSync(process.execPath, ['--import', 'tsx', join(here, 'run-files.ts'), join(here, 'fixtures', file)], { encoding: 'utf8', timeout: 60_000 });

test('a file whose test passes but leaves a process running fails, naming the process', () => {
  const r = harness('leaves-a-process.ts');
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /left processes behind: \d+ sleep 600/);
  assert.match(r.stdout, /integration: 1 passed, 1 failed/);
});

test('a file that runs past its budget is stopped and fails', () => {
  const r = harness('over-budget.ts');
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /ran past its budget/);
});

test('the run ends with why each failed file failed, after the table, where a log\'s tail shows it', () => {
  const r = harness('fails-an-assertion.ts');
  assert.equal(r.status, 1, r.stdout + r.stderr);
  const tail = r.stdout.slice(r.stdout.indexOf('integration: 1 passed, 1 failed'));
  assert.match(tail, /fails-an-assertion\.ts:\n✖ finds the task green/);
  assert.match(tail, /'pending: start the lab first'/);
  assert.doesNotMatch(tail, /^\s+at /m);
});

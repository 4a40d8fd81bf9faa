import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCgroupLimit, parseMemTotal } from './memlimit.ts';

test('memory limits: MemTotal in bytes; a cgroup limit only when set', () => {
  assert.equal(parseMemTotal('MemTotal:       24683548 kB\nMemFree:  1 kB\n'), 24683548 * 1024);
  assert.equal(parseMemTotal(''), null);
  assert.equal(parseCgroupLimit('268435456\n'), 268435456);
  assert.equal(parseCgroupLimit('max\n'), null);
  assert.equal(parseCgroupLimit('9223372036854771712\n'), null, 'cgroup v1 without a limit');
  assert.equal(parseCgroupLimit(''), null);
});

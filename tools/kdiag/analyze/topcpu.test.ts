import { test } from 'node:test';
import assert from 'node:assert/strict';
import { topByCpu } from './topcpu.ts';
import type { PidStat } from '../parse/pidstat.ts';

const p = (pid: number, comm: string, cpuTicks: number): [number, PidStat] => [pid, { pid, comm, state: 'R', ppid: 1, cpuTicks }];

test('CPU% of one CPU from tick deltas; new processes count from zero; excluded pids skipped', () => {
  const before = new Map([p(1, 'init', 10), p(2, 'hog', 100), p(3, 'self', 0)]);
  const after = new Map([p(1, 'init', 10), p(2, 'hog', 300), p(3, 'self', 50), p(4, 'new', 50)]);
  assert.deepEqual(topByCpu(before, after, 2, 5, [3]), [
    { pid: 2, comm: 'hog', cpuPercent: 100 },
    { pid: 4, comm: 'new', cpuPercent: 25 },
  ]);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SPLIT_SAMPLE_MS, RunnerMetrics } from './metrics.ts';
import type { SessionManager } from '../sessions/session-manager.ts';

const manager = { list: () => [], live: () => [] } as unknown as SessionManager;
const turn = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Keeps the event loop busy until this thread has used `ms` of CPU (wall time varies on a loaded host; CPU time does not). */
function spin(ms: number): void {
  const start = process.cpuUsage();
  for (;;) {
    const used = process.cpuUsage(start);
    if ((used.user + used.system) / 1000 >= ms) return;
  }
}

test('a stall the runner causes itself shows as lag and as its own lag; a new window starts clean', { skip: process.platform !== 'linux' }, async () => {
  const metrics = new RunnerMetrics();
  await turn(SPLIT_SAMPLE_MS * 3);
  spin(300);
  await turn(SPLIT_SAMPLE_MS * 3);
  const stalled = metrics.read(manager, true);
  assert.ok(stalled.eventLoop.maxLagMs >= 250, `lag ${stalled.eventLoop.maxLagMs} ms`);
  assert.ok((stalled.eventLoop.maxOwnLagMs ?? 0) >= 250, `own lag ${stalled.eventLoop.maxOwnLagMs} ms`);
  assert.ok(stalled.openFds !== null && stalled.openFds > 0);
  await turn(SPLIT_SAMPLE_MS * 3);
  const quiet = metrics.read(manager);
  assert.ok((quiet.eventLoop.maxOwnLagMs ?? 0) < 250, 'the stall belongs to the previous window');
  metrics.close();
});

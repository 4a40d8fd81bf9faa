import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { WorkshopClock } from './workshop-clock.ts';
import { setUnexpectedErrorListener } from '../util/unexpected-error.ts';
import type { SessionManager } from '../sessions/session-manager.ts';
import type { ProgressStore } from '../progress/progress-store.ts';

const TICK_MS = 1000;

test('a tick that fails is reported with its context, and the clock keeps ticking', async () => {
  const reported: string[] = [];
  const previous = setUnexpectedErrorListener((e, context) => { reported.push(`${context}: ${(e as Error).message}`); });
  mock.timers.enable({ apis: ['setInterval'] });
  let calls = 0;
  const manager = { live: () => { calls++; if (calls === 1) throw new Error('docker went away'); return []; } } as unknown as SessionManager;
  const clock = new WorkshopClock({} as ProgressStore, manager, TICK_MS);
  const settle = async (): Promise<void> => { for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r)); };
  try {
    mock.timers.tick(TICK_MS);
    await settle();
    assert.deepEqual(reported, ['the workshop clock: docker went away']);
    mock.timers.tick(TICK_MS);
    await settle();
    assert.ok(calls >= 2, 'the next tick ran');
    assert.equal(reported.length, 1);
  } finally {
    clock.close();
    mock.timers.reset();
    setUnexpectedErrorListener(previous);
  }
});

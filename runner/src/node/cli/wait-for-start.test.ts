import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SessionView } from '../../common/protocol.ts';
import { START_DEADLINE_MS, START_POLL_MS, waitForStart } from './wait-for-start.ts';

const view = (phase: SessionView['phase'], messages: string[]): SessionView => ({
  id: 's-aaaaaaaaaaaaaaaaaaaa', labId: 'syscall-storm', phase, tasks: [], createdAt: '2025-01-01T00:00:00Z', error: null,
  progress: messages.map((message) => ({ stage: 'image', message })),
});

/** A clock that moves only when the waiter sleeps. */
function fakeClock() {
  let t = 0;
  return { now: () => t, sleep: async (ms: number) => { t += ms; } };
}

test('follows a start to running and shows each progress message once', async () => {
  const replies = [view('starting', ['image ready', 'container up']), view('running', ['image ready', 'container up', 'fault running'])];
  const shown: string[] = [];
  const out = await waitForStart(view('starting', ['image ready']), { get: async () => replies.shift()!, onProgress: (m) => shown.push(m), ...fakeClock() });
  assert.equal(out.kind, 'running');
  assert.deepEqual(shown, ['image ready', 'container up', 'fault running']);
});

test('a lab that fails to start is reported as not started', async () => {
  const out = await waitForStart(view('starting', []), { get: async () => ({ ...view('failed', []), error: 'no image' }), onProgress: () => {}, ...fakeClock() });
  assert.equal(out.kind, 'not-started');
  assert.equal(out.view.error, 'no image');
});

test('a start that never ends stops at the deadline instead of polling for ever', async () => {
  let polls = 0;
  const out = await waitForStart(view('starting', []), { get: async () => { polls++; return view('starting', []); }, onProgress: () => {}, ...fakeClock() });
  assert.equal(out.kind, 'deadline');
  assert.equal(polls, START_DEADLINE_MS / START_POLL_MS);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertTransition, canTransition, PHASE_TRANSITIONS } from './session-phase.ts';

test('stopped is final and stopping only ends in stopped', () => {
  assert.deepEqual(PHASE_TRANSITIONS.stopped, []);
  assert.deepEqual(PHASE_TRANSITIONS.stopping, ['stopped']);
});

test('a session is never forgotten straight from degraded: it stops through stopping', () => {
  assert.equal(canTransition('degraded', 'stopped'), false);
  assert.equal(canTransition('degraded', 'stopping'), true);
});

test('a transition not in the table throws, naming the session and what is allowed', () => {
  assert.throws(() => assertTransition('stopped', 'running', 's-x'), /s-x: phase stopped → running is not allowed \(allowed from stopped: none\)/);
  assert.throws(() => assertTransition('failed', 'running', 's-x'), /allowed from failed: resetting, stopping/);
  assert.doesNotThrow(() => assertTransition('running', 'degraded', 's-x'));
});

test('every phase a transition leads to is itself in the table', () => {
  for (const targets of Object.values(PHASE_TRANSITIONS)) {
    for (const to of targets) assert.ok(to in PHASE_TRANSITIONS, to);
  }
});

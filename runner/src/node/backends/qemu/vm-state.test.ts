import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VmStateMachine } from './vm-state.ts';

test('a panic or reboot starts a new boot epoch and cuts running commands short', () => {
  let restarts = 0;
  const sm = new VmStateMachine(() => { restarts++; });
  assert.equal(sm.state, 'booting');
  assert.ok(sm.set('ready'));
  assert.equal(sm.epoch, 0);
  sm.set('panicked');
  sm.set('rebooting');
  assert.equal(sm.epoch, 2);
  assert.equal(restarts, 2);
  assert.ok(sm.alive);
});

test('stopped is final; dead gives way only to stopped', () => {
  const sm = new VmStateMachine();
  sm.set('dead');
  assert.equal(sm.alive, false);
  assert.equal(sm.set('ready'), false);
  assert.equal(sm.state, 'dead');
  assert.ok(sm.set('stopped'));
  assert.equal(sm.set('booting'), false);
  assert.equal(sm.state, 'stopped');
});

test('waiting for ready: resolves on ready, says why on failure, gives up after its time', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  const sm = new VmStateMachine();
  const ready = sm.whenReady(10_000, () => '');
  sm.set('rebooting');
  sm.set('ready');
  assert.deepEqual(await ready, { ok: true });

  sm.set('rebooting');
  const failed = sm.whenReady(10_000, () => 'QEMU exited (signal 9)');
  sm.set('failed');
  assert.deepEqual(await failed, { ok: false, message: 'the lab VM is not running: QEMU exited (signal 9)' });

  const sm2 = new VmStateMachine();
  const late = sm2.whenReady(5000, () => '');
  await Promise.resolve();
  t.mock.timers.tick(5000);
  assert.deepEqual(await late, { ok: false, message: 'the lab VM did not become ready within 5 s' });
});

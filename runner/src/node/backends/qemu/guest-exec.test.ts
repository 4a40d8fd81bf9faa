import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EXIT_VM_RESTARTED, GUEST_CHECK_PATH, guestCommand, guestExec } from './guest-exec.ts';
import { ChannelError, type GuestAgent } from './qmp.ts';

test('a guest command runs under the guest\'s own timeout', () => {
  assert.deepEqual(guestCommand(['sync'], 60, false), { path: '/usr/bin/timeout', arg: ['-k', '2', '60', 'sync'] });
});

test('a check runs timeout and bash from the tool set on the lab files disk, without profiles', () => {
  const c = guestCommand(['bash', '-s'], 20, true);
  assert.equal(c.path, '/opt/lab/.kdlabs-check/bin/timeout');
  assert.deepEqual(c.arg, ['-k', '2', '20', '/opt/lab/.kdlabs-check/bin/bash', '--noprofile', '--norc', '-s']);
  assert.ok(GUEST_CHECK_PATH.startsWith('/opt/lab/.kdlabs-check/bin:'), 'the tool set comes first in a check\'s PATH');
});

test('only bash can run with the tool set: anything else is a caller\'s bug', () => {
  assert.throws(() => guestCommand(['python3', '-c', 'print(1)'], 5, true), /runs as bash/);
});

test('an agent that goes silent because the guest is shutting down: the command is reported cut short by the restart', async () => {
  let epoch = 1;
  const agent = { execute: async () => { throw new ChannelError('no reply to guest-exec within 15000 ms', 'timeout'); } } as unknown as GuestAgent;
  const g = { agent, epoch: () => epoch, ready: () => true, interruptedBecause: () => 'the VM restarted while this ran' };
  setTimeout(() => { epoch = 2; }, 300); // QEMU's reset, a moment after the agent stopped answering
  const r = await guestExec(g, ['cat', '/proc/sys/kernel/random/boot_id'], undefined, 10_000, {});
  assert.equal(r.exitCode, EXIT_VM_RESTARTED);
  assert.match(r.stderr, /restarted/);
});

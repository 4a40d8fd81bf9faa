import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GUEST_CHECK_PATH, guestCommand } from './guest-exec.ts';

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

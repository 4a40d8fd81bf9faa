import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { bounded, ok } from './check.ts';

test('a check that finishes in time is passed through', async () => {
  const o = await bounded('BTF', 1000, async () => ok('fine'));
  assert.deepEqual(o, ok('fine'));
});

test('a check that throws becomes a finding naming the error', async () => {
  const o = await bounded('BTF', 1000, async () => { throw new Error('EIO reading vmlinux'); });
  assert.equal(o.status, 'degraded');
  assert.match(o.why ?? '', /the BTF check failed: EIO reading vmlinux/);
});

test('a check that hangs is cut off at its limit', async (t) => {
  mock.timers.enable({ apis: ['setTimeout'] });
  t.after(() => mock.timers.reset());
  const pending = bounded('KVM', 30_000, () => new Promise(() => {}));
  mock.timers.tick(30_000);
  const o = await pending;
  assert.equal(o.status, 'degraded');
  assert.match(o.why ?? '', /did not finish within 30 s/);
});

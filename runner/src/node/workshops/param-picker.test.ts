import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateSecret, paramChooser, pickParams, LOCAL_SEED } from './param-picker.ts';

const lab = { id: 'syscall-storm', params: [{ name: 'syscall', choices: ['write', 'writev', 'pwritev2'], measuredIn: [] }] };

test('the secret is created once, kept private, and reused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kdlabs-secret-'));
  try {
    const a = loadOrCreateSecret(dir);
    assert.equal(a.length, 32);
    assert.equal(statSync(join(dir, 'runner-secret')).mode & 0o777, 0o600);
    assert.deepEqual(loadOrCreateSecret(dir), a);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('choices are stable per learner, differ between learners and runners, and cover every value', () => {
  const secret = Buffer.alloc(32, 1);
  const one = pickParams(secret, 'seed', 'l-aaaaaaaaaaaa', lab);
  assert.deepEqual(pickParams(secret, 'seed', 'l-aaaaaaaaaaaa', lab), one, 'stable');
  const counts = new Map<string, number>();
  for (let i = 0; i < 300; i++) {
    const v = pickParams(secret, 'seed', `l-${String(i).padStart(12, 'a')}`, lab).syscall!;
    counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  assert.deepEqual([...counts.keys()].sort(), ['pwritev2', 'write', 'writev']);
  for (const n of counts.values()) assert.ok(n > 60, `roughly even: ${[...counts]}`);
  const otherSecret = Array.from({ length: 30 }, (_, i) => pickParams(Buffer.alloc(32, 2), 'seed', `l-${i}`, lab).syscall);
  const sameSecret = Array.from({ length: 30 }, (_, i) => pickParams(secret, 'seed', `l-${i}`, lab).syscall);
  assert.notDeepEqual(otherSecret, sameSecret, 'another runner picks independently');
  const choose = paramChooser(secret, (id) => (id === 'w-x' ? 'seed' : null));
  assert.deepEqual(choose(lab as never, { learnerId: 'l-aaaaaaaaaaaa', workshopId: 'w-x' }), one, 'workshop learners use the workshop seed');
  assert.deepEqual(choose(lab as never, { learnerId: 'local', workshopId: null }), pickParams(secret, LOCAL_SEED, 'local', lab));
  assert.deepEqual(pickParams(secret, 'seed', 'l-a', { id: 'no-params', params: [] }), {});
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseMountinfo } from './mountinfo.ts';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

test('a recorded hybrid host: cgroup v1 controllers, cgroup2 under unified, tracefs', () => {
  const mounts = parseMountinfo(fixture('mountinfo-hybrid.txt'));
  const memory = mounts.find((m) => m.mountPoint === '/sys/fs/cgroup/memory');
  assert.deepEqual(memory && { type: memory.fsType, opts: memory.superOptions }, { type: 'cgroup', opts: ['rw', 'memory'] });
  assert.equal(mounts.find((m) => m.fsType === 'cgroup2')?.mountPoint, '/sys/fs/cgroup/unified');
  assert.equal(mounts.find((m) => m.fsType === 'tracefs')?.mountPoint, '/sys/kernel/tracing');
});

test('optional fields before the dash and octal escapes in paths', () => {
  const mounts = parseMountinfo(fixture('mountinfo-v2.txt'));
  const cg = mounts.find((m) => m.fsType === 'cgroup2')!;
  assert.equal(cg.mountPoint, '/sys/fs/cgroup');
  assert.deepEqual(cg.superOptions, ['rw', 'nsdelegate', 'memory_recursiveprot']);
  assert.ok(mounts.some((m) => m.mountPoint === '/mnt/my labs'), 'the \\040 in a mount point is a space');
});

test('lines that are not mount entries are skipped', () => {
  assert.deepEqual(parseMountinfo('\nnot a mount line\n'), []);
});

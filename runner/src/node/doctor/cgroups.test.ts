import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { cgroupLayout, decideCgroups } from './cgroups.ts';
import { parseMountinfo } from './mountinfo.ts';

const mounts = (name: string) => parseMountinfo(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));

test('hybrid host: controllers in v1, degraded with the unified-hierarchy fix', () => {
  const layout = cgroupLayout(mounts('mountinfo-hybrid.txt'), 'hugetlb\n');
  assert.equal(layout.mode, 'hybrid');
  assert.deepEqual(layout.v2, { mountPoint: '/sys/fs/cgroup/unified', controllers: ['hugetlb'] });
  assert.ok(layout.v1.some((c) => c.controller === 'memory' && c.mountPoint === '/sys/fs/cgroup/memory'));
  assert.ok(!layout.v1.some((c) => c.controller.startsWith('name=')), 'name=systemd is no controller');
  const o = decideCgroups(layout);
  assert.equal(o.status, 'degraded');
  assert.match(o.detail, /v1: .*memory.*; v2 \(\/sys\/fs\/cgroup\/unified\): hugetlb/);
  assert.match(o.fix ?? '', /systemd\.unified_cgroup_hierarchy=1/);
});

test('v2 host with memory, pids and cpu delegated: ok', () => {
  const o = decideCgroups(cgroupLayout(mounts('mountinfo-v2.txt'), 'cpuset cpu io memory hugetlb pids rdma misc\n'));
  assert.equal(o.status, 'ok');
  assert.equal(o.facts.mode, 'v2');
});

test('v2 host without the pids controller: missing, and the fix enables it', () => {
  const o = decideCgroups(cgroupLayout(mounts('mountinfo-v2.txt'), 'cpuset cpu io memory\n'));
  assert.equal(o.status, 'missing');
  assert.match(o.why ?? '', /pids/);
  assert.match(o.fix ?? '', /\+pids/);
});

test('no cgroup file system at all: missing', () => {
  const o = decideCgroups(cgroupLayout(parseMountinfo('23 28 0:22 / /proc rw - proc proc rw\n'), null));
  assert.equal(o.status, 'missing');
  assert.equal(o.facts.mode, 'none');
});

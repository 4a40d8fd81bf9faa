import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fakeHostIo } from './fake-host-io.ts';
import { checkProbe, decideProbe, readProbeFacts } from './probes.ts';

const mountinfo = readFileSync(new URL('./fixtures/mountinfo-hybrid.txt', import.meta.url), 'utf8');

test('kprobe_events present: a probe is appended, then removed under the same name', async () => {
  const io = fakeHostIo({ files: { '/proc/self/mountinfo': mountinfo, '/sys/kernel/tracing/kprobe_events': '' } });
  const f = await readProbeFacts(io, 'kprobe', 4242, 0);
  assert.equal(io.appended.length, 2);
  const [add, remove] = io.appended;
  assert.match(add!.text, /^p:kdlabs_doctor\/k4242_\d+ vfs_read\n$/);
  assert.equal(remove!.text, `-:${add!.text.slice(2).split(' ')[0]}\n`);
  assert.equal(decideProbe(f).status, 'ok');
});

test('no kprobe_events and no PMU (this host): missing, nothing written, tracepoints suggested', async () => {
  const io = fakeHostIo({ files: { '/proc/self/mountinfo': mountinfo, '/sys/kernel/tracing/uprobe_events': '' } });
  const o = await checkProbe(io, 'kprobe', 1, 0);
  assert.equal(o.status, 'missing');
  assert.deepEqual(io.appended, []);
  assert.match(o.fix ?? '', /tracepoint/);
});

test('uprobes: the probe names an executable and an offset', async () => {
  const io = fakeHostIo({ files: { '/proc/self/mountinfo': mountinfo, '/sys/kernel/tracing/uprobe_events': '' } });
  const o = await checkProbe(io, 'uprobe', 7, 0);
  assert.equal(o.status, 'ok');
  assert.match(io.appended[0]!.text, /^p:kdlabs_doctor\/u7_\d+ \/bin\/true:0x0\n$/);
});

test('the kernel refuses the probe: degraded, the fix points at error_log, no removal attempted', async () => {
  const io = fakeHostIo({
    files: { '/proc/self/mountinfo': mountinfo, '/sys/kernel/tracing/kprobe_events': '' },
    writeErrors: { '/sys/kernel/tracing/kprobe_events': 'EINVAL' },
  });
  const f = await readProbeFacts(io, 'kprobe', 1, 0);
  assert.equal(f.removed, null);
  const o = decideProbe(f);
  assert.equal(o.status, 'degraded');
  assert.match(o.fix ?? '', /error_log/);
});

test('not root: cannot tell, degraded rather than missing', () => {
  const o = decideProbe({ kind: 'kprobe', tracefs: '/sys/kernel/tracing', eventsFile: true, pmu: true, created: { ok: false, code: 'EACCES', message: 'denied' }, removed: null, uid: 1000 });
  assert.equal(o.status, 'degraded');
  assert.match(o.detail, /uid 1000/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fakeHostIo } from './fake-host-io.ts';
import { checkTracefs, decideTracefs, tracefsMounts } from './tracefs.ts';
import { parseMountinfo } from './mountinfo.ts';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

test('the standard mount point comes first', () => {
  assert.deepEqual(tracefsMounts(parseMountinfo(fixture('mountinfo-v2.txt'))), ['/sys/kernel/tracing', '/sys/kernel/debug/tracing']);
});

test('mounted and readable: ok, with the number of events', async () => {
  const io = fakeHostIo({ files: {
    '/proc/self/mountinfo': fixture('mountinfo-hybrid.txt'),
    '/sys/kernel/tracing/available_events': 'sched:sched_switch\nsyscalls:sys_enter_write\nraw_syscalls:sys_enter\n',
    '/sys/kernel/tracing/events/sched/sched_switch/format': 'name: sched_switch\nID: 372\nformat:\n',
  } });
  const o = await checkTracefs(io, 0);
  assert.equal(o.status, 'ok');
  assert.match(o.detail, /3 trace events/);
});

test('not mounted: missing, the fix mounts it', () => {
  const o = decideTracefs({ mountPoints: [], events: null, formatReadable: false, uid: 0 });
  assert.equal(o.status, 'missing');
  assert.match(o.fix ?? '', /^mount -t tracefs nodev \/sys\/kernel\/tracing/);
});

test('unreadable as an ordinary user: degraded, names the uid', () => {
  const o = decideTracefs({ mountPoints: ['/sys/kernel/tracing'], events: { ok: false, code: 'EACCES', message: 'permission denied' }, formatReadable: false, uid: 1000 });
  assert.equal(o.status, 'degraded');
  assert.match(o.why ?? '', /uid 1000/);
});

test('only under debugfs: degraded', () => {
  const o = decideTracefs({ mountPoints: ['/sys/kernel/debug/tracing'], events: { ok: true, value: 10 }, formatReadable: true, uid: 0 });
  assert.equal(o.status, 'degraded');
  assert.match(o.why ?? '', /only at \/sys\/kernel\/debug\/tracing/);
});

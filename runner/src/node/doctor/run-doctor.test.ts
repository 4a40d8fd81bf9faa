import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CAPABILITY_IDS } from '../../common/doctor.ts';
import type { ResolvedLab } from '../../common/lab-schema.ts';
import { fakeHostIo, type FakeHost } from './fake-host-io.ts';
import { runDoctor, type DoctorDeps } from './run-doctor.ts';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const labOf = (id: string, backend: 'container' | 'vm', markdown = ''): ResolvedLab => ({
  id, title: id, level: 'beginner', order: 100, summary: '', minutes: 1, backend, image: { base: 'base', labLayerDir: null },
  resources: { memoryBytes: 1, pids: 16, cpus: 1, diskBytes: 1 }, capabilities: [], vm: null, params: [], dir: '/x', setup: null,
  steps: [{ file: 's.md', title: 's', markdown }], tasks: [], solution: { script: '', notes: null, timeoutSeconds: 300 }, selftest: { symptom: '', timeoutSeconds: 1 },
});
const ran = (stdout: string) => ({ code: 0, stdout, stderr: '', timedOut: false });

/** This host as recorded: hybrid cgroups, tracefs, BTF, no kprobes, no headers, no /dev/kvm. */
const recordedHost: FakeHost = {
  files: {
    '/proc/self/mountinfo': fixture('mountinfo-hybrid.txt'),
    '/sys/fs/cgroup/unified/cgroup.controllers': 'hugetlb\n',
    '/sys/kernel/tracing/available_events': 'sched:sched_switch\n',
    '/sys/kernel/tracing/events/sched/sched_switch/format': 'name: sched_switch\nformat:\n',
    '/sys/kernel/tracing/uprobe_events': '',
    '/sys/kernel/btf/vmlinux': new Uint8Array([0x9f, 0xeb, 1, 0]),
    '/proc/sys/kernel/perf_event_paranoid': '2\n',
    '/sys/bus/event_source/devices': ['breakpoint', 'msr', 'software', 'tracepoint', 'uprobe'],
    '/proc/cpuinfo': fixture('cpuinfo-flags-vm-no-vmx.txt'),
    '/etc/os-release': 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n',
  },
  commands: {
    perf: { code: 0, stdout: '', stderr: fixture('perf-stat-ok.stderr.txt'), timedOut: false },
    'qemu-system-x86_64': ran(fixture('qemu-version.txt')),
    'qemu-img': ran('qemu-img version 7.2.22\n'),
    '/usr/bin/chromium': ran(fixture('chromium-version.txt')),
  },
};

function deps(over: Partial<DoctorDeps> & { fake?: FakeHost } = {}): DoctorDeps {
  const { fake, ...rest } = over;
  return {
    io: fakeHostIo(fake ?? recordedHost),
    labs: [labOf('storm', 'container', '`bpftrace -e …`'), labOf('panic', 'vm')],
    dockerPreflight: async () => ({ ok: true, version: '20.10.24' }),
    vmImage: () => null,
    decideAccel: async () => { throw new Error('not asked without an image'); },
    accelCacheDir: '/data',
    host: { kernel: '6.18.44-fc-v1045', arch: 'x64', cpus: 2, uid: 0, pid: 99 },
    binaries: { qemu: 'qemu-system-x86_64', qemuImg: 'qemu-img', chromium: '/usr/bin/chromium' },
    now: () => new Date('2026-01-01T00:00:00Z'),
    ...rest,
  };
}

test('the recorded host: every capability reported once, in order; missing ones no lab needs do not fail it', async () => {
  const r = await runDoctor(deps());
  assert.deepEqual(r.capabilities.map((c) => c.id), CAPABILITY_IDS);
  const status = Object.fromEntries(r.capabilities.map((c) => [c.id, c.status]));
  assert.deepEqual(status, {
    docker: 'ok', cgroups: 'degraded', tracefs: 'ok', btf: 'ok', kprobes: 'missing', uprobes: 'ok', 'perf-events': 'degraded',
    'bcc-headers': 'missing', qemu: 'ok', kvm: 'degraded', chromium: 'ok',
  });
  assert.deepEqual(r.blocking, []);
  assert.equal(r.ok, true);
  assert.deepEqual(r.accel, { accel: 'tcg', reason: r.capabilities.find((c) => c.id === 'kvm')!.facts.accelReason, probed: false });
  assert.equal(r.host.os, 'Debian GNU/Linux 12 (bookworm)');
});

test('Docker down with a container lab: blocking, not ok', async () => {
  const r = await runDoctor(deps({ dockerPreflight: async () => ({ ok: false, message: 'Docker Engine is not running' }) }));
  assert.deepEqual(r.blocking, ['docker']);
  assert.equal(r.ok, false);
});

test('a missing capability a lab\'s tool needs blocks; the same with only VM labs does not', async () => {
  const noTracefs: FakeHost = { ...recordedHost, files: { ...recordedHost.files, '/proc/self/mountinfo': fixture('mountinfo-hybrid.txt').replace(/.* - tracefs .*\n/, '') } };
  const withContainer = await runDoctor(deps({ fake: noTracefs }));
  assert.ok(withContainer.blocking.includes('tracefs'));
  const vmOnly = await runDoctor(deps({ fake: noTracefs, labs: [labOf('panic', 'vm', '`bpftrace -e …`')] }));
  assert.deepEqual(vmOnly.blocking, []);
});

test('a throwing probe does not make the doctor throw', async () => {
  const io = fakeHostIo(recordedHost);
  io.readText = async () => { throw new Error('EIO'); };
  const r = await runDoctor(deps({ io }));
  assert.equal(r.capabilities.length, CAPABILITY_IDS.length);
  assert.match(r.capabilities.find((c) => c.id === 'tracefs')!.why ?? '', /EIO/);
});

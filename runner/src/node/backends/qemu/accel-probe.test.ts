import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ACCEL_CACHE_FILE, decideAccelWith, KVM_BOOT_PROBE_TIMEOUT_MS, type AccelProbeDeps } from './accel-probe.ts';
import type { KernelProbeRequest, ProbeOutcome } from './kernel-probe.ts';

/** A host with /dev/kvm and QEMU; the boot probe answers `outcome` and records what it was asked. */
function fakeHost(outcome: ProbeOutcome, over: Partial<AccelProbeDeps> = {}) {
  const probes: KernelProbeRequest[] = [];
  const deps: AccelProbeDeps = {
    env: {},
    kvmDeviceError: () => null,
    qemuVersion: () => 'QEMU 7.2.22',
    hostId: () => 'host-a 6.1.0 CPU',
    kernelSha256: () => 'k1',
    bootProbe: async (req) => { probes.push(req); return outcome; },
    now: () => new Date('2025-01-02T03:04:05Z'),
    ...over,
  };
  return { deps, probes };
}

function withCacheDir(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kdlabs-accel-'));
    try { await fn(dir); } finally { rmSync(dir, { recursive: true, force: true }); }
  };
}

const opts = (cacheDir: string) => ({ kernelPath: '/img/vmlinuz', initrdPath: '/img/initrd.img', cacheDir });
const hang: ProbeOutcome = { kind: 'silent', ms: KVM_BOOT_PROBE_TIMEOUT_MS, lastOutput: 'Probing EDD (edd=off to disable)... ok' };
const booted: ProbeOutcome = { kind: 'booted', ms: 420, line: 'Linux version 6.1.0-28-amd64 (debian-kernel@lists.debian.org)' };

test('KVM present but the lab kernel hangs under it: TCG, and the reason says where it stopped', withCacheDir(async (dir) => {
  const { deps, probes } = fakeHost(hang);
  const d = await decideAccelWith(opts(dir), deps);
  assert.equal(d.accel, 'tcg');
  assert.match(d.reason, /did not boot under KVM/);
  assert.match(d.reason, /Probing EDD/);
  assert.match(d.reason, /TCG/);
  assert.match(d.fix ?? '', /KDLABS_QEMU_ACCEL=tcg/);
  assert.equal(d.cached, false);
  assert.equal(d.probedAt, '2025-01-02T03:04:05.000Z');
  assert.equal(probes.length, 1);
  assert.equal(probes[0]!.accel, 'kvm');
  assert.equal(probes[0]!.kernel, '/img/vmlinuz', 'the lab kernel itself is booted');
  assert.equal(probes[0]!.initrd, '/img/initrd.img');
  assert.equal(probes[0]!.timeoutMs, KVM_BOOT_PROBE_TIMEOUT_MS);
  assert.ok(!probes[0]!.frozen);
}));

test('KVM boots the lab kernel: KVM; the answer is cached and reused without probing', withCacheDir(async (dir) => {
  const { deps, probes } = fakeHost(booted);
  const first = await decideAccelWith(opts(dir), deps);
  assert.equal(first.accel, 'kvm');
  assert.match(first.reason, /KVM booted the lab kernel.*Linux version 6\.1\.0/);
  assert.equal(first.fix, null);
  const again = await decideAccelWith(opts(dir), deps);
  assert.deepEqual(again, { ...first, cached: true });
  assert.equal(probes.length, 1, 'probed once');
  assert.ok(JSON.parse(readFileSync(join(dir, ACCEL_CACHE_FILE), 'utf8')).entries.length === 1);
}));

test('a new kernel, QEMU or host probes again; force probes again', withCacheDir(async (dir) => {
  const { deps, probes } = fakeHost(booted);
  await decideAccelWith(opts(dir), deps);
  assert.equal((await decideAccelWith(opts(dir), { ...deps, kernelSha256: () => 'k2' })).cached, false);
  assert.equal((await decideAccelWith(opts(dir), { ...deps, qemuVersion: () => 'QEMU 8.0.0' })).cached, false);
  assert.equal((await decideAccelWith(opts(dir), { ...deps, hostId: () => 'host-b' })).cached, false);
  assert.equal((await decideAccelWith({ ...opts(dir), force: true }, deps)).cached, false);
  assert.equal(probes.length, 5);
  // Each key keeps its own answer.
  assert.equal((await decideAccelWith(opts(dir), { ...deps, kernelSha256: () => 'k2' })).cached, true);
  assert.equal(probes.length, 5);
}));

test('no /dev/kvm: TCG without a probe, and the reason says so plainly', withCacheDir(async (dir) => {
  const { deps, probes } = fakeHost(booted, { kvmDeviceError: () => 'ENOENT' });
  const d = await decideAccelWith(opts(dir), deps);
  assert.equal(d.accel, 'tcg');
  assert.match(d.reason, /^\/dev\/kvm is missing: this host offers no KVM/);
  assert.match(d.fix ?? '', /modprobe kvm_intel/);
  assert.equal(probes.length, 0);
  const denied = await decideAccelWith(opts(dir), { ...deps, kvmDeviceError: () => 'EACCES' });
  assert.match(denied.reason, /cannot be opened \(EACCES\)/);
  assert.match(denied.fix ?? '', /kvm group/);
}));

test('QEMU refuses KVM: TCG with QEMU\'s own words', withCacheDir(async (dir) => {
  const { deps } = fakeHost({ kind: 'failed', message: 'failed to initialize kvm: Operation not permitted' });
  const d = await decideAccelWith(opts(dir), deps);
  assert.equal(d.accel, 'tcg');
  assert.match(d.reason, /could not boot the lab kernel under KVM \(failed to initialize kvm: Operation not permitted\)/);
}));

test('KDLABS_QEMU_ACCEL forces the choice without probing; other values are ignored and said so', withCacheDir(async (dir) => {
  const { deps, probes } = fakeHost(hang);
  for (const v of ['tcg', 'kvm'] as const) {
    const d = await decideAccelWith(opts(dir), { ...deps, env: { KDLABS_QEMU_ACCEL: v } });
    assert.equal(d.accel, v);
    assert.match(d.reason, new RegExp(`KDLABS_QEMU_ACCEL=${v} is set`));
  }
  assert.equal(probes.length, 0);
  const odd = await decideAccelWith(opts(dir), { ...deps, env: { KDLABS_QEMU_ACCEL: 'fast' } });
  assert.equal(odd.accel, 'tcg');
  assert.match(odd.reason, /KDLABS_QEMU_ACCEL=fast ignored/);
}));

test('KDLABS_QEMU_PROBE_SIMULATE=kvm-hang: a frozen probe VM even without /dev/kvm, TCG, and no cache either way', withCacheDir(async (dir) => {
  // A cached "KVM works" must not hide the simulated hang.
  const { deps: good } = fakeHost(booted);
  await decideAccelWith(opts(dir), good);
  const cacheBefore = readFileSync(join(dir, ACCEL_CACHE_FILE), 'utf8');
  const { deps, probes } = fakeHost(hang, { env: { KDLABS_QEMU_PROBE_SIMULATE: 'kvm-hang' }, kvmDeviceError: () => 'ENOENT' });
  const d = await decideAccelWith(opts(dir), deps);
  assert.equal(d.accel, 'tcg');
  assert.match(d.reason, /did not boot under KVM.*simulated by KDLABS_QEMU_PROBE_SIMULATE=kvm-hang/);
  assert.equal(probes.length, 1);
  assert.equal(probes[0]!.frozen, true);
  assert.equal(probes[0]!.accel, 'tcg', 'runs on any host');
  assert.equal(readFileSync(join(dir, ACCEL_CACHE_FILE), 'utf8'), cacheBefore, 'the cache is untouched');
}));

test('a broken cache file or an unreadable kernel does not throw', withCacheDir(async (dir) => {
  writeFileSync(join(dir, ACCEL_CACHE_FILE), '{ not json');
  const { deps, probes } = fakeHost(booted);
  assert.equal((await decideAccelWith(opts(dir), deps)).accel, 'kvm');
  assert.equal(probes.length, 1);
  const unreadable = await decideAccelWith(opts(dir), { ...deps, kernelSha256: () => { throw new Error('ENOENT: no such file'); } });
  assert.equal(unreadable.accel, 'tcg');
  assert.match(unreadable.fix ?? '', /labs\.mjs build/);
  const noQemu = await decideAccelWith(opts(dir), { ...deps, qemuVersion: () => null });
  assert.match(noQemu.fix ?? '', /apt-get install -y qemu-system-x86/);
}));

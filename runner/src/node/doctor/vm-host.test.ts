import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { AccelDecision } from '../backends/qemu/index.ts';
import { fakeHostIo } from './fake-host-io.ts';
import { checkKvm, decideKvm, decideQemu, kvmFix, parseCpuFlags } from './vm-host.ts';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const ran = (stdout: string, code = 0) => ({ ok: true as const, value: { code, stdout, stderr: '', timedOut: false } });
const enoent = { ok: false as const, code: 'ENOENT', message: 'spawn ENOENT' };
const noVmx = parseCpuFlags(fixture('cpuinfo-flags-vm-no-vmx.txt'));

test('QEMU: the recorded --version is ok and names the version', () => {
  const o = decideQemu('qemu-system-x86_64', ran(fixture('qemu-version.txt')), ran('qemu-img version 7.2.22\n'), 'qemu-img');
  assert.equal(o.status, 'ok');
  assert.equal(o.facts.version, 'QEMU 7.2.22');
});

test('QEMU: not installed, or without qemu-img: missing with the package to install', () => {
  const none = decideQemu('qemu-system-x86_64', enoent, enoent, 'qemu-img');
  assert.equal(none.status, 'missing');
  assert.match(none.fix ?? '', /apt-get install -y qemu-system-x86/);
  const noImg = decideQemu('qemu-system-x86_64', ran(fixture('qemu-version.txt')), enoent, 'qemu-img');
  assert.equal(noImg.status, 'missing');
  assert.equal(noImg.fix, 'apt-get install -y qemu-utils');
});

test('cpu flags of this host (a VM without vmx): the fix asks for nested virtualisation', () => {
  assert.deepEqual(noVmx, { vmx: false, svm: false, hypervisor: true });
  assert.match(kvmFix({ devKvmError: 'ENOENT', cpu: noVmx }), /nested virtualisation/);
  assert.equal(kvmFix({ devKvmError: 'ENOENT', cpu: { vmx: true, svm: false, hypervisor: false } }), 'modprobe kvm_intel');
  assert.equal(kvmFix({ devKvmError: 'ENOENT', cpu: { vmx: false, svm: true, hypervisor: false } }), 'modprobe kvm_amd');
});

const decision = (accel: 'kvm' | 'tcg', reason: string, cached = false): AccelDecision => ({ accel, reason, fix: accel === 'tcg' ? 'enable KVM' : null, cached, probedAt: '2026-01-02T03:04:05.000Z' });

test('KVM boots the lab kernel: ok, accel kvm', () => {
  const o = decideKvm({ devKvmError: null, cpu: { vmx: true, svm: false, hypervisor: false }, decision: { kind: 'decided', value: decision('kvm', 'KVM booted the lab kernel', true) } });
  assert.equal(o.status, 'ok');
  assert.equal(o.facts.accel, 'kvm');
  assert.match(o.detail, /remembered from the probe of 2026-01-02/);
});

test('the probe fell back to TCG: degraded, its reason and fix carried over', () => {
  const o = decideKvm({ devKvmError: null, cpu: noVmx, decision: { kind: 'decided', value: decision('tcg', 'the lab kernel did not boot under KVM') } });
  assert.equal(o.status, 'degraded');
  assert.equal(o.facts.accel, 'tcg');
  assert.equal(o.why, 'the lab kernel did not boot under KVM');
  assert.equal(o.fix, 'enable KVM');
});

test('no VM image yet and no /dev/kvm: not probed, still TCG, names the build command', async () => {
  let asked = false;
  const io = fakeHostIo({ files: { '/proc/cpuinfo': fixture('cpuinfo-flags-vm-no-vmx.txt') } });
  const o = await checkKvm({
    io, vmImage: () => null, accelCacheDir: '/nowhere', qemu: 'qemu-system-x86_64', vmLabs: ['driver-panic'],
    decideAccel: async () => { asked = true; return decision('kvm', 'should not be asked'); },
  });
  assert.equal(asked, false);
  assert.equal(o.status, 'degraded');
  assert.match(o.detail, /^not probed — the VM image is not built yet; `labs build driver-panic`/);
  assert.match(o.detail, /\/dev\/kvm missing/);
  assert.equal(o.facts.accel, 'tcg');
});

test('no VM image yet but /dev/kvm present: accelerator unknown', () => {
  const o = decideKvm({ devKvmError: null, cpu: noVmx, decision: { kind: 'no-image', vmLabs: ['driver-panic'] } });
  assert.equal(o.facts.accel, null);
  assert.equal(o.fix, 'labs build driver-panic');
});

test('a built image: the backend\'s decision is asked with its kernel and the cache folder', async () => {
  const seen: unknown[] = [];
  const io = fakeHostIo({ files: { '/dev/kvm': '', '/proc/cpuinfo': 'flags\t\t: fpu vmx\n' } });
  const o = await checkKvm({
    io, vmImage: () => ({ kernel: '/img/vmlinuz', initrd: '/img/initrd.img' }), accelCacheDir: '/data', qemu: 'q', vmLabs: ['driver-panic'],
    decideAccel: async (opts) => { seen.push(opts); return decision('kvm', 'booted'); },
  });
  assert.deepEqual(seen, [{ kernelPath: '/img/vmlinuz', initrdPath: '/img/initrd.img', cacheDir: '/data', qemuBinary: 'q' }]);
  assert.equal(o.status, 'ok');
});

test('a probe that throws is a finding', async () => {
  const io = fakeHostIo({ files: { '/dev/kvm': '', '/proc/cpuinfo': '' } });
  const o = await checkKvm({ io, vmImage: () => ({ kernel: 'k', initrd: 'i' }), accelCacheDir: '/d', qemu: 'q', vmLabs: [], decideAccel: async () => { throw new Error('boom'); } });
  assert.equal(o.status, 'degraded');
  assert.match(o.why ?? '', /boom/);
});

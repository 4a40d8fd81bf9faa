import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HOST_MEMORY_RESERVE_BYTES, labMemoryBytes, memoryRefusal, readHostMemory, VM_OVERHEAD_BYTES } from './memory-admission.ts';
import { SessionManager } from './session-manager.ts';
import { FakeBackend, fakeLab } from './fake-backend.test-support.ts';

const GIB = 1024 ** 3;

test('a lab is admitted while the host can hold every running lab\'s limit and has its own free now', () => {
  const host = { totalBytes: 24 * GIB, availableBytes: 20 * GIB };
  assert.equal(memoryRefusal('gc-stall', 1.5 * GIB, 15 * GIB, host), null);
  // Forty 1.5 GiB labs on 24 GiB: the 16th is refused, naming both sums.
  const full = memoryRefusal('gc-stall', 1.5 * GIB, 15 * 1.5 * GIB, host);
  assert.match(full!.en, /^lab gc-stall may use 1\.5 GiB, and the labs already running may use 22\.5 GiB: together more than this host's 24\.0 GiB less 1\.0 GiB/);
  const busy = memoryRefusal('gc-stall', 1.5 * GIB, 0, { totalBytes: 24 * GIB, availableBytes: 2 * GIB });
  assert.match(busy!.en, /only 2\.0 GiB available \(1\.0 GiB of it kept for the runner\); stop a lab or another program first$/);
  assert.match(busy!.ko, /2\.0 GiB뿐입니다/, 'in Korean too, with the same figures');
  assert.equal(memoryRefusal('x', 1 * GIB, 0, { totalBytes: 2 * GIB + HOST_MEMORY_RESERVE_BYTES, availableBytes: 2 * GIB + HOST_MEMORY_RESERVE_BYTES }), null, 'the edge fits');
});

test('a VM lab takes its guest RAM and QEMU; a container lab its memory limit', () => {
  const lab = fakeLab();
  assert.equal(labMemoryBytes(lab), lab.resources.memoryBytes);
  assert.equal(labMemoryBytes({ ...lab, backend: 'vm', vm: { memoryMb: 1024, cpus: 1, cmdline: [], prepare: null } }), GIB + VM_OVERHEAD_BYTES);
});

test('MemTotal and MemAvailable are read from meminfo; an unreadable one is unknown', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kdlabs-meminfo-'));
  try {
    const file = join(dir, 'meminfo');
    writeFileSync(file, 'MemTotal:       24576000 kB\nMemFree:         1000 kB\nMemAvailable:   20480000 kB\n');
    assert.deepEqual(readHostMemory(file), { totalBytes: 24576000 * 1024, availableBytes: 20480000 * 1024 });
    assert.equal(readHostMemory(join(dir, 'missing')), null);
    writeFileSync(file, 'MemTotal: 1 kB\n');
    assert.equal(readHostMemory(file), null, 'a kernel without MemAvailable');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the manager refuses a start the host cannot hold with a capacity error, and creates nothing', async () => {
  const backend = new FakeBackend();
  const lab = fakeLab(); // 64 MiB
  const host = { totalBytes: HOST_MEMORY_RESERVE_BYTES + 100 * 1024 * 1024, availableBytes: HOST_MEMORY_RESERVE_BYTES + 100 * 1024 * 1024 };
  const manager = new SessionManager({ runnerName: 'unit', labs: new Map([[lab.id, lab]]), backends: { container: backend }, resolveImage: async () => 'x', hostMemory: () => host });
  const first = manager.create(lab.id);
  assert.ok(first.ok);
  assert.ok((await first.value.ready).ok);
  const second = manager.create(lab.id);
  assert.ok(!second.ok);
  assert.equal(second.error.code, 'capacity');
  assert.match(second.error.message, /labs already running may use 0\.1 GiB/);
  assert.equal(manager.list().length, 1);
  await manager.shutdown();
});

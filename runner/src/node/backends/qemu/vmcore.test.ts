import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { qemuArgs } from './args.ts';
import { CRASH_DISK_GUEST_PATH, createCrashDisk, crashDiskArgs, guestCopyCommand, moveOntoCrashDisk } from './vmcore.ts';

test('the crash disk: a virtio disk the guest finds by its serial, and the vmcoreinfo device on every lab VM', () => {
  assert.deepEqual(crashDiskArgs('/d/crash-dump.img'), [
    '-drive', 'file=/d/crash-dump.img,if=none,id=crashdisk,format=raw,cache=writeback',
    '-device', 'virtio-blk-pci,drive=crashdisk,serial=kdlabs-crash,addr=0x11',
  ]);
  assert.equal(CRASH_DISK_GUEST_PATH, '/dev/disk/by-id/virtio-kdlabs-crash');
  const base = { name: 'n', accel: 'tcg' as const, memoryMb: 1024, cpus: 1, kernel: 'k', initrd: 'i', cmdline: [], overlay: 'o', labDisk: 'l', socketDir: 's' };
  const withDisk = qemuArgs({ ...base, crashDisk: '/d/c.img' });
  assert.ok(withDisk.join(' ').includes('serial=kdlabs-crash'));
  assert.ok(withDisk.includes('vmcoreinfo') && qemuArgs(base).includes('vmcoreinfo'));
  assert.ok(!qemuArgs(base).join(' ').includes('kdlabs-crash'), 'no crash disk unless asked for');
});

test('a dump goes onto the crash disk in place: the disk keeps its size, the host copy goes away', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vmcore-test-'));
  try {
    const disk = join(dir, 'crash-dump.img');
    createCrashDisk(disk, 16);
    const size = statSync(disk).size;
    assert.equal(size, (16 + 64) * 1024 * 1024);
    assert.ok(statSync(disk).blocks * 512 < 1024 * 1024, 'sparse: no space used before a dump');
    const core = join(dir, 'vmcore.1');
    const data = Buffer.alloc(5 * 1024 * 1024 + 123, 7);
    data.write('KDUMP   ', 0);
    writeFileSync(core, data);
    moveOntoCrashDisk({ path: core, bytes: data.length, ms: 1 }, disk);
    assert.equal(statSync(disk).size, size);
    assert.ok(readFileSync(disk).subarray(0, data.length).equals(data));
    assert.ok(!existsSync(core));
    writeFileSync(core, Buffer.alloc(size + 1));
    assert.throws(() => moveOntoCrashDisk({ path: core, bytes: size + 1, ms: 1 }, disk), /larger than the crash disk/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the guest copies exactly the dump\'s bytes off the crash disk, root-only like kdump-tools', () => {
  const cmd = guestCopyCommand(4096, '/var/crash/202612020830/dump.202612020830');
  assert.equal(cmd[0], 'sh');
  assert.match(cmd[2]!, /umask 077/);
  assert.match(cmd[2]!, /iflag=count_bytes/);
  assert.deepEqual(cmd.slice(3), ['sh', CRASH_DISK_GUEST_PATH, '/var/crash/202612020830/dump.202612020830', '4096']);
});

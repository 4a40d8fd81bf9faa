import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { qemuArgs } from './args.ts';
import { spawnSync } from 'node:child_process';
import { REPO_ROOT } from '../../util/paths.ts';
import { createCrashDisk, crashDiskArgs, crashDiskHeader, writeCrashDisk } from './vmcore.ts';

test('the crash disk: a virtio disk the guest finds by its serial, and the vmcoreinfo device on every lab VM', () => {
  assert.deepEqual(crashDiskArgs('/d/crash-dump.img'), [
    '-drive', 'file=/d/crash-dump.img,if=none,id=crashdisk,format=raw,cache=writeback',
    '-device', 'virtio-blk-pci,drive=crashdisk,serial=kdlabs-crash,addr=0x11',
  ]);
  const base = { name: 'n', accel: 'tcg' as const, memoryMb: 1024, cpus: 1, kernel: 'k', initrd: 'i', cmdline: [], overlay: 'o', labDisk: 'l', socketDir: 's' };
  const withDisk = qemuArgs({ ...base, crashDisk: '/d/c.img' });
  assert.ok(withDisk.join(' ').includes('serial=kdlabs-crash'));
  assert.ok(withDisk.includes('vmcoreinfo') && qemuArgs(base).includes('vmcoreinfo'));
  assert.ok(!qemuArgs(base).join(' ').includes('kdlabs-crash'), 'no crash disk unless asked for');
});

/** The guest's copier, run on the host against a disk file (its test hook), to prove both sides read one layout. */
const COPIER = join(REPO_ROOT, 'vm-images/vm/files/usr/local/sbin/kdlabs-crash-record');
function runCopier(root: string) {
  return spawnSync('bash', [COPIER], { env: { ...process.env, KDLABS_CRASH_TEST_ROOT: root }, encoding: 'utf8' });
}

test('a crash record written by the runner is copied by the guest\'s copier into /var/crash, once, root-only for the dump', () => {
  const root = mkdtempSync(join(tmpdir(), 'vmcore-test-'));
  try {
    const disk = join(root, 'disk');
    createCrashDisk(disk, 16);
    const size = statSync(disk).size;
    assert.equal(size, (1 + 16 + 64) * 1024 * 1024);
    assert.ok(statSync(disk).blocks * 512 < 1024 * 1024, 'sparse: no space used before a dump');
    assert.equal(runCopier(root).status, 0, 'a fresh disk holds no record: nothing to do');
    assert.ok(!existsSync(join(root, 'var')));

    const core = join(root, 'vmcore.1');
    const data = Buffer.alloc(5 * 1024 * 1024 + 123, 7);
    data.write('KDUMP   ', 0);
    writeFileSync(core, data);
    const dmesg = '[   46.2] BUG: kernel NULL pointer dereference, address: 0000000000000004\n[   46.3] Kernel panic - not syncing: Fatal exception\n';
    writeCrashDisk(disk, '202612021225', dmesg, { path: core, bytes: data.length, ms: 1 });
    assert.equal(statSync(disk).size, size, 'the disk keeps its size');
    assert.ok(!existsSync(core), 'the host copy is gone: the disk holds it');

    const r = runCopier(root);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.stdout.includes(`dmesg.202612021225, dump.202612021225 (${data.length} bytes)`), r.stdout);
    const dir = join(root, 'var/crash/202612021225');
    assert.equal(readFileSync(join(dir, 'dmesg.202612021225'), 'utf8'), dmesg);
    assert.ok(readFileSync(join(dir, 'dump.202612021225')).equals(data));
    assert.equal(statSync(join(dir, 'dump.202612021225')).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, 'dmesg.202612021225')).mode & 0o777, 0o644);
    assert.deepEqual(readdirSync(dir).sort(), ['dmesg.202612021225', 'dump.202612021225'], 'no .part file left');

    // Copied once: the header is cleared. A second panic without a dump brings only its dmesg.
    rmSync(join(root, 'var'), { recursive: true });
    assert.equal(runCopier(root).status, 0);
    assert.ok(!existsSync(join(root, 'var')));
    writeCrashDisk(disk, '20261202123015', 'second\n', null);
    assert.equal(runCopier(root).status, 0);
    assert.deepEqual(readdirSync(join(root, 'var/crash/20261202123015')), ['dmesg.20261202123015']);

    writeFileSync(core, Buffer.alloc(size));
    assert.throws(() => writeCrashDisk(disk, '202612021231', '', { path: core, bytes: size, ms: 1 }), /larger than the crash disk/);
    assert.throws(() => crashDiskHeader('../../etc', 1, 1), /12–14 digits/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

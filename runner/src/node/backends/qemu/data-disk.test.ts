import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataDiskSchema } from '../../../common/lab-schema.ts';
import { DATA_DISK_FILE, dataDiskArgs, prepareDataDisk } from './data-disk.ts';
import { stateKey, type StateKeyInput } from './saved-state.ts';

test('data disk arguments: QEMU throttling only for the limits the lab sets', () => {
  const [flag, drive, dev, device] = dataDiskArgs({ file: '/s/data.qcow2', spec: { sizeMb: 64, iops: 150 } });
  assert.equal(flag, '-drive');
  assert.equal(drive, 'file=/s/data.qcow2,if=none,id=data,format=qcow2,cache=unsafe,throttling.iops-total=150');
  assert.deepEqual([dev, device], ['-device', 'virtio-blk-pci,drive=data,serial=kdlabs-data,addr=0x10']);
  assert.doesNotMatch(dataDiskArgs({ file: '/f', spec: { sizeMb: 64 } })[1]!, /throttling/, 'no limits: not throttled');
  assert.match(dataDiskArgs({ file: '/f', spec: { sizeMb: 64, bps: 1048576 } })[1]!, /,throttling\.bps-total=1048576$/);
});

test('vm.dataDisk in lab.yaml: size required, limits optional, each with a message that says what is expected', () => {
  assert.ok(dataDiskSchema.safeParse({ sizeMb: 512, iops: 200, bps: 8388608 }).success);
  assert.ok(dataDiskSchema.safeParse({ sizeMb: 512 }).success);
  const problem = (v: unknown): string => {
    const r = dataDiskSchema.safeParse(v);
    assert.ok(!r.success, `${JSON.stringify(v)} should be refused`);
    return r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
  };
  assert.match(problem({ iops: 200 }), /^sizeMb: /);
  assert.match(problem({ sizeMb: 8 }), /sizeMb: expected at least 16/);
  assert.match(problem({ sizeMb: 100000 }), /sizeMb: expected at most 8192/);
  assert.match(problem({ sizeMb: 64, iops: 2.5 }), /iops: expected whole/);
  assert.match(problem({ sizeMb: 64, iops: 1 }), /iops: expected at least 10/);
  assert.match(problem({ sizeMb: 64, bps: 100 }), /bps: expected at least 65536/);
  assert.match(problem({ sizeMb: 64, size: '1g' }), /size|unrecognized/i, 'unknown keys are refused (strict)');
});

test('a saved state\'s key changes with the data disk: size, limits, or none', () => {
  const base: StateKeyInput = { qemuVersion: 'q', imageHash: 'i', labFilesHash: '', prepare: null, vm: { accel: 'tcg', memoryMb: 1024, cpus: 1, cmdline: [] } };
  const keys = new Set([
    base, { ...base, vm: { ...base.vm, dataDisk: null } },
  ].map(stateKey));
  assert.equal(keys.size, 1, 'null and absent are the same: no data disk');
  const withDisk = [
    { sizeMb: 512 }, { sizeMb: 256 }, { sizeMb: 512, iops: 200 }, { sizeMb: 512, iops: 200, bps: 8388608 },
  ].map((dataDisk) => stateKey({ ...base, vm: { ...base.vm, dataDisk } }));
  assert.equal(new Set([...keys, ...withDisk]).size, 5);
});

test('a session\'s data disk: none, a fresh empty disk of the lab\'s size, or an error for a state without one', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kdlabs-data-disk-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  assert.deepEqual(await prepareDataDisk(null, dir, null), { ok: true, disk: null });
  assert.deepEqual(await prepareDataDisk(undefined, dir, { savedDisk: null }), { ok: true, disk: null });
  const spec = { sizeMb: 64, iops: 200 };
  const made = await prepareDataDisk(spec, dir, null);
  assert.deepEqual(made, { ok: true, disk: { file: join(dir, DATA_DISK_FILE), spec } });
  assert.ok(statSync(join(dir, DATA_DISK_FILE)).size < 1024 * 1024, 'sparse: the qcow2 holds no data yet');
  const restored = await prepareDataDisk(spec, join(dir, 'nowhere'), { savedDisk: null });
  assert.equal(restored.ok, false);
  assert.match(!restored.ok ? restored.message : '', /saved state has no data disk/);
  assert.ok(!existsSync(join(dir, 'nowhere')));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labFilesHash, pruneSavedStates, readSavedState, SAVED_STATE_FORMAT, stateKey, statePaths, statesDir, type StateKeyInput } from './saved-state.ts';

const base: StateKeyInput = {
  qemuVersion: 'QEMU 7.2.22', imageHash: '644d72c3f312', labFilesHash: 'abc', prepare: null,
  vm: { accel: 'tcg', memoryMb: 1024, cpus: 1, cmdline: ['root=/dev/vda', 'systemd.hostname=driver-panic', 'oops=panic'] },
};

test('the state key: stable, and different when anything the saved guest depends on changes', () => {
  const k = stateKey(base);
  assert.match(k, /^[0-9a-f]{16}$/);
  assert.equal(stateKey(structuredClone(base)), k);
  const variants: StateKeyInput[] = [
    { ...base, qemuVersion: 'QEMU 8.2.0' },
    { ...base, imageHash: 'ffffffffffff' },
    { ...base, labFilesHash: 'abd' },
    { ...base, prepare: 'make -C /root/faulty\n' },
    { ...base, vm: { ...base.vm, accel: 'kvm' } },
    { ...base, vm: { ...base.vm, memoryMb: 2048 } },
    { ...base, vm: { ...base.vm, cpus: 2 } },
    { ...base, vm: { ...base.vm, cmdline: [...base.vm.cmdline, 'quiet'] } },
  ];
  const keys = new Set([k, ...variants.map(stateKey)]);
  assert.equal(keys.size, variants.length + 1);
});

test('a saved state is found only when complete and of this format and key', (t) => {
  const data = mkdtempSync(join(tmpdir(), 'kdlabs-states-'));
  t.after(() => rmSync(data, { recursive: true, force: true }));
  const key = stateKey(base);
  const p = statePaths(join(statesDir(data), key));
  mkdirSync(p.dir, { recursive: true });
  for (const f of [p.ram, p.state, p.disk, p.labDisk]) writeFileSync(f, 'x');
  assert.equal(readSavedState(data, key), null, 'no meta.json: a save that did not finish');
  const meta = { format: SAVED_STATE_FORMAT, key, labId: 'driver-panic', imageHash: 'i', qemu: 'q', accel: 'tcg', memoryMb: 1024, savedAt: '', bootMs: 1 };
  writeFileSync(p.metaFile, JSON.stringify(meta));
  assert.equal(readSavedState(data, key)?.ram, p.ram);
  assert.equal(readSavedState(data, 'another'), null);
  writeFileSync(p.metaFile, JSON.stringify({ ...meta, format: SAVED_STATE_FORMAT + 1 }));
  assert.equal(readSavedState(data, key), null, 'an older or newer format is not restored');
  writeFileSync(p.metaFile, JSON.stringify(meta));
  rmSync(p.state);
  assert.equal(readSavedState(data, key), null, 'a missing file');
});

test('the lab files hash follows names, modes and contents', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kdlabs-labfiles-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  assert.equal(labFilesHash(null), '');
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'src', 'a.c'), 'int x;');
  const h = labFilesHash(dir);
  assert.equal(labFilesHash(dir), h);
  writeFileSync(join(dir, 'src', 'a.c'), 'int y;');
  const h2 = labFilesHash(dir);
  assert.notEqual(h2, h);
  chmodSync(join(dir, 'src', 'a.c'), 0o755);
  assert.notEqual(labFilesHash(dir), h2);
});

test('pruning keeps the new state, other labs\' states and saves under way; removes the lab\'s older ones', (t) => {
  const data = mkdtempSync(join(tmpdir(), 'kdlabs-prune-'));
  t.after(() => rmSync(data, { recursive: true, force: true }));
  const put = (name: string, labId: string | null): void => {
    mkdirSync(join(statesDir(data), name), { recursive: true });
    if (labId) writeFileSync(join(statesDir(data), name, 'meta.json'), JSON.stringify({ labId }));
  };
  put('new', 'driver-panic');
  put('old1', 'driver-panic');
  put('old2', 'driver-panic');
  put('other', 'hung-task');
  put('new.saving-123', 'driver-panic');
  put('broken', null);
  assert.deepEqual(pruneSavedStates(data, 'driver-panic', 'new').sort(), ['old1', 'old2']);
  assert.deepEqual(readdirSync(statesDir(data)).sort(), ['broken', 'new', 'new.saving-123', 'other']);
  assert.deepEqual(pruneSavedStates(join(data, 'none'), 'driver-panic', 'new'), []);
});

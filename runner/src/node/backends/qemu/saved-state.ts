// Saved VM states: a lab VM booted once to its logged-in console with the
// guest agent answering, then saved (save.ts), so later sessions restore it in
// well under a second instead of booting for a minute on TCG (vm.ts).
//
//   <dataDir>/vm-states/<key>/
//     ram.bin     the guest's RAM (the memory backend file; restored MAP_PRIVATE, never written again)
//     state.bin   the device state: QEMU's migration stream with RAM left out (x-ignore-shared)
//     disk.qcow2  the root disk as at the save (overlay on the image's rootfs; sessions overlay it)
//     lab.img     the lab's files disk as at the save (the guest has it mounted; shared read-only)
//     data.qcow2  the lab's data disk as at the save, when the lab has one (data-disk.ts; sessions overlay it)
//     meta.json   written last: a folder without it is incomplete and ignored
//
// One state per lab (not per image): the lab's files disk, host name and kernel
// parameters are part of the running guest, and the files disk is mounted, so
// its contents cannot be swapped under the guest after a restore.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { qemuArgs, type VmArgsInput } from './args.ts';
import { DATA_DISK_FILE, type DataDiskSpec } from './data-disk.ts';
import type { PrepareRecords } from './prepare-records.ts';

/** Bump when what a state holds or how it is restored changes without changing the QEMU arguments. */
export const SAVED_STATE_FORMAT = 2; // 2: prepare's records kept in meta.json
/** Migration capabilities of both ends: RAM is the shared file, not part of the stream. */
export const MIGRATION_CAPABILITIES = [{ capability: 'x-ignore-shared', state: true }] as const;

export const STATE_FILES = { ram: 'ram.bin', state: 'state.bin', disk: 'disk.qcow2', labDisk: 'lab.img', dataDisk: DATA_DISK_FILE, meta: 'meta.json' } as const;

export interface SavedStateMeta {
  format: number;
  key: string;
  labId: string;
  imageHash: string;
  qemu: string;
  accel: string;
  memoryMb: number;
  savedAt: string;
  /** How long the boot before the save took (ms), for the log and the bench. */
  bootMs: number;
  /** How long the lab's vm.prepare took in the saved guest (ms; 0 without one). */
  prepareMs?: number;
  /** What that prepare recorded for the checks (prepare-records.ts). */
  records?: PrepareRecords;
}

export interface SavedState {
  dir: string;
  ram: string;
  state: string;
  disk: string;
  labDisk: string;
  /** The data disk at the save; null when the state has none (its lab has no vm.dataDisk). */
  dataDisk: string | null;
  meta: SavedStateMeta;
}

export interface StateKeyInput {
  qemuVersion: string;
  imageHash: string;
  /** Hash of the lab's files (labFilesHash), '' when it has none. */
  labFilesHash: string;
  /** The lab's `vm.prepare` script (it ran in the saved guest), null when it has none. */
  prepare: string | null;
  /** The VM's arguments: machine, CPU model, accelerator, memory, CPUs, kernel command line, devices. */
  vm: Pick<VmArgsInput, 'accel' | 'memoryMb' | 'cpus' | 'cmdline'> & { dataDisk?: DataDiskSpec | null };
}

/** Placeholder paths: the key covers the device set and settings, not where this runner keeps files. */
const KEY_PATHS = { name: 'k', kernel: 'K', initrd: 'I', overlay: 'O', labDisk: 'L', socketDir: 'S', crashDisk: 'C' } as const;

/**
 * The key of a saved state: everything the saved guest depends on. The QEMU
 * arguments themselves are hashed (with placeholder paths), so any change of
 * devices, CPU model, accelerator, memory or command line makes a new key.
 */
export function stateKey(k: StateKeyInput): string {
  const { dataDisk, ...vm } = k.vm;
  const args = qemuArgs({
    ...KEY_PATHS, ...vm, ramFile: { path: 'R', shared: false }, incoming: true, dataDisk: dataDisk ? { file: 'D', spec: dataDisk } : null,
  });
  // The data disk's size is not in the arguments (it is the saved disk's own): hashed beside them.
  const disk = dataDisk ? { dataDiskMb: dataDisk.sizeMb } : {};
  const h = createHash('sha256').update(JSON.stringify({ format: SAVED_STATE_FORMAT, qemu: k.qemuVersion, image: k.imageHash, lab: k.labFilesHash, prepare: k.prepare, args, ...disk }));
  return h.digest('hex').slice(0, 16);
}

export const statesDir = (dataDir: string): string => join(dataDir, 'vm-states');

export function statePaths(dir: string): Omit<SavedState, 'meta' | 'dataDisk'> & { dataDisk: string; metaFile: string } {
  return {
    dir, ram: join(dir, STATE_FILES.ram), state: join(dir, STATE_FILES.state), disk: join(dir, STATE_FILES.disk),
    labDisk: join(dir, STATE_FILES.labDisk), dataDisk: join(dir, STATE_FILES.dataDisk), metaFile: join(dir, STATE_FILES.meta),
  };
}

/** The complete saved state for `key`, or null. */
export function readSavedState(dataDir: string, key: string): SavedState | null {
  const p = statePaths(join(statesDir(dataDir), key));
  try {
    const meta = JSON.parse(readFileSync(p.metaFile, 'utf8')) as SavedStateMeta;
    if (meta.format !== SAVED_STATE_FORMAT || meta.key !== key) return null;
    if (![p.ram, p.state, p.disk, p.labDisk].every((f) => existsSync(f))) return null;
    return { dir: p.dir, ram: p.ram, state: p.state, disk: p.disk, labDisk: p.labDisk, dataDisk: existsSync(p.dataDisk) ? p.dataDisk : null, meta };
  } catch {
    return null;
  }
}

/** A hash of a folder's file names, modes and contents ('' for none): the lab's files disk is made from it. */
export function labFilesHash(dir: string | null): string {
  if (!dir) return '';
  const h = createHash('sha256');
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(d, e.name);
      if (e.isDirectory()) { h.update(`d ${relative(dir, p)}\n`); walk(p); } else if (e.isFile()) {
        h.update(`f ${relative(dir, p)} ${statSync(p).mode & 0o777}\n`);
        h.update(readFileSync(p));
      }
    }
  };
  walk(dir);
  return h.digest('hex');
}

/**
 * Removes the lab's other saved states (an older image, QEMU or lab version):
 * each holds ~330 MB. Safe under running sessions restored from one: QEMU
 * keeps its files open, and an unlinked file lives until it closes them.
 * Returns the keys removed.
 */
export function pruneSavedStates(dataDir: string, labId: string, keep: string): string[] {
  const base = statesDir(dataDir);
  if (!existsSync(base)) return [];
  const removed: string[] = [];
  for (const name of readdirSync(base)) {
    if (name === keep || name.includes('.saving-')) continue;
    try {
      const meta = JSON.parse(readFileSync(join(base, name, STATE_FILES.meta), 'utf8')) as Partial<SavedStateMeta>;
      if (meta.labId !== labId) continue;
    } catch {
      continue; // not a complete state of ours: leave it
    }
    rmSync(join(base, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

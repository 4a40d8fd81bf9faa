// The disks of one lab VM: a qcow2 overlay on the shared, read-only base image
// (thrown away with the session), and the lab's own files with the checks' tool
// set as a small read-only ext4 disk mounted at /opt/lab. Failures come back as
// messages, never thrown.
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GUEST_CHECK_TOOLS_DIR, GUEST_LAB_DIR } from '../../images/vm-check-tools.ts';
import { QEMU_IMG } from './host-probe.ts';

/** Smallest lab files disk; ext4 wants a few MiB for itself. */
const LAB_DISK_MIN_MB = 8;
/** Inodes beyond twice the staged entries: mkfs's own (root, lost+found) and slack. */
const LAB_DISK_SPARE_INODES = 64;
/** The tool set's folder on the disk, which the guest mounts at GUEST_LAB_DIR. */
const GUEST_CHECK_TOOLS_NAME = GUEST_CHECK_TOOLS_DIR.slice(GUEST_LAB_DIR.length + 1);

/**
 * The session's copy-on-write disk over `backing`: the image's raw rootfs on a
 * cold boot, a saved state's qcow2 disk on a restore. Returns an error message or null.
 */
export async function createOverlay(backing: string, overlay: string, backingFormat: 'raw' | 'qcow2' = 'raw'): Promise<string | null> {
  const err = await runTool(QEMU_IMG, ['create', '-q', '-f', 'qcow2', '-b', backing, '-F', backingFormat, overlay]);
  return err ? `qemu-img could not create the disk overlay: ${err}` : null;
}

/**
 * labs/<id>/image/ (or nothing) plus the checks' tool set (`checkTools`, from the VM
 * image) as `.kdlabs-check/`, as an ext4 image at `file`. Returns an error message or null.
 */
export async function makeLabDisk(labDir: string | null, checkTools: string, file: string): Promise<string | null> {
  const src = mkdtempSync(join(tmpdir(), 'kdlabs-labdisk-'));
  try {
    // verbatimSymlinks: busybox's applets stay links to `busybox`, not copies of it.
    if (labDir) cpSync(labDir, src, { recursive: true, verbatimSymlinks: true });
    cpSync(checkTools, join(src, GUEST_CHECK_TOOLS_NAME), { recursive: true, verbatimSymlinks: true });
    const { bytes, entries } = dirSize(src);
    const sizeMb = Math.ceil((bytes * 2) / 1024 / 1024) + LAB_DISK_MIN_MB;
    const err = await runTool('mkfs.ext4', [
      '-q', '-F', '-L', 'kdlabs-lab', '-O', '^has_journal', '-N', String(entries * 2 + LAB_DISK_SPARE_INODES),
      '-d', src, '-E', 'root_owner=0:0', file, `${sizeMb}M`,
    ]);
    return err ? `mkfs.ext4 could not make the lab files disk: ${err} (install e2fsprogs)` : null;
  } finally {
    rmSync(src, { recursive: true, force: true });
  }
}

/** Bytes of regular files and the number of entries (each needs an inode) under `dir`. */
function dirSize(dir: string): { bytes: number; entries: number } {
  let bytes = 0, entries = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    entries += 1;
    if (e.isDirectory()) {
      const sub = dirSize(p);
      bytes += sub.bytes;
      entries += sub.entries;
    } else if (e.isFile()) bytes += statSync(p).size;
  }
  return { bytes, entries };
}

/** Runs a helper program; resolves with its error output on failure, null on success. */
function runTool(cmd: string, args: string[]): Promise<string | null> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('error', (e) => resolve(`${cmd} could not start (${e.message})`));
    child.on('close', (code) => resolve(code === 0 ? null : err.trim() || `${cmd} exited ${code}`));
  });
}

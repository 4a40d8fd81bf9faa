// The disks of one lab VM: a qcow2 overlay on the shared, read-only base image
// (thrown away with the session), and the lab's own files as a small read-only
// ext4 disk mounted at /opt/lab. Failures come back as messages, never thrown.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QEMU_IMG } from './host-probe.ts';

/** Smallest lab files disk; ext4 wants a few MiB for itself. */
const LAB_DISK_MIN_MB = 8;

/**
 * The session's copy-on-write disk over `backing`: the image's raw rootfs on a
 * cold boot, a saved state's qcow2 disk on a restore. Returns an error message or null.
 */
export async function createOverlay(backing: string, overlay: string, backingFormat: 'raw' | 'qcow2' = 'raw'): Promise<string | null> {
  const err = await runTool(QEMU_IMG, ['create', '-q', '-f', 'qcow2', '-b', backing, '-F', backingFormat, overlay]);
  return err ? `qemu-img could not create the disk overlay: ${err}` : null;
}

/** labs/<id>/image/ (or nothing) as an ext4 image at `file`. Returns an error message or null. */
export async function makeLabDisk(labDir: string | null, file: string): Promise<string | null> {
  const src = labDir ?? mkdtempSync(join(tmpdir(), 'kdlabs-nolab-'));
  try {
    const sizeMb = Math.ceil((dirBytes(src) * 2) / 1024 / 1024) + LAB_DISK_MIN_MB;
    const err = await runTool('mkfs.ext4', ['-q', '-F', '-L', 'kdlabs-lab', '-O', '^has_journal', '-d', src, '-E', 'root_owner=0:0', file, `${sizeMb}M`]);
    return err ? `mkfs.ext4 could not make the lab files disk: ${err} (install e2fsprogs)` : null;
  } finally {
    if (!labDir) rmSync(src, { recursive: true, force: true });
  }
}

function dirBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    n += e.isDirectory() ? dirBytes(p) : e.isFile() ? statSync(p).size : 0;
  }
  return n;
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

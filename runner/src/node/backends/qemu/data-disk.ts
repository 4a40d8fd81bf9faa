// A VM lab's data disk (lab.yaml `vm.dataDisk`): one more virtio disk per
// session, empty at the first boot, optionally throttled by QEMU (requests and
// bytes per second) so that the device is what a lab's workload waits on.
// The guest finds it by its serial: /dev/disk/by-id/virtio-kdlabs-data.
//
// Its life follows the root disk's: a cold boot gets a fresh empty disk in the
// session folder; a saved state keeps the disk it had at the save
// (saved-state.ts) and each restored session gets its own overlay on it, so a
// restored guest sees exactly the disk it had.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { DataDiskSpec } from '../../../common/lab-schema.ts';
import { createOverlay } from './disks.ts';
import { QEMU_IMG } from './host-probe.ts';

export type { DataDiskSpec };

/** virtio-blk serial of the data disk; udev names it /dev/disk/by-id/virtio-<serial>. */
export const DATA_DISK_SERIAL = 'kdlabs-data';
/** The data disk's file in a session folder and in a saved state's folder. */
export const DATA_DISK_FILE = 'data.qcow2';
/** QEMU's id of the data disk's block backend (`-drive id=`, `-device drive=`). */
const DRIVE_ID = 'data';
/**
 * Its PCI slot. Without one, a `-device` gets a slot before every `-drive
 * if=virtio` disk (QEMU creates those after the command line's devices), so it
 * would become /dev/vda and the root disk /dev/vdb. Slot 16 comes after the
 * handful of devices the runner adds: the guest names it /dev/vdc.
 */
const PCI_ADDR = '0x10';

/** What qemuArgs needs: the disk file and its limits. */
export interface VmDataDisk {
  file: string;
  spec: DataDiskSpec;
}

/**
 * The QEMU arguments of the data disk: a block backend with QEMU's throttling
 * (throttling.iops-total / bps-total count reads and writes together) and a
 * virtio-blk device carrying the serial the guest finds it by.
 */
export function dataDiskArgs(d: VmDataDisk): string[] {
  const drive = [
    `file=${d.file}`, 'if=none', `id=${DRIVE_ID}`, 'format=qcow2',
    // Thrown away with the session, like the root overlay: no need to flush it to the host's disk.
    'cache=unsafe',
    ...(d.spec.iops !== undefined ? [`throttling.iops-total=${d.spec.iops}`] : []),
    ...(d.spec.bps !== undefined ? [`throttling.bps-total=${d.spec.bps}`] : []),
  ];
  return ['-drive', drive.join(','), '-device', `virtio-blk-pci,drive=${DRIVE_ID},serial=${DATA_DISK_SERIAL},addr=${PCI_ADDR}`];
}

/**
 * This session's data disk in `sessionDir`: an overlay on the saved state's
 * disk when restoring (`savedDisk`), else a fresh empty disk. `savedDisk` null
 * on a restore means the state has none (made before the lab had one): an error,
 * so the backend boots instead.
 */
export async function prepareDataDisk(
  spec: DataDiskSpec | null | undefined, sessionDir: string, restore: { savedDisk: string | null } | null,
): Promise<{ ok: true; disk: VmDataDisk | null } | { ok: false; message: string }> {
  if (!spec) return { ok: true, disk: null };
  const file = join(sessionDir, DATA_DISK_FILE);
  if (restore && !restore.savedDisk) return { ok: false, message: 'the saved state has no data disk' };
  const err = restore ? await createOverlay(restore.savedDisk!, file, 'qcow2') : await createEmptyDisk(file, spec.sizeMb);
  return err ? { ok: false, message: err } : { ok: true, disk: { file, spec } };
}

/** A new, empty (sparse) qcow2 disk of `sizeMb` MiB. Returns an error message or null. */
export function createEmptyDisk(file: string, sizeMb: number): Promise<string | null> {
  return new Promise((resolve) => {
    const child = spawn(QEMU_IMG, ['create', '-q', '-f', 'qcow2', file, `${sizeMb}M`], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('error', (e) => resolve(`qemu-img could not start (${e.message})`));
    child.on('close', (code) => resolve(code === 0 ? null : `qemu-img could not create the data disk: ${err.trim() || `exit ${code}`}`));
  });
}

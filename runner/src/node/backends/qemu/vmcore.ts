// The memory dump of a panicked guest, the way kdump would leave it: the
// runner takes it from outside with QMP dump-guest-memory (kdump-compressed,
// zlib: the format makedumpfile writes and crash reads; zero pages are not
// stored) while the guest sits paused at its panic, then hands it to the
// rebooted guest through a small extra disk that only exists for this:
//   panic → dump to <session>/crash/vmcore.<stamp> → the crash disk gets the
//   dump, the console's dmesg and a header → reset → early in the guest's
//   boot, before the console's login, kdlabs-crash-record (vm-images/vm)
//   copies them to /var/crash/<stamp>/{dmesg,dump}.<stamp> and clears the
//   header. As with kdump, the record is there by the time a shell is.
// Why not kdump in the guest: it reserves crashkernel= memory (~256 MiB of a
// 1 GiB VM, for good) and boots a second kernel after every panic (a minute
// more on TCG); the runner already owns the panic (pvpanic), and QEMU can read
// the guest's RAM with no help from the dying kernel. The guest's vmcoreinfo
// (kernel version, KASLR offset, phys_base) reaches the dump through QEMU's
// `vmcoreinfo` device, which is how crash finds its way in the dump.
import { closeSync, ftruncateSync, openSync, readSync, rmSync, statSync, writeSync } from 'node:fs';
import type { QmpClient } from './qmp.ts';
import { sleep } from './qmp.ts';

/** The crash disk's serial: the guest finds the disk by it (/sys/block/vdX/serial). */
export const CRASH_DISK_SERIAL = 'kdlabs-crash';
/** A kdump-compressed dump is at most the guest's RAM plus its headers and bitmaps; this much room is left on top. */
const CRASH_DISK_SPARE_MB = 64;
/**
 * The crash disk's layout, read by the guest's kdlabs-crash-record: a text
 * header in the first block, the dmesg text from DMESG_OFFSET, the dump from
 * DUMP_OFFSET (1 MiB: room for any console tail, and `dd bs=1M skip=1`).
 */
export const CRASH_HEADER_BYTES = 4096;
const DMESG_OFFSET = CRASH_HEADER_BYTES;
const DUMP_OFFSET = 1024 * 1024;
/** The header's first line; the guest copies nothing unless it starts so. */
const CRASH_HEADER_MAGIC = 'kdlabs-crash 1';
/** How often a running dump is asked how far it got. */
const DUMP_POLL_MS = 250;
/**
 * query-dump says `completed` from the dump thread before that thread closes
 * the file and raises DUMP_COMPLETED; the event is the real end. It follows
 * within milliseconds; this bounds the wait on a starved host.
 */
const DUMP_EVENT_GRACE_MS = 10_000;
/** Copy chunk from the host dump onto the crash disk. */
const COPY_CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * PCI slot of the crash disk. QEMU creates `-device`s before `-drive if=virtio`
 * disks, so without a slot of its own the crash disk would take the first one
 * and the guest would probe it first: it would be /dev/vda, not the root disk.
 * A high slot makes it the last virtio disk the guest finds (vdc, or vdd after a data disk).
 */
const CRASH_DISK_PCI_SLOT = '0x11'; // after the data disk's 0x10 (data-disk.ts)

/** QEMU arguments of the crash disk: raw, never mounted by the guest, named by its serial. */
export function crashDiskArgs(path: string): string[] {
  return [
    '-drive', `file=${path},if=none,id=crashdisk,format=raw,cache=writeback`,
    '-device', `virtio-blk-pci,drive=crashdisk,serial=${CRASH_DISK_SERIAL},addr=${CRASH_DISK_PCI_SLOT}`,
  ];
}

/** A sparse file big enough for a dump of `memoryMb` of RAM: costs no disk space until a dump is written into it. */
export function createCrashDisk(path: string, memoryMb: number): void {
  const fd = openSync(path, 'w');
  try { ftruncateSync(fd, DUMP_OFFSET + (memoryMb + CRASH_DISK_SPARE_MB) * 1024 * 1024); } finally { closeSync(fd); }
}

export interface Vmcore { path: string; bytes: number; ms: number }

interface DumpStatus { status: 'none' | 'active' | 'completed' | 'failed'; completed: number; total: number }

/**
 * Dumps the guest's memory into `path` (kdump-zlib), reporting progress;
 * resolves when QEMU finished it. Throws with QEMU's reason when it fails.
 */
export async function dumpGuestMemory(qmp: QmpClient, path: string, timeoutMs: number, onProgress: (pct: number) => void = () => {}): Promise<Vmcore> {
  const t0 = Date.now();
  const finished = qmp.nextEvent('DUMP_COMPLETED', timeoutMs);
  // detach: QMP stays free (events, other commands) while QEMU writes; query-dump says how far it is.
  await qmp.execute('dump-guest-memory', { paging: false, protocol: `file:${path}`, format: 'kdump-zlib', detach: true });
  let lastPct = -1;
  for (;;) {
    const s = await qmp.execute<DumpStatus>('query-dump');
    if (s.status === 'completed') {
      const e = await Promise.race([finished, sleep(DUMP_EVENT_GRACE_MS).then(() => null)]);
      const error = e?.data?.error;
      if (typeof error === 'string') throw new Error(`QEMU could not write the memory dump: ${error}`);
      break;
    }
    if (s.status === 'failed') throw new Error('QEMU could not write the memory dump (query-dump: failed)');
    const pct = s.total ? Math.floor((s.completed / s.total) * 100) : 0;
    if (pct !== lastPct) { lastPct = pct; onProgress(pct); }
    if (Date.now() - t0 > timeoutMs) throw new Error(`the memory dump did not finish within ${timeoutMs / 1000} s (${pct}%)`);
    await sleep(DUMP_POLL_MS);
  }
  return { path, bytes: statSync(path).size, ms: Date.now() - t0 };
}

/** The header the guest reads: what to copy, where from, under which name. */
export function crashDiskHeader(stamp: string, dmesgBytes: number, dumpBytes: number): Buffer {
  if (!/^\d{12,14}$/.test(stamp)) throw new Error(`a crash stamp is 12–14 digits (YYYYMMDDHHMM[SS]), not "${stamp}"`);
  const text = `${CRASH_HEADER_MAGIC}\nstamp ${stamp}\ndmesg ${dmesgBytes}\ndump ${dumpBytes}\n`;
  const block = Buffer.alloc(CRASH_HEADER_BYTES);
  block.write(text, 'utf8');
  return block;
}

/**
 * Puts a crash record on the crash disk, in place (QEMU has it open and the
 * guest sees a fixed capacity): the dump when there is one, the dmesg text,
 * and the header last, so a record cut short is never taken for a whole one.
 * Whatever an older, larger record left behind is never read (the header
 * gives sizes). Removes the host copy of the dump: the crash disk holds it.
 */
export function writeCrashDisk(crashDisk: string, stamp: string, dmesg: string, core: Vmcore | null): void {
  const text = Buffer.from(dmesg, 'utf8').subarray(0, DUMP_OFFSET - DMESG_OFFSET);
  const room = statSync(crashDisk).size - DUMP_OFFSET;
  if (core && core.bytes > room) throw new Error(`the dump (${core.bytes} bytes) is larger than the crash disk (${room} bytes)`);
  const dst = openSync(crashDisk, 'r+');
  try {
    if (core) copyInto(core.path, core.bytes, dst, DUMP_OFFSET);
    writeSync(dst, text, 0, text.length, DMESG_OFFSET);
    const header = crashDiskHeader(stamp, text.length, core?.bytes ?? 0);
    writeSync(dst, header, 0, header.length, 0);
  } finally {
    closeSync(dst);
  }
  if (core) rmSync(core.path, { force: true });
}

function copyInto(path: string, bytes: number, dst: number, at: number): void {
  const src = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(COPY_CHUNK_BYTES);
    for (let pos = 0; pos < bytes;) {
      const n = readSync(src, buf, 0, Math.min(buf.length, bytes - pos), pos);
      if (n <= 0) throw new Error(`short read of ${path} at ${pos}`);
      writeSync(dst, buf, 0, n, at + pos);
      pos += n;
    }
  } finally {
    closeSync(src);
  }
}

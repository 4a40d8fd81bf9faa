// Input backpressure for the VM console. node-pty 1.1 queues what the pty does
// not take yet (QEMU stops reading its serial input when the guest does not
// read) in an internal write queue, with no drain event; this reads that
// queue's size, so a paste into a busy guest stays bounded.
import type * as pty from 'node-pty';

/** Input queued in front of the guest before the terminal is told to hold back (a large paste, not typing). */
export const INPUT_BACKLOG_MAX_BYTES = 64 * 1024;
/** How often a held-back terminal looks whether the guest took its input; well under a typist's pace. */
export const INPUT_DRAIN_POLL_MS = 50;

interface QueuedWrite { buffer: Buffer; offset: number }

/** Bytes written to the pty that it has not taken yet; 0 when node-pty's internals are not what 1.1 has. */
export function ptyInputBacklog(proc: pty.IPty): number {
  const queue = (proc as unknown as { _writeStream?: { _writeQueue?: unknown } })._writeStream?._writeQueue;
  if (!Array.isArray(queue)) return 0;
  let n = 0;
  for (const t of queue as QueuedWrite[]) if (Buffer.isBuffer(t?.buffer) && typeof t.offset === 'number') n += t.buffer.length - t.offset;
  return n;
}

// Reads the kernel ring buffer: `dmesg` first, then /dev/kmsg (non-blocking)
// as a fallback. Both need CAP_SYSLOG when kernel.dmesg_restrict=1, and
// containers often lack both; then we say exactly that and how to fix it.
import { spawnSync } from 'node:child_process';
import { closeSync, constants, openSync, readSync } from 'node:fs';
import { describeFsError } from '../../common/fsread.ts';
import { formatKmsgRecord } from '../parse/klog.ts';

export type KernelLog =
  | { readonly ok: true; readonly source: 'dmesg' | '/dev/kmsg'; readonly lines: string[] }
  | { readonly ok: false; readonly reasons: string[]; readonly fix: string };

/** Largest single /dev/kmsg record the kernel emits (PRINTK_MESSAGE_MAX is 2048 in 6.x; leave room). */
const KMSG_RECORD_BUFFER = 8192;
/** Upper bound on dmesg output we buffer; the default ring buffer is far smaller. */
const DMESG_MAX_BUFFER = 64 * 1024 * 1024;

export const KERNEL_LOG_FIX =
  "run as root, or allow it: 'sysctl -w kernel.dmesg_restrict=0'; in a container add CAP_SYSLOG (docker run --cap-add SYSLOG)";

function viaDmesg(): { lines: string[] } | { reason: string } {
  const r = spawnSync('dmesg', [], { encoding: 'utf8', maxBuffer: DMESG_MAX_BUFFER });
  if (r.error) return { reason: `dmesg: ${describeFsError(r.error)}` };
  // dmesg prefixes its own errors with "dmesg: "; avoid saying it twice.
  if (r.status !== 0) return { reason: `dmesg: ${(r.stderr || `exit status ${String(r.status)}`).trim().replace(/^dmesg: /, '')}` };
  return { lines: r.stdout.split('\n').filter((l) => l !== '') };
}

function viaKmsg(): { lines: string[] } | { reason: string } {
  let fd: number;
  try {
    fd = openSync('/dev/kmsg', constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    return { reason: `/dev/kmsg: ${describeFsError(err)}` };
  }
  const lines: string[] = [];
  const buf = Buffer.alloc(KMSG_RECORD_BUFFER);
  try {
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code === 'EAGAIN') break; // end of buffer reached
        if (code === 'EPIPE') continue; // records were overwritten while reading; keep going
        return { reason: `/dev/kmsg: ${describeFsError(err)}` };
      }
      if (n === 0) break;
      const line = formatKmsgRecord(buf.toString('utf8', 0, n));
      if (line !== undefined) lines.push(line);
    }
  } finally {
    closeSync(fd);
  }
  return { lines };
}

let cached: KernelLog | undefined;

/** Reads once per process: the log and hardware sections share it. */
export function readKernelLog(): KernelLog {
  if (cached) return cached;
  const reasons: string[] = [];
  for (const reader of [viaDmesg, viaKmsg]) {
    const r = reader();
    if ('lines' in r) {
      cached = { ok: true, source: reader === viaDmesg ? 'dmesg' : '/dev/kmsg', lines: r.lines };
      return cached;
    }
    reasons.push(r.reason);
  }
  cached = { ok: false, reasons, fix: KERNEL_LOG_FIX };
  return cached;
}

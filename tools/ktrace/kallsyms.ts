// Kernel addresses to "function+0xoff [module]" from /proc/kallsyms, for the
// call sites `ktrace memleak --by call-site` reports. Done here rather than
// with bpftrace's ksym(): that prints the bare function name, while the offset
// tells two allocations in one function apart, and the module name says whose
// code it is. Addresses read as 0 without CAP_SYSLOG under kptr_restrict=1
// (or always with kptr_restrict=2): callers then show raw addresses.
//
// Only the few addresses shown are resolved, in one pass over the text and
// with string comparisons (kallsyms addresses are fixed-width hex, so they
// sort as strings): parsing all ~120k symbols into numbers took 1.7 s on a
// KVM host, which an emulated VM lab would stretch to most of a minute.
import { closeSync, openSync, readSync } from 'node:fs';

export interface ResolvedAddress {
  /** "kvc_req_new+0x2a [kvcache]", or the address in hex when unknown. */
  readonly label: string;
  readonly function: string | null;
  /** null: built into the kernel image (or unknown). */
  readonly module: string | null;
}

/** Resolves addresses (only those asked for); null when no symbol addresses are readable. */
export type SymbolResolver = (addresses: readonly bigint[]) => Map<bigint, ResolvedAddress> | null;

/** A call site beyond this distance from the nearest symbol is not trusted to be inside it. */
const MAX_OFFSET = 0x100000n;

export const hexAddress = (a: bigint) => `0x${a.toString(16)}`;

export function unresolved(address: bigint): ResolvedAddress {
  return { label: hexAddress(address), function: null, module: null };
}

/** Resolves against the text of /proc/kallsyms; null if every address in it is zero (hidden). */
export function resolveFromKallsyms(text: string, addresses: readonly bigint[]): Map<bigint, ResolvedAddress> | null {
  const width = text.indexOf(' ');
  if (width <= 0) return null;
  const targets = addresses.map((a) => a.toString(16).padStart(width, '0'));
  /** Per target: the line of the highest text symbol at or below it. */
  const best: (string | null)[] = targets.map(() => null);
  const bestAddr: string[] = targets.map(() => '');
  let visible = false;
  const zero = '0'.repeat(width);
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const type = text[start + width + 1];
    if (type === 't' || type === 'T') {
      const addr = text.slice(start, start + width);
      if (addr !== zero) {
        visible = true;
        for (let i = 0; i < targets.length; i++) {
          if (addr <= (targets[i] ?? '') && addr > (bestAddr[i] ?? '')) {
            bestAddr[i] = addr;
            best[i] = text.slice(start, end);
          }
        }
      }
    }
    start = end + 1;
  }
  if (!visible) return null;
  const out = new Map<bigint, ResolvedAddress>();
  addresses.forEach((address, i) => {
    // "ffffffffc0a01000 t kvc_req_new\t[kvcache]"
    const m = /^([0-9a-f]+) [tT] (\S+)(?:\s+\[(\S+)\])?/.exec(best[i] ?? '');
    const offset = m === null ? null : address - BigInt(`0x${m[1] ?? '0'}`);
    if (m === null || offset === null || offset > MAX_OFFSET) {
      out.set(address, unresolved(address));
      return;
    }
    const [name, module] = [m[2] ?? '?', m[3] ?? null];
    out.set(address, { label: `${name}+0x${offset.toString(16)}${module === null ? '' : ` [${module}]`}`, function: name, module });
  });
  return out;
}

/** Read size: /proc/kallsyms restarts its walk on every read(), so small reads (node's 8 KiB for a size-0 file) take 5x longer. */
const READ_CHUNK = 4 << 20;

function readProcText(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const chunks: Buffer[] = [];
    for (;;) {
      const buf = Buffer.allocUnsafe(READ_CHUNK);
      const n = readSync(fd, buf, 0, READ_CHUNK, null);
      if (n === 0) break;
      chunks.push(buf.subarray(0, n));
    }
    return Buffer.concat(chunks).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** The live kernel's resolver; null results when /proc/kallsyms is unreadable. */
export function kallsymsResolver(path = '/proc/kallsyms'): SymbolResolver {
  return (addresses) => {
    if (addresses.length === 0) return new Map();
    let text: string;
    try {
      text = readProcText(path);
    } catch {
      return null;
    }
    return resolveFromKallsyms(text, addresses);
  };
}

// The memory bpftrace's maps are charged to: MemTotal, or the memory cgroup's
// limit when lower (kernels >= 5.11 charge BPF maps to the creating task's
// cgroup, so in a container lab its limit is what the maps compete for).
import { readFileSync } from 'node:fs';

export interface MemoryLimits {
  readonly memTotalBytes: number | null;
  readonly cgroupLimitBytes: number | null;
}

/** "MemTotal:  24683548 kB" -> bytes. */
export function parseMemTotal(meminfo: string): number | null {
  const m = /^MemTotal:\s+(\d+) kB$/m.exec(meminfo);
  return m === null ? null : Number(m[1]) * 1024;
}

/** cgroup v2 memory.max ("max" or bytes) or v1 limit_in_bytes (a huge number when unlimited). */
export function parseCgroupLimit(text: string): number | null {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return null;
  const n = Number(t);
  // v1 reports "no limit" as PAGE_COUNTER_MAX pages: anything past 2^60 is that.
  return n > 0 && n < 2 ** 60 ? n : null;
}

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

export function readMemoryLimits(): MemoryLimits {
  const v2 = parseCgroupLimit(read('/sys/fs/cgroup/memory.max'));
  return {
    memTotalBytes: parseMemTotal(read('/proc/meminfo')),
    cgroupLimitBytes: v2 ?? parseCgroupLimit(read('/sys/fs/cgroup/memory/memory.limit_in_bytes')),
  };
}

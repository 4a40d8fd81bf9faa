// Which processes used CPU between two /proc/<pid>/stat snapshots.
import type { PidStat } from '../parse/pidstat.ts';

/** USER_HZ: the unit of /proc/<pid>/stat times. Fixed at 100 in the Linux ABI on all mainstream architectures. */
export const USER_HZ = 100;

export interface ProcessCpu {
  readonly pid: number;
  readonly comm: string;
  /** Percent of ONE CPU (can exceed 100 for multi-threaded processes), like top. */
  readonly cpuPercent: number;
}

/** `exclude`: pids to leave out (kdiag itself, whose sampling is not the workload). */
export function topByCpu(before: ReadonlyMap<number, PidStat>, after: ReadonlyMap<number, PidStat>, seconds: number, n: number, exclude: readonly number[] = []): ProcessCpu[] {
  const out: ProcessCpu[] = [];
  for (const [pid, a] of after) {
    if (exclude.includes(pid)) continue;
    // A process that started during the interval counts from zero.
    const b = before.get(pid);
    const ticks = a.cpuTicks - (b?.cpuTicks ?? 0);
    if (ticks > 0) out.push({ pid, comm: a.comm, cpuPercent: (ticks / USER_HZ / seconds) * 100 });
  }
  return out.sort((x, y) => y.cpuPercent - x.cpuPercent || x.pid - y.pid).slice(0, n);
}

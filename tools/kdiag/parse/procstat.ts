// /proc/stat: aggregate CPU time counters (in USER_HZ ticks), context switches,
// interrupts and the run queue. Two samples give utilisation over an interval.

export const CPU_FIELDS = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'] as const;
export type CpuField = (typeof CPU_FIELDS)[number];
export type CpuTimes = Readonly<Record<CpuField, number>>;

export interface ProcStat {
  readonly cpu: CpuTimes;
  readonly cpuCount: number;
  readonly ctxt: number;
  readonly intr: number;
  readonly procsRunning: number;
  readonly procsBlocked: number;
}

export function parseProcStat(text: string): ProcStat {
  let cpu: CpuTimes | undefined;
  let cpuCount = 0;
  const scalars = new Map<string, number>();
  for (const line of text.split('\n')) {
    const parts = line.trim().split(/\s+/);
    const key = parts[0] ?? '';
    if (key === 'cpu') {
      // guest/guest_nice (fields 9-10) are already included in user/nice.
      const nums = parts.slice(1).map(Number);
      cpu = Object.fromEntries(CPU_FIELDS.map((f, i) => [f, nums[i] ?? 0])) as CpuTimes;
    } else if (/^cpu\d+$/.test(key)) {
      cpuCount++;
    } else if (parts.length >= 2) {
      // "intr" has a total followed by per-IRQ counts; the first number is the total.
      scalars.set(key, Number(parts[1]));
    }
  }
  if (cpu === undefined) throw new Error("no aggregate 'cpu' line");
  return {
    cpu,
    cpuCount,
    ctxt: scalars.get('ctxt') ?? 0,
    intr: scalars.get('intr') ?? 0,
    procsRunning: scalars.get('procs_running') ?? 0,
    procsBlocked: scalars.get('procs_blocked') ?? 0,
  };
}

/** Percent of total CPU time per field between two samples (sums to 100 when any time elapsed). */
export function cpuSplit(before: CpuTimes, after: CpuTimes): Record<CpuField, number> {
  const delta = Object.fromEntries(CPU_FIELDS.map((f) => [f, Math.max(0, after[f] - before[f])])) as Record<CpuField, number>;
  const total = CPU_FIELDS.reduce((s, f) => s + delta[f], 0);
  return Object.fromEntries(CPU_FIELDS.map((f) => [f, total > 0 ? (delta[f] / total) * 100 : 0])) as Record<CpuField, number>;
}

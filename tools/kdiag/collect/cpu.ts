// `kdiag cpu`: CPU time split, scheduler/interrupt rates and top processes,
// measured over an interval (counters since boot hide what is happening now).
import { setTimeout as sleep } from 'node:timers/promises';
import { type SourceProblem, readText } from '../../common/fsread.ts';
import { cpuSplit, parseProcStat, type CpuField } from '../parse/procstat.ts';
import { parseLoadavg, type LoadAvg } from '../parse/loadavg.ts';
import { topByCpu, type ProcessCpu } from '../analyze/topcpu.ts';
import { snapshotProcesses } from './processes.ts';

/** Processes listed: a handful is enough to spot the hog. */
export const TOP_PROCESSES = 5;

export interface CpuSection {
  readonly intervalSeconds: number;
  readonly cpuCount: number;
  /** Percent of all CPUs' time per category; sums to ~100. */
  readonly split: Record<CpuField, number> | null;
  readonly contextSwitchesPerSec: number | null;
  readonly interruptsPerSec: number | null;
  readonly procsRunning: number | null;
  readonly procsBlocked: number | null;
  readonly loadavg: LoadAvg | null;
  readonly topProcesses: ProcessCpu[];
  readonly problems: SourceProblem[];
}

export async function collectCpu(intervalSeconds: number): Promise<CpuSection> {
  const problems: SourceProblem[] = [];
  const s1 = readText('/proc/stat');
  const p1 = snapshotProcesses();
  const t1 = process.hrtime.bigint();
  await sleep(intervalSeconds * 1000);
  const s2 = readText('/proc/stat');
  const p2 = snapshotProcesses();
  // Use the measured interval: timers can fire late on a loaded box.
  const elapsed = Number(process.hrtime.bigint() - t1) / 1e9;
  const la = readText('/proc/loadavg');
  if (!la.ok) problems.push(la.problem);

  let stat: Pick<CpuSection, 'split' | 'cpuCount' | 'contextSwitchesPerSec' | 'interruptsPerSec' | 'procsRunning' | 'procsBlocked'> = {
    split: null,
    cpuCount: 0,
    contextSwitchesPerSec: null,
    interruptsPerSec: null,
    procsRunning: null,
    procsBlocked: null,
  };
  if (s1.ok && s2.ok) {
    const a = parseProcStat(s1.text);
    const b = parseProcStat(s2.text);
    stat = {
      split: cpuSplit(a.cpu, b.cpu),
      cpuCount: b.cpuCount,
      contextSwitchesPerSec: (b.ctxt - a.ctxt) / elapsed,
      interruptsPerSec: (b.intr - a.intr) / elapsed,
      procsRunning: b.procsRunning,
      procsBlocked: b.procsBlocked,
    };
  } else if (!s1.ok) {
    problems.push(s1.problem);
  } else if (!s2.ok) {
    problems.push(s2.problem);
  }
  return {
    intervalSeconds: elapsed,
    ...stat,
    loadavg: la.ok ? parseLoadavg(la.text) : null,
    topProcesses: topByCpu(p1, p2, elapsed, TOP_PROCESSES, [process.pid]),
    problems,
  };
}

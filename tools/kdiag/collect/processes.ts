// Snapshots of /proc/<pid>/stat and /proc/<pid>/task/<tid>/stat. Processes
// exit while we scan; a vanished entry is skipped silently, not an error.
import { readFileSync, readdirSync } from 'node:fs';
import { parsePidStat, type PidStat } from '../parse/pidstat.ts';

function numericEntries(dir: string): number[] {
  try {
    return readdirSync(dir).filter((e) => /^\d+$/.test(e)).map(Number);
  } catch {
    return [];
  }
}

function statOf(path: string): PidStat | undefined {
  try {
    return parsePidStat(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

export function snapshotProcesses(): Map<number, PidStat> {
  const out = new Map<number, PidStat>();
  for (const pid of numericEntries('/proc')) {
    const s = statOf(`/proc/${pid}/stat`);
    if (s) out.set(pid, s);
  }
  return out;
}

export interface ThreadStat extends PidStat {
  /** Thread-group id (the process); PidStat.pid holds the thread id here. */
  readonly tgid: number;
}

export function snapshotThreads(): ThreadStat[] {
  const out: ThreadStat[] = [];
  for (const tgid of numericEntries('/proc')) {
    for (const tid of numericEntries(`/proc/${tgid}/task`)) {
      const s = statOf(`/proc/${tgid}/task/${tid}/stat`);
      if (s) out.push({ ...s, tgid });
    }
  }
  return out;
}

// `ktrace flame --lab`: which processes are "this lab". ktrace runs inside the
// lab, so /proc shows its pid namespace: in a container only the lab's
// processes, in a VM the whole guest, which is the lab. Kernel threads are left
// out (perf cannot attach to them per process, and they are nobody's code), and
// so are ktrace itself and perf.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** kthreadd: every kernel thread is it or its child. */
const KTHREADD_PID = 2;

export interface ProcEntry {
  readonly pid: number;
  readonly ppid: number | null;
  readonly comm: string;
  /** Whether /proc/PID/exe resolves: kernel threads and zombies have no executable. */
  readonly hasExe: boolean;
}

/** Tools that would profile themselves. */
const LEAVE_OUT_COMMS: ReadonlySet<string> = new Set(['perf', 'ktrace']);

export function labPids(procs: readonly ProcEntry[], self: number): number[] {
  return procs
    .filter((p) => p.pid !== self && p.pid !== KTHREADD_PID && p.ppid !== KTHREADD_PID && p.hasExe && !LEAVE_OUT_COMMS.has(p.comm))
    .map((p) => p.pid)
    .sort((a, b) => a - b);
}

/** "123 (my prog) S 1 ..." -> ppid 1; comm may hold spaces and parentheses. */
export function parseStat(stat: string): { comm: string; ppid: number } | null {
  const open = stat.indexOf('(');
  const close = stat.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const ppid = Number(stat.slice(close + 2).split(' ')[1]);
  return Number.isInteger(ppid) ? { comm: stat.slice(open + 1, close), ppid } : null;
}

export function readProc(proc = '/proc'): ProcEntry[] {
  const out: ProcEntry[] = [];
  for (const name of readdirSync(proc)) {
    if (!/^\d+$/.test(name)) continue;
    let stat: ReturnType<typeof parseStat> = null;
    try {
      stat = parseStat(readFileSync(`${proc}/${name}/stat`, 'utf8'));
    } catch {
      continue; // exited while we looked
    }
    let hasExe = true;
    try {
      readlinkSync(`${proc}/${name}/exe`);
    } catch {
      hasExe = false;
    }
    out.push({ pid: Number(name), ppid: stat?.ppid ?? null, comm: stat?.comm ?? '', hasExe });
  }
  return out;
}

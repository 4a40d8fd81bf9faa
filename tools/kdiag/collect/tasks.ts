// `kdiag tasks`: threads stuck in uninterruptible sleep (D) with where they
// sleep in the kernel, and zombie processes.
import { readFileSync } from 'node:fs';
import { describeFsError, type SourceProblem, readInt } from '../../common/fsread.ts';
import { snapshotThreads } from './processes.ts';

/** D-state threads detailed: the first few stacks usually tell the whole story. */
export const MAX_D_STATE_DETAILS = 10;
/** Zombies listed by parent. */
export const MAX_ZOMBIES_LISTED = 10;

export interface DStateTask {
  readonly pid: number;
  readonly tid: number;
  readonly comm: string;
  readonly wchan: string | null;
  readonly stack: string[] | null;
  /** Why the stack is missing (e.g. permission), when it is. */
  readonly stackUnavailable: string | null;
}

export interface TasksSection {
  readonly threads: number;
  readonly byState: Record<string, number>;
  readonly dStateCount: number;
  readonly dState: DStateTask[];
  readonly zombieCount: number;
  readonly zombies: { readonly pid: number; readonly ppid: number; readonly comm: string }[];
  readonly hungTaskTimeoutSecs: number | null;
  readonly problems: SourceProblem[];
}

function tryRead(path: string): { text: string } | { error: string } {
  try {
    return { text: readFileSync(path, 'utf8') };
  } catch (err) {
    return { error: describeFsError(err) };
  }
}

export function collectTasks(): TasksSection {
  const problems: SourceProblem[] = [];
  const threads = snapshotThreads();
  const byState: Record<string, number> = {};
  for (const t of threads) byState[t.state] = (byState[t.state] ?? 0) + 1;

  const dThreads = threads.filter((t) => t.state === 'D');
  const dState = dThreads.slice(0, MAX_D_STATE_DETAILS).map((t): DStateTask => {
    const base = `/proc/${t.tgid}/task/${t.pid}`;
    const wchan = tryRead(`${base}/wchan`);
    const stack = tryRead(`${base}/stack`);
    return {
      pid: t.tgid,
      tid: t.pid,
      comm: t.comm,
      // "0" means the kernel would not (or could not) say, e.g. kptr_restrict or not sleeping anymore.
      wchan: 'text' in wchan && wchan.text.trim() !== '' && wchan.text.trim() !== '0' ? wchan.text.trim() : null,
      stack: 'text' in stack ? stack.text.split('\n').filter((l) => l.trim() !== '') : null,
      stackUnavailable: 'error' in stack ? `${base}/stack: ${stack.error}` : null,
    };
  });

  // Zombies are per process: count thread-group leaders only.
  const zombies = threads.filter((t) => t.state === 'Z' && t.pid === t.tgid);
  return {
    threads: threads.length,
    byState,
    dStateCount: dThreads.length,
    dState,
    zombieCount: zombies.length,
    zombies: zombies.slice(0, MAX_ZOMBIES_LISTED).map((z) => ({ pid: z.pid, ppid: z.ppid, comm: z.comm })),
    hungTaskTimeoutSecs: readInt('/proc/sys/kernel/hung_task_timeout_secs', problems) ?? null,
    problems,
  };
}

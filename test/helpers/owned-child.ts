// A child process a test owns: started in its own process group, stopped with
// SIGTERM and then SIGKILL for the whole group, so nothing it started outlives
// the test (a `vitepress dev` that ignores SIGTERM once hung a test file for 15 min).
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

/** How long a child may take to exit on SIGTERM before its whole group is killed. */
const TERM_GRACE_MS = 3000;

export interface OwnedChild {
  child: ChildProcess;
  /** SIGTERM to the group, SIGKILL after a grace period; resolves once the child has exited. Idempotent. */
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

export function spawnOwned(command: string, args: string[], opts: SpawnOptions = {}): OwnedChild {
  const child = spawn(command, args, { ...opts, detached: true });
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // The test process may end without calling stop (a failed before-hook): take the groups with it.
    process.once('exit', () => { for (const c of live) killGroup(c, 'SIGKILL'); });
  }
  let stopping: Promise<void> | null = null;
  return {
    child,
    stop: () => {
      stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) { killGroup(child, 'SIGKILL'); return; }
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        killGroup(child, 'SIGTERM');
        const timer = setTimeout(() => killGroup(child, 'SIGKILL'), TERM_GRACE_MS);
        await exited;
        clearTimeout(timer);
        killGroup(child, 'SIGKILL'); // grandchildren that ignored SIGTERM
      })();
      return stopping;
    },
  };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try { process.kill(-child.pid, signal); } catch { /* the group is already gone */ }
}

// `labs start` follows a starting lab until it runs, fails, or a deadline passes:
// a runner that never finishes a start must not leave the command waiting for ever.
import type { SessionView } from '../../common/protocol.ts';

/** How long `labs start` waits: a first start may build its image (a VM image takes minutes under TCG); past this, something is stuck. */
export const START_DEADLINE_MS = 20 * 60_000;
/** How often it looks: start-up progress should appear as it happens. */
export const START_POLL_MS = 250;

export type StartOutcome =
  | { kind: 'running'; view: SessionView }
  | { kind: 'not-started'; view: SessionView }
  | { kind: 'deadline'; view: SessionView; waitedMs: number };

export interface StartWaitDeps {
  get(id: string): Promise<SessionView>;
  /** Each new progress message, once. */
  onProgress(message: string): void;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export async function waitForStart(first: SessionView, deps: StartWaitDeps): Promise<StartOutcome> {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const began = now();
  let view = first;
  let shown = 0;
  for (;;) {
    for (; shown < view.progress.length; shown++) deps.onProgress(view.progress[shown]!.message);
    if (view.phase !== 'starting') return view.phase === 'running' ? { kind: 'running', view } : { kind: 'not-started', view };
    const waited = now() - began;
    if (waited >= START_DEADLINE_MS) return { kind: 'deadline', view, waitedMs: waited };
    await sleep(START_POLL_MS);
    view = await deps.get(view.id);
  }
}

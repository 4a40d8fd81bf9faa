// The life of a session as an explicit table: from → the phases it may go to.
// A transition not in the table is a bug in the runner and throws.
//
//   starting  → running | failed | degraded | stopping
//   running   → resetting | degraded | failed | stopping
//   resetting → running | failed | degraded | stopping
//   degraded  → running | failed | resetting | stopping
//   failed    → resetting | stopping
//   stopping  → stopped
//   stopped   → (none)
//
// What each phase promises about the lab's environment (container or VM):
//   starting/resetting  being created (resetting: the old one is removed first)
//   running             exists; checks, answers, hints and the terminal work
//   degraded            the backend (Docker Engine, a QEMU process) is unreachable: the
//                       environment may still exist, so the session is kept and probed
//                       again each sweep; back to running if it survived, failed if not
//   failed              holds no environment (start failed, or it vanished); reset starts it again
//   stopping            being removed; while the backend is unreachable it stays here and
//                       removal is retried, so it is never forgotten while it may exist
//   stopped             removed; nothing is left
// docs/runner-internals.md has the same table with the reasons.
import type { SessionPhase } from '../../common/protocol.ts';

export const PHASE_TRANSITIONS: Readonly<Record<SessionPhase, readonly SessionPhase[]>> = {
  starting: ['running', 'failed', 'degraded', 'stopping'],
  running: ['resetting', 'degraded', 'failed', 'stopping'],
  resetting: ['running', 'failed', 'degraded', 'stopping'],
  degraded: ['running', 'failed', 'resetting', 'stopping'],
  failed: ['resetting', 'stopping'],
  stopping: ['stopped'],
  stopped: [],
};

export function canTransition(from: SessionPhase, to: SessionPhase): boolean {
  return PHASE_TRANSITIONS[from].includes(to);
}

/** Throws when the table does not allow it: the caller's logic is wrong, not the world. */
export function assertTransition(from: SessionPhase, to: SessionPhase, sessionId: string): void {
  if (!canTransition(from, to)) {
    throw new Error(`session ${sessionId}: phase ${from} → ${to} is not allowed (allowed from ${from}: ${PHASE_TRANSITIONS[from].join(', ') || 'none'})`);
  }
}

/** Phases in which the session may still hold an environment (counted against capacity, never dropped). */
export function holdsEnvironment(phase: SessionPhase): boolean {
  return phase !== 'stopped' && phase !== 'failed';
}

// Turns what sessions report (SessionObserver) into progress records: every
// check, answer, hint, solution, start, reset and stop is written before the
// learner sees its result (a write that throws reaches the session, which shows
// the learner an error instead). Active time is counted in memory from activity
// (requests, terminal frames) and saved every ACTIVE_FLUSH_MS and at stop.
import type { Session, SessionObserver, StopReason } from '../sessions/session.ts';
import type { ProgressStore } from './progress-store.ts';
import type { ProgressFeed } from './progress-feed.ts';
import { onUnexpectedError } from '../util/unexpected-error.ts';
import type { AnswerCount, AnswerOutcome } from '../../common/attempts.ts';

/** Activity closer together than this counts as continuous work (reading a step, thinking); a longer silence is a break. */
export const ACTIVE_GAP_MS = 5 * 60_000;
/** Active time is saved this often; a killed runner loses at most this much of it (never a result). */
export const ACTIVE_FLUSH_MS = 15_000;

interface ActiveTime { activeMs: number; lastAt: number; dirty: boolean }

export class ProgressRecorder implements SessionObserver {
  private readonly active = new Map<string, ActiveTime>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly store: ProgressStore,
    private readonly feed: ProgressFeed,
    private readonly runnerName = '',
    private readonly now: () => number = Date.now,
  ) {
    this.timer = setInterval(() => {
      try { this.flush(); } catch (e) { onUnexpectedError(e, 'saving active time (tried again next time)'); }
    }, ACTIVE_FLUSH_MS);
    this.timer.unref();
  }

  onStart(s: Session): void {
    const at = this.now();
    this.store.startSession({ id: s.id, learnerId: s.owner.learnerId, workshopId: s.owner.workshopId, labId: s.lab.id, at, runnerName: this.runnerName });
    this.active.set(s.id, { activeMs: 0, lastAt: at, dirty: false });
    this.changed(s);
  }

  onStop(s: Session, reason: StopReason): void {
    const at = this.now();
    const a = this.active.get(s.id);
    // Forgotten only once written: if the write throws, the session's active time is still flushed.
    if (this.store.stopSession(s.id, at, reason, a?.activeMs ?? 0, a?.lastAt ?? at)) this.changed(s);
    this.active.delete(s.id);
  }

  onReset(s: Session): void {
    this.event(s, { kind: 'reset', taskId: null });
  }

  onActivity(s: Session): void {
    const a = this.active.get(s.id);
    if (!a) return;
    const at = this.now();
    const gap = at - a.lastAt;
    if (gap > 0 && gap <= ACTIVE_GAP_MS) a.activeMs += gap;
    a.lastAt = Math.max(a.lastAt, at);
    a.dirty = true;
  }

  onTaskResult(s: Session, r: { taskId: string; kind: 'check' | 'answer'; passed: boolean; message: string; answer: string | null }): void {
    this.event(s, { kind: r.kind, taskId: r.taskId, passed: r.passed, detail: r.kind === 'answer' ? r.answer : r.message });
  }

  onAnswer(s: Session, r: { taskId: string; passed: boolean; answer: string }, attempts: number | null): AnswerOutcome {
    const outcome = this.store.recordAnswer({
      at: this.now(), learnerId: s.owner.learnerId, workshopId: s.owner.workshopId, sessionId: s.id, labId: s.lab.id,
      taskId: r.taskId, passed: r.passed, detail: r.answer,
    }, attempts);
    if (outcome.recorded) this.changed(s);
    return outcome;
  }

  answerCounts(s: Session): ReadonlyMap<string, AnswerCount> {
    return this.store.answerCounts(s.owner.learnerId, s.lab.id);
  }

  onHint(s: Session, taskId: string, index: number): void {
    this.event(s, { kind: 'hint', taskId, hintIndex: index });
  }

  onSolution(s: Session): void {
    this.event(s, { kind: 'solution', taskId: null });
  }

  /** Saves the active time of running sessions that changed. */
  flush(): void {
    const rows: Array<{ id: string; activeMs: number; lastActiveAt: number }> = [];
    for (const [id, a] of this.active) {
      if (!a.dirty) continue;
      rows.push({ id, activeMs: a.activeMs, lastActiveAt: a.lastAt });
      a.dirty = false;
    }
    this.store.updateActive(rows);
  }

  close(): void {
    clearInterval(this.timer);
    this.flush();
  }

  private event(s: Session, e: { kind: 'reset' | 'check' | 'answer' | 'hint' | 'solution'; taskId: string | null; passed?: boolean; hintIndex?: number; detail?: string | null }): void {
    this.store.insertEvent({
      at: this.now(), learnerId: s.owner.learnerId, workshopId: s.owner.workshopId, sessionId: s.id, labId: s.lab.id, ...e,
    });
    this.changed(s);
  }

  private changed(s: Session): void {
    this.feed.emit(s.owner.workshopId, s.owner.learnerId);
  }
}

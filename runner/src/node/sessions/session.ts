// One learner's run of one lab: its environment, its shell, its task states.
// Actions on a session run one at a time (start, check, reset, stop never interleave).
import { randomBytes } from 'node:crypto';
import type { ResolvedLab, ResolvedTask } from '../../common/lab-schema.ts';
import { isCorrectAnswer, MAX_ANSWER_LENGTH, normalizeAnswer } from '../../common/answers.ts';
import { paramsToEnv, type ParamValues } from '../../common/params.ts';
import { LOCAL_LEARNER_ID } from '../../common/workshop.ts';
import type {
  CheckResult, HintResponse, ServerMessage, SessionPhase, SessionView, StartProgress, StartStage, TaskState,
} from '../../common/protocol.ts';
import type { BackendError, ExecResult, LabBackend, LabHandle, Result } from '../backends/lab-backend.ts';
import { TerminalHub } from './terminal-hub.ts';
import { WS_CLOSE } from '../../common/protocol.ts';

/** How long the lab's setup script may take to bring the fault up. */
const SETUP_TIMEOUT_MS = 120_000;
/** A check's message is for a person: keep its last lines. */
const MAX_MESSAGE_LINES = 20;

export type SessionError = { code: 'not-found' | 'conflict' | 'bad-request' | 'start-failed' | 'backend-unavailable'; message: string };

export interface SessionDeps {
  backend: LabBackend;
  /** Builds (if needed) and returns the image for the lab. */
  resolveImage: (lab: ResolvedLab, onProgress: (msg: string) => void) => Promise<string>;
  /** Whose lab this is; the local learner (the owner) by default. */
  owner?: SessionOwner;
  /** This learner's values of the lab's parameters (scripts get KDLABS_PARAM_<NAME>). */
  params?: ParamValues;
  observer?: SessionObserver;
}

export interface SessionOwner { learnerId: string; workshopId: string | null }
export const LOCAL_OWNER: SessionOwner = { learnerId: LOCAL_LEARNER_ID, workshopId: null };

/** Why a session ended, as recorded in the progress store. */
export type StopReason = 'stopped' | 'idle' | 'workshop-ended' | 'gone' | 'start-failed' | 'shutdown';

/**
 * Told about everything a learner does (the progress store). Calls are
 * synchronous and happen before the result reaches the learner, so what a
 * learner was shown has been recorded.
 */
export interface SessionObserver {
  onStart(s: Session): void;
  onStop(s: Session, reason: StopReason): void;
  onReset(s: Session): void;
  onActivity(s: Session): void;
  onTaskResult(s: Session, r: { taskId: string; kind: 'check' | 'answer'; passed: boolean; message: string; answer: string | null }): void;
  onHint(s: Session, taskId: string, index: number): void;
  onSolution(s: Session): void;
}

export class Session {
  readonly id = `s-${base32(randomBytes(13)).slice(0, 20)}`;
  readonly token = randomBytes(32).toString('base64url');
  readonly createdAt = new Date();
  lastActivity = Date.now();
  phase: SessionPhase = 'starting';
  error: string | null = null;
  readonly progress: StartProgress[] = [];
  readonly tasks = new Map<string, TaskState>();
  private readonly hintsShown = new Map<string, number>();
  private handle: LabHandle | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  readonly terminal: TerminalHub;
  readonly owner: SessionOwner;
  readonly params: ParamValues;
  /** Set once the idle warning went out; any activity clears it. */
  idleWarned = false;

  constructor(readonly lab: ResolvedLab, private readonly deps: SessionDeps) {
    for (const t of lab.tasks) this.tasks.set(t.id, { id: t.id, status: 'pending', message: '', attempts: 0, passedAt: null });
    this.terminal = new TerminalHub((size) => this.openShell(size));
    this.owner = deps.owner ?? LOCAL_OWNER;
    this.params = deps.params ?? {};
  }

  get labHandle(): LabHandle | null { return this.handle; }

  touch(): void {
    this.lastActivity = Date.now();
    this.idleWarned = false;
    this.deps.observer?.onActivity(this);
  }

  /** Tells every attached terminal something (idle warning, workshop ending); returns how many were told. */
  notify(message: ServerMessage): number { return this.terminal.notify(message); }

  view(): SessionView {
    return {
      id: this.id, labId: this.lab.id, phase: this.phase, progress: [...this.progress],
      tasks: [...this.tasks.values()].map((t) => ({ ...t })), createdAt: this.createdAt.toISOString(), error: this.error,
      learnerId: this.owner.learnerId, workshopId: this.owner.workshopId,
    };
  }

  /** Brings the lab up: image → environment → fault workload. */
  start(): Promise<Result<void, SessionError>> {
    this.deps.observer?.onStart(this);
    return this.serial(async () => {
      const r = await this.bringUp();
      if (!r.ok) this.deps.observer?.onStop(this, 'start-failed');
      return r;
    });
  }

  reset(): Promise<Result<void, SessionError>> {
    const stopped = (): Result<void, SessionError> => ({ ok: false, error: { code: 'conflict', message: 'the session is stopped' } });
    if (this.phase === 'stopped' || this.phase === 'stopping') return Promise.resolve(stopped());
    // Say so at once (the reset may wait behind a running check): pages show the reset's progress.
    this.phase = 'resetting';
    return this.serial(async () => {
      if (this.phase === 'stopped' || this.phase === 'stopping') return stopped();
      this.phase = 'resetting';
      this.deps.observer?.onReset(this);
      // The shell goes with the old environment; viewers stay and get one in the new environment.
      this.terminal.suspend('the lab is being reset');
      if (this.handle) await this.deps.backend.stop(this.handle);
      this.handle = null;
      this.progress.length = 0;
      const r = await this.bringUp();
      if (r.ok) this.terminal.resume();
      return r;
    });
  }

  /** Removes the environment. Idempotent. */
  stop(reason: StopReason = 'stopped'): Promise<void> {
    if (this.phase === 'stopped') return Promise.resolve();
    return this.serial(async () => {
      if (this.phase === 'stopped') return;
      this.deps.observer?.onStop(this, reason);
      this.phase = 'stopping';
      this.terminal.dispose({ type: 'error', code: 'session-gone', message: 'the lab was stopped' });
      if (this.handle) await this.deps.backend.stop(this.handle);
      this.handle = null;
      this.phase = 'stopped';
    });
  }

  /** Marks the session dead (its environment vanished) and cleans up what is left. */
  async markGone(reason: string): Promise<void> {
    this.error = reason;
    await this.stop('gone');
    this.phase = 'failed';
  }

  runCheck(taskId: string): Promise<Result<CheckResult, SessionError>> {
    return this.serial(async () => {
      const task = this.lab.tasks.find((t) => t.id === taskId);
      if (!task) return notFound(`lab ${this.lab.id} has no task "${taskId}"`);
      if (!task.check) return { ok: false, error: { code: 'bad-request', message: `task "${taskId}" has no check; it is answered with a question` } };
      const ready = this.requireRunning();
      if (!ready.ok) return ready;
      const r = await this.execScript(task.check.script, task.check.timeoutSeconds * 1000, { KDLABS_TASK: task.id });
      if (!r.ok) return { ok: false, error: { code: 'conflict', message: r.error.message } };
      const passed = r.value.exitCode === 0;
      const message = r.value.timedOut
        ? `the check did not finish within ${task.check.timeoutSeconds} s`
        : lastLines(r.value.stdout.trim() || r.value.stderr.trim() || (passed ? 'passed' : `failed (exit code ${r.value.exitCode})`));
      return { ok: true, value: this.record(task, passed, message, r.value.durationMs, 'check', null) };
    });
  }

  answer(taskId: string, raw: string): Result<CheckResult, SessionError> {
    const task = this.lab.tasks.find((t) => t.id === taskId);
    if (!task) return notFound(`lab ${this.lab.id} has no task "${taskId}"`);
    if (!task.question) return { ok: false, error: { code: 'bad-request', message: `task "${taskId}" has no question; it is passed by its check` } };
    if (normalizeAnswer(raw).length === 0) return { ok: false, error: { code: 'bad-request', message: 'the answer is empty' } };
    if (normalizeAnswer(raw).length > MAX_ANSWER_LENGTH) return { ok: false, error: { code: 'bad-request', message: `the answer is longer than ${MAX_ANSWER_LENGTH} characters` } };
    const passed = isCorrectAnswer(task.question.answer, raw, this.params);
    return { ok: true, value: this.record(task, passed, passed ? 'correct' : 'not quite — look again', 0, 'answer', normalizeAnswer(raw)) };
  }

  /** Reveals the next hint of a task (or the last one again when all are shown). */
  nextHint(taskId: string): Result<HintResponse, SessionError> {
    const task = this.lab.tasks.find((t) => t.id === taskId);
    if (!task) return notFound(`lab ${this.lab.id} has no task "${taskId}"`);
    if (task.hints.length === 0) return notFound(`task "${taskId}" has no hints`);
    const shown = this.hintsShown.get(taskId) ?? 0;
    const index = Math.min(shown, task.hints.length - 1);
    this.hintsShown.set(taskId, Math.max(shown, index + 1));
    this.deps.observer?.onHint(this, taskId, index);
    return { ok: true, value: { taskId, index, hint: task.hints[index]!, remaining: task.hints.length - index - 1 } };
  }

  /** The written solution; revealing it is recorded. */
  revealSolution(): string {
    this.deps.observer?.onSolution(this);
    return this.lab.solution.notes ?? 'This lab has no written solution.';
  }

  /** Runs a script inside the lab as `bash -s` (used by checks, setup, solution, self-test). */
  async execScript(script: string, timeoutMs: number, env: Record<string, string> = {}): Promise<Result<ExecResult, BackendError>> {
    if (!this.handle) return { ok: false, error: { code: 'gone', message: 'the lab is not running' } };
    return this.deps.backend.exec(this.handle, ['bash', '-s'], { stdin: script, timeoutMs, env: { KDLABS_LAB: this.lab.id, ...paramsToEnv(this.params), ...env } });
  }

  private record(task: ResolvedTask, passed: boolean, message: string, durationMs: number, kind: 'check' | 'answer', answer: string | null): CheckResult {
    const state = this.tasks.get(task.id)!;
    const alreadyPassed = state.status === 'passed';
    state.attempts++;
    state.message = message;
    if (passed && !alreadyPassed) { state.status = 'passed'; state.passedAt = new Date().toISOString(); }
    if (!passed && !alreadyPassed) state.status = 'failed';
    this.deps.observer?.onTaskResult(this, { taskId: task.id, kind, passed, message, answer });
    return { taskId: task.id, passed, message, durationMs, alreadyPassed };
  }

  private async bringUp(): Promise<Result<void, SessionError>> {
    this.phase = 'starting';
    this.error = null;
    try {
      this.stage('image', 'preparing the lab image');
      const pre = await this.deps.backend.preflight();
      if (!pre.ok) return this.fail('backend-unavailable', pre.error.message);
      const image = await this.deps.resolveImage(this.lab, (m) => this.stage('image', m));
      this.stage('environment', `starting the ${this.lab.backend}`);
      const started = await this.deps.backend.start(this.lab, { sessionId: this.id, image, onProgress: (m) => this.stage('environment', m) });
      if (!started.ok) return this.fail(started.error.code === 'backend-unavailable' ? 'backend-unavailable' : 'start-failed', started.error.message);
      this.handle = started.value;
      if (this.lab.setup) {
        this.stage('setup', 'starting the fault workload');
        const r = await this.execScript(this.lab.setup, SETUP_TIMEOUT_MS);
        if (!r.ok || r.value.exitCode !== 0) {
          const detail = r.ok ? lastLines(`${r.value.stdout}\n${r.value.stderr}`.trim()) : r.error.message;
          await this.deps.backend.stop(this.handle);
          this.handle = null;
          return this.fail('start-failed', `the lab's setup failed: ${detail}`);
        }
      }
      this.stage('ready', 'the lab is ready');
      this.phase = 'running';
      return { ok: true, value: undefined };
    } catch (e) {
      if (this.handle) await this.deps.backend.stop(this.handle).catch(() => {});
      this.handle = null;
      return this.fail('start-failed', (e as Error).message);
    }
  }

  private stage(stage: StartStage, message: string): void {
    this.progress.push({ stage, message });
    if (this.progress.length > 200) this.progress.splice(0, this.progress.length - 200);
  }

  private fail(code: SessionError['code'], message: string): Result<void, SessionError> {
    this.phase = 'failed';
    this.error = message;
    this.terminal.dispose({ type: 'error', code: 'session-gone', message });
    return { ok: false, error: { code, message } };
  }

  private requireRunning(): Result<void, SessionError> {
    if (this.phase === 'running' && this.handle) return { ok: true, value: undefined };
    return { ok: false, error: { code: 'conflict', message: `the lab is ${this.phase}, not running` } };
  }

  private async openShell(size: { cols: number; rows: number }) {
    if (!this.handle) return { ok: false as const, error: { code: 'gone' as const, message: 'the lab is not running yet' } };
    return this.deps.backend.openShell(this.handle, size);
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => {});
    return next;
  }
}

export const SESSION_GONE_CLOSE = WS_CLOSE.sessionStopped;

function notFound<T>(message: string): Result<T, SessionError> {
  return { ok: false, error: { code: 'not-found', message } };
}

function lastLines(text: string): string {
  const lines = text.split('\n');
  return lines.slice(-MAX_MESSAGE_LINES).join('\n');
}

const B32 = 'abcdefghijklmnopqrstuvwxyz234567';
function base32(bytes: Buffer): string {
  let bits = 0, value = 0, out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) { out += B32[(value >>> (bits - 5)) & 31]; bits -= 5; }
  }
  return out;
}

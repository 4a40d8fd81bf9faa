// One learner's run of one lab: its environment, its shell, its task states.
// Actions on a session run one at a time (start, check, reset, probe, stop never
// interleave). Phases move only along session-phase.ts's table. The environment
// (container or VM) is owned here until the backend confirms it is removed: an
// outage never makes the runner forget one.
import { randomBytes } from 'node:crypto';
import { questionRules, type ResolvedLab, type ResolvedTask } from '../../common/lab-schema.ts';
import { gradeAnswer, MAX_ANSWER_LENGTH, normalizeAnswer } from '../../common/answers.ts';
import { closedMessage, isClosed, nextAnswerCount, NO_ANSWERS, NO_ATTEMPT_RULES, type AnswerCount, type AnswerOutcome, type AttemptRules } from '../../common/attempts.ts';
import { questionTally } from '../../common/question-tally.ts';
import { parseHint } from '../../common/walkthrough-markers.ts';
import { localizeLab } from '../../common/lab-translation.ts';
import { verbatim, type Lang, type Words } from '../../common/langs.ts';
import { paramsPrelude, type ParamValues } from '../../common/params.ts';
import { LOCAL_LEARNER_ID } from '../../common/workshop.ts';
import type {
  CheckResult, HintResponse, QuestionTally, SessionPhase, SessionView, StartProgress, StartStage, TaskState,
} from '../../common/protocol.ts';
import type { BackendError, ExecResult, LabBackend, LabHandle, Result } from '../backends/lab-backend.ts';
import { TerminalHub, type HubMessage } from './terminal-hub.ts';
import { WS_CLOSE } from '../../common/protocol.ts';
import { assertTransition } from './session-phase.ts';
import { onUnexpectedError } from '../util/unexpected-error.ts';
import { CHECK_PRELUDE } from './check-prelude.ts';
import { SAY } from './session-words.ts';

/** How long the lab's setup script may take to bring the fault up. */
const SETUP_TIMEOUT_MS = 120_000;
/**
 * A VM lab's setup builds its kernel module inside the guest: 25 s on a quiet TCG host,
 * 75 s and more on a loaded 2-core one (emulated CPU), so it gets longer.
 */
const VM_SETUP_TIMEOUT_MS = 360_000;
/** A check's message is for a person: keep its last lines. */
const MAX_MESSAGE_LINES = 20;
/** A start's progress kept for its page: a slow image build writes thousands of lines, the page shows the last of each stage. */
const MAX_PROGRESS_LINES = 200;
/** What a degraded session tells learners about retries when its owner does not say (the manager's sweep period). */
const DEFAULT_OUTAGE_RETRY_MS = 10_000;

/** `message` is the English; `words`, where given, has it in every language (the API answers in the learner's). */
export type SessionError = {
  code: 'not-found' | 'conflict' | 'bad-request' | 'start-failed' | 'backend-unavailable' | 'gone' | 'internal';
  message: string;
  words?: Words;
};

/** A progress line: the runner's own words, or a tool's line (a string) shown as it is. */
export type ProgressNote = string | Words;

/** A task's state as the session keeps it: its message in every language. */
type KeptTask = Omit<TaskState, 'message' | 'tally'> & { message: Words };

export interface SessionDeps {
  backend: LabBackend;
  /** Builds (if needed) and returns the image for the lab. */
  resolveImage: (lab: ResolvedLab, onProgress: (note: ProgressNote) => void) => Promise<string>;
  /** Whose lab this is; the local learner (the owner) by default. */
  owner?: SessionOwner;
  /** This learner's values of the lab's parameters (scripts get KDLABS_PARAM_<NAME>). */
  params?: ParamValues;
  observer?: SessionObserver;
  /** How often the owner probes a degraded session again (named in what learners are told). */
  outageRetryMs?: number;
}

export interface SessionOwner { learnerId: string; workshopId: string | null }
export const LOCAL_OWNER: SessionOwner = { learnerId: LOCAL_LEARNER_ID, workshopId: null };

/** Why a session ended, as recorded in the progress store. */
export type StopReason = 'stopped' | 'idle' | 'workshop-ended' | 'gone' | 'start-failed' | 'shutdown' | 'disk-quota';

/**
 * Told about everything a learner does (the progress store). Calls are
 * synchronous and happen before the result reaches the learner, so what a
 * learner was shown has been recorded: a result whose call throws is not shown
 * (the learner gets an error). Stops and activity are recorded best effort: a
 * failed write never keeps an environment alive.
 */
export interface SessionObserver {
  onStart(s: Session): void;
  onStop(s: Session, reason: StopReason): void;
  onReset(s: Session): void;
  onActivity(s: Session): void;
  onTaskResult(s: Session, r: { taskId: string; kind: 'check' | 'answer'; passed: boolean; message: string; answer: string | null }): void;
  /**
   * Records an answer unless its question is closed (`attempts` wrong answers before a
   * pass; null: no limit), atomically, and says where the question stands after it. A
   * refused answer (`recorded: false`) is not recorded. Answers come here, not to onTaskResult.
   */
  onAnswer(s: Session, r: { taskId: string; passed: boolean; message: string; answer: string }, attempts: number | null): AnswerOutcome;
  /** Each question's count so far over all of this learner's sessions of the lab: a new session (after a restart) starts from it. */
  answerCounts(s: Session): ReadonlyMap<string, AnswerCount>;
  onHint(s: Session, taskId: string, index: number): void;
  onSolution(s: Session): void;
}

const OK: Result<void, never> = { ok: true, value: undefined };

export class Session {
  readonly id = `s-${base32(randomBytes(13)).slice(0, 20)}`;
  readonly token = randomBytes(32).toString('base64url');
  readonly createdAt = new Date();
  lastActivity = Date.now();
  private currentPhase: SessionPhase = 'starting';
  /** Why the lab failed, or what a degraded or stopping session waits for. */
  private errorWords: Words | null = null;
  private readonly stages: { stage: StartStage; words: Words }[] = [];
  private readonly tasks = new Map<string, KeptTask>();
  private readonly hintsShown = new Map<string, number>();
  /** Each question's wrong answers and pass: the observer's (the progress store's), or this session's own without one. */
  private readonly answerCounts = new Map<string, AnswerCount>();
  /** The environment, owned until the backend confirms its removal. */
  private handle: LabHandle | null = null;
  /** While degraded: may the environment be used again if it survived (false: its start was cut off)? */
  private resumable = false;
  private stopRecorded = false;
  private queue: Promise<unknown> = Promise.resolve();
  /** Actions queued or running; the sweep does not queue a probe behind a running action. */
  private pending = 0;
  private hub: TerminalHub;
  readonly owner: SessionOwner;
  readonly params: ParamValues;
  /** When an idle lab stops, set once its warning reached a terminal (epoch ms); any activity clears it. */
  idleDeadline: number | null = null;

  constructor(readonly lab: ResolvedLab, private readonly deps: SessionDeps) {
    for (const t of lab.tasks) this.tasks.set(t.id, { id: t.id, status: 'pending', message: verbatim(''), attempts: 0, passedAt: null });
    this.hub = this.createHub();
    this.owner = deps.owner ?? LOCAL_OWNER;
    this.params = deps.params ?? {};
    this.loadAnswerCounts();
  }

  get phase(): SessionPhase { return this.currentPhase; }

  /** Why the lab failed, or what a degraded or stopping session waits for (English, for logs). */
  get error(): string | null { return this.errorWords?.en ?? null; }

  /** The start's progress so far (English, for logs and tests). */
  get progress(): StartProgress[] { return this.stages.map((p) => ({ stage: p.stage, message: p.words.en })); }

  /** The shared terminal. A failed lab that is reset gets a new one (the old one was closed with the failure). */
  get terminal(): TerminalHub { return this.hub; }

  get labHandle(): LabHandle | null { return this.handle; }

  /** True while an action runs or waits (the sweep leaves the session alone then). */
  get busy(): boolean { return this.pending > 0; }

  touch(): void {
    this.lastActivity = Date.now();
    this.idleDeadline = null;
    this.bestEffort('recording activity', () => this.deps.observer?.onActivity(this));
  }

  /** Tells every attached terminal something (idle warning, workshop ending); returns how many were told. */
  notify(message: HubMessage): number { return this.hub.notify(message); }

  /** The session as a learner reading `lang` sees it: the runner's messages in their language. */
  view(lang: Lang = 'en'): SessionView {
    return {
      id: this.id, labId: this.lab.id, phase: this.phase, progress: this.stages.map((p) => ({ stage: p.stage, message: p.words[lang] })),
      tasks: [...this.tasks.values()].map((t) => this.withTally({ ...t, message: t.message[lang] }, lang)), createdAt: this.createdAt.toISOString(),
      error: this.errorWords?.[lang] ?? null, learnerId: this.owner.learnerId, workshopId: this.owner.workshopId,
    };
  }

  /** Brings the lab up: image → environment → fault workload. Records the start first; if that throws, nothing starts. */
  start(): Promise<Result<void, SessionError>> {
    this.deps.observer?.onStart(this);
    return this.serial(() => this.bringUp());
  }

  reset(): Promise<Result<void, SessionError>> {
    const refused = this.refuseReset();
    if (refused) return Promise.resolve(refused);
    // Record first: a reset that cannot be recorded does not happen.
    const recorded = this.recordFirst('reset', () => this.deps.observer?.onReset(this));
    if (!recorded.ok) return Promise.resolve(recorded);
    // Say so at once (the reset may wait behind a running check): pages show the reset's progress.
    if (this.phase === 'running') {
      this.moveTo('resetting');
      this.hub.suspend(SAY.beingReset());
    }
    return this.serial(async () => {
      if (this.phase === 'stopping' || this.phase === 'stopped') return gone(SAY.stoppedBeforeReset());
      if (this.phase === 'degraded') {
        const pre = await this.deps.backend.preflight();
        if (!pre.ok) {
          this.degrade(pre.error, this.resumable);
          return said('backend-unavailable', SAY.notReset(this.errorWords!));
        }
      }
      if (this.phase === 'failed') this.hub = this.createHub();
      if (this.phase !== 'resetting') this.moveTo('resetting');
      // The shell goes with the old environment; viewers stay and get one in the new environment.
      this.hub.suspend(SAY.beingReset());
      if (this.handle) {
        const removed = await this.deps.backend.stop(this.handle);
        if (!removed.ok) {
          // Nothing was reset: the old environment may well be intact; it is probed again like any outage.
          this.degrade(removed.error, true);
          return said('backend-unavailable', SAY.notReset(this.errorWords!));
        }
        this.handle = null;
      }
      this.stages.length = 0;
      const r = await this.bringUp();
      if (r.ok) this.hub.resume();
      return r;
    });
  }

  /**
   * Removes the environment. Idempotent. While the backend cannot remove it the session
   * stays `stopping` (and is kept by its manager); calling stop again retries.
   */
  stop(reason: StopReason = 'stopped'): Promise<Result<void, SessionError>> {
    if (this.phase === 'stopped') return Promise.resolve(OK);
    return this.serial(async () => {
      if (this.phase === 'stopped') return OK;
      if (this.phase !== 'stopping') {
        this.moveTo('stopping');
        // Whatever happens to the record or the viewers, the environment is removed below.
        this.recordStop(reason);
        this.closeTerminal(SAY.labWasStopped());
      }
      return this.removeEnvironment();
    });
  }

  /**
   * The sweep's look at the environment: a vanished lab fails, an unreachable backend
   * degrades the session, and a degraded one recovers (or is reported gone) once the
   * backend answers again.
   */
  probe(): Promise<void> {
    return this.serial(async () => {
      if (this.phase !== 'running' && this.phase !== 'degraded') return;
      const handle = this.handle;
      if (!handle) return;
      const alive = await this.deps.backend.isAlive(handle);
      if (!alive.ok) return this.degrade(alive.error, this.phase === 'running' || this.resumable);
      if (this.phase === 'running') {
        if (!alive.value) await this.gone(this.deps.backend.whyGone?.(handle) ?? SAY.stoppedUnexpectedly(this.lab.backend), 'gone');
        else await this.enforceDiskQuota(handle);
        return;
      }
      if (alive.value && this.resumable) return this.recover();
      if (alive.value) {
        await this.gone(SAY.startInterrupted(this.lab.backend), 'start-failed');
      } else {
        await this.gone(this.deps.backend.whyGone?.(handle) ?? SAY.vanished(this.lab.backend), 'gone');
      }
    });
  }

  /** Runs a task's check; `lang`: the learner's language, which the script gets as KDLABS_LANG (it may speak it). */
  runCheck(taskId: string, lang: Lang = 'en'): Promise<Result<CheckResult, SessionError>> {
    return this.serial(async () => {
      const task = this.lab.tasks.find((t) => t.id === taskId);
      if (!task) return notFound(`lab ${this.lab.id} has no task "${taskId}"`);
      if (!task.check) return { ok: false, error: { code: 'bad-request', message: `task "${taskId}" has no check; it is answered with a question` } };
      const ready = this.requireRunning();
      if (!ready.ok) return ready;
      const r = await this.execScript(task.check.script, task.check.timeoutSeconds * 1000, { KDLABS_TASK: task.id, KDLABS_LANG: lang }, true);
      if (!r.ok) {
        if (r.error.code === 'backend-unavailable') {
          this.degrade(r.error, true);
          return said('backend-unavailable', SAY.checkCouldNotRun(this.errorWords!));
        }
        return { ok: false, error: { code: 'conflict', message: r.error.message } };
      }
      const passed = r.value.exitCode === 0;
      // The script spoke the learner's language (KDLABS_LANG); the runner's own fallbacks come in every one.
      const output = r.value.stdout.trim() || r.value.stderr.trim();
      const message = r.value.timedOut ? SAY.checkTimedOut(task.check.timeoutSeconds)
        : output ? verbatim(lastLines(output))
        : passed ? SAY.checkPassed() : SAY.checkFailed(r.value.exitCode);
      return this.record(task, passed, message, r.value.durationMs, 'check', null, lang);
    });
  }

  answer(taskId: string, raw: string, lang: Lang = 'en'): Result<CheckResult, SessionError> {
    const task = localizeLab(this.lab, lang).tasks.find((t) => t.id === taskId);
    if (!task) return notFound(`lab ${this.lab.id} has no task "${taskId}"`);
    if (!task.question) return { ok: false, error: { code: 'bad-request', message: `task "${taskId}" has no question; it is passed by its check` } };
    const open = this.requireOpen('answers');
    if (!open.ok) return open;
    if (normalizeAnswer(raw).length === 0) return said('bad-request', SAY.answerEmpty());
    if (normalizeAnswer(raw).length > MAX_ANSWER_LENGTH) return said('bad-request', SAY.answerTooLong(MAX_ANSWER_LENGTH));
    // Graded once per language, so the task's message reads right after a language switch too.
    const graded = gradeAnswer(task.question, raw, this.params, task.hints.length > 0, lang);
    const message = wordsFor((l) => (l === lang ? graded.message : gradeAnswer(localizeLab(this.lab, l).tasks.find((t) => t.id === taskId)!.question!, raw, this.params, task.hints.length > 0, l).message));
    const { attempts } = this.rulesOf(task);
    const counted = this.countAnswer(task.id, graded.passed, graded.message, normalizeAnswer(raw), attempts);
    if (!counted.ok) return counted;
    this.answerCounts.set(task.id, { wrong: counted.value.wrong, passed: counted.value.passed });
    // Refused, not counted: the learner is told why, and the task's state stays as it was.
    if (!counted.value.recorded) return said('conflict', closedWords(attempts ?? 0));
    const shown = this.show(task, graded.passed, message, 0, lang);
    return { ok: true, value: { ...shown, tally: this.tally(task, lang) } };
  }

  /** Reveals the next hint of a task (or the last one again when all are shown). */
  nextHint(taskId: string, lang: Lang = 'en'): Result<HintResponse, SessionError> {
    const task = localizeLab(this.lab, lang).tasks.find((t) => t.id === taskId);
    if (!task) return notFound(`lab ${this.lab.id} has no task "${taskId}"`);
    if (task.hints.length === 0) return notFound(`task "${taskId}" has no hints`);
    const open = this.requireOpen('hints');
    if (!open.ok) return open;
    const shown = this.hintsShown.get(taskId) ?? 0;
    const index = Math.min(shown, task.hints.length - 1);
    const recorded = this.recordFirst('hint', () => this.deps.observer?.onHint(this, taskId, index));
    if (!recorded.ok) return recorded;
    this.hintsShown.set(taskId, Math.max(shown, index + 1));
    return { ok: true, value: { taskId, index, hint: parseHint(task.hints[index]!).text, remaining: task.hints.length - index - 1 } };
  }

  /** The written solution; revealing it is recorded first. */
  revealSolution(lang: Lang = 'en'): Result<string, SessionError> {
    const recorded = this.recordFirst('solution', () => this.deps.observer?.onSolution(this));
    if (!recorded.ok) return recorded;
    return { ok: true, value: localizeLab(this.lab, lang).solution.notes ?? SAY.noWrittenSolution()[lang] };
  }

  /**
   * Runs a script inside the lab as `bash -s` (used by checks, setup, solution, self-test),
   * after the lab's parameters and the `say` function (check-prelude.ts);
   * `protectedTools` (checks): with the backend's tools the learner cannot replace.
   */
  async execScript(script: string, timeoutMs: number, env: Record<string, string> = {}, protectedTools = false): Promise<Result<ExecResult, BackendError>> {
    if (!this.handle) return { ok: false, error: { code: 'gone', message: SAY.notRunning(this.phase).en } };
    return this.deps.backend.exec(this.handle, ['bash', '-s'], { stdin: paramsPrelude(this.params) + CHECK_PRELUDE + script, timeoutMs, protectedTools, env: { KDLABS_LAB: this.lab.id, ...env } });
  }

  /** Records a task result (as the learner read it), then shows it: a result that could not be recorded is an error, never a pass. */
  private record(task: ResolvedTask, passed: boolean, message: Words, durationMs: number, kind: 'check' | 'answer', answer: string | null, lang: Lang): Result<CheckResult, SessionError> {
    const recorded = this.recordFirst(kind, () => this.deps.observer?.onTaskResult(this, { taskId: task.id, kind, passed, message: message[lang], answer }));
    if (!recorded.ok) return recorded;
    if (passed) this.answerCounts.set(task.id, { ...(this.answerCounts.get(task.id) ?? NO_ANSWERS), passed: true });
    return { ok: true, value: this.show(task, passed, message, durationMs, lang) };
  }

  /**
   * Counts an answer against its question's limit where answers are kept: the
   * observer (the progress store, atomically over every session of this learner),
   * or, without one (the self-test), this session's memory by the same rule.
   */
  private countAnswer(taskId: string, passed: boolean, message: string, answer: string, attempts: number | null): Result<AnswerOutcome, SessionError> {
    const observer = this.deps.observer;
    if (!observer) return { ok: true, value: nextAnswerCount(this.answerCounts.get(taskId) ?? NO_ANSWERS, passed, attempts) };
    let outcome = null as AnswerOutcome | null;
    const recorded = this.recordFirst('answer', () => { outcome = observer.onAnswer(this, { taskId, passed, message, answer }, attempts); });
    if (!recorded.ok) return recorded;
    return { ok: true, value: outcome! };
  }

  /** Where a new session's questions stand: the store's counts; a closed question shows as failed from the start. */
  private loadAnswerCounts(): void {
    const observer = this.deps.observer;
    if (!observer) return;
    let counts = new Map() as ReadonlyMap<string, AnswerCount>;
    // Best effort: the store enforces the limit at each answer whatever this view says.
    this.bestEffort('reading answer counts', () => { counts = observer.answerCounts(this); });
    for (const t of this.lab.tasks) {
      const c = counts.get(t.id);
      if (!t.question || !c) continue;
      this.answerCounts.set(t.id, c);
      const rules = this.rulesOf(t);
      if (isClosed(rules, c.wrong, c.passed)) Object.assign(this.tasks.get(t.id)!, { status: 'failed', message: closedWords(rules.attempts ?? 0) });
    }
  }

  /** A question task's state with its tally; other tasks as they are. */
  private withTally(state: TaskState, lang: Lang): TaskState {
    const task = this.lab.tasks.find((t) => t.id === state.id);
    return task?.question ? { ...state, tally: this.tally(task, lang) } : state;
  }

  private tally(task: ResolvedTask, lang: Lang): QuestionTally {
    return questionTally(this.rulesOf(task), this.answerCounts.get(task.id) ?? NO_ANSWERS, lang);
  }

  /**
   * A question's attempt rules bind in a workshop, where answers are graded; a learner
   * practising alone may try as often as they like (nobody could reopen a closed question).
   */
  private rulesOf(task: ResolvedTask): AttemptRules {
    return task.question && this.owner.workshopId !== null ? questionRules(task.question) : NO_ATTEMPT_RULES;
  }

  /** Shows a recorded result in the task's state. */
  private show(task: ResolvedTask, passed: boolean, message: Words, durationMs: number, lang: Lang): CheckResult {
    const state = this.tasks.get(task.id)!;
    const alreadyPassed = state.status === 'passed';
    state.attempts++;
    state.message = message;
    if (passed && !alreadyPassed) { state.status = 'passed'; state.passedAt = new Date().toISOString(); }
    if (!passed && !alreadyPassed) state.status = 'failed';
    return { taskId: task.id, passed, message: message[lang], durationMs, alreadyPassed };
  }

  /** Phase is `starting` or `resetting`; ends `running`, `failed`, or `degraded` when an outage leaves an environment behind. */
  private async bringUp(): Promise<Result<void, SessionError>> {
    this.errorWords = null;
    try {
      this.stage('image', SAY.preparingImage());
      const pre = await this.deps.backend.preflight();
      if (!pre.ok) return this.fail('backend-unavailable', withFix(pre.error));
      let image: string;
      try {
        image = await this.deps.resolveImage(this.lab, (m) => this.stage('image', m));
      } catch (e) {
        return this.fail('start-failed', SAY.imageFailed((e as Error).message));
      }
      this.stage('environment', SAY.startingEnvironment(this.lab.backend));
      const started = await this.deps.backend.start(this.lab, { sessionId: this.id, image, onProgress: (m) => this.stage('environment', m) });
      if (!started.ok) return this.fail(started.error.code === 'backend-unavailable' ? 'backend-unavailable' : 'start-failed', withFix(started.error));
      this.handle = started.value;
      if (this.lab.setup) {
        this.stage('setup', SAY.startingWorkload());
        const r = await this.execScript(this.lab.setup, this.lab.backend === 'vm' ? VM_SETUP_TIMEOUT_MS : SETUP_TIMEOUT_MS);
        if (!r.ok && r.error.code === 'backend-unavailable') return this.abandonStart(r.error, SAY.setupCutOff(r.error.message));
        if (!r.ok || r.value.exitCode !== 0) {
          const detail = r.ok ? lastLines(`${r.value.stdout}\n${r.value.stderr}`.trim()) : r.error.message;
          return this.abandonStart(null, SAY.setupFailed(detail));
        }
      }
      this.stage('ready', SAY.ready());
      this.moveTo('running');
      return OK;
    } catch (e) {
      // A bug: reported, and whatever was created is removed all the same.
      onUnexpectedError(e, `starting session ${this.id}`);
      return this.abandonStart(null, SAY.didNotStart((e as Error).message));
    }
  }

  /** A start that will not finish: remove what it created, then fail; degraded if the backend cannot remove it now. */
  private async abandonStart(outage: BackendError | null, message: Words): Promise<Result<void, SessionError>> {
    if (this.handle) {
      const removed = await this.deps.backend.stop(this.handle);
      if (!removed.ok) {
        this.degrade(removed.error, false);
        return said('backend-unavailable', SAY.withOutage(message, this.errorWords!));
      }
      this.handle = null;
    }
    return this.fail(outage ? 'backend-unavailable' : 'start-failed', message);
  }

  /**
   * The backend cannot be reached: keep the environment (it may still exist), tell
   * the viewers, and let the owner's sweep probe again. `resumable`: may it be used
   * again if it survived (a running lab) or must it be removed (a cut-off start)?
   */
  private degrade(cause: BackendError, resumable: boolean): void {
    const seconds = Math.round((this.deps.outageRetryMs ?? DEFAULT_OUTAGE_RETRY_MS) / 1000);
    const message = SAY.outage(withFix(cause), this.lab.backend, seconds);
    this.errorWords = message;
    if (this.phase === 'degraded') {
      this.resumable &&= resumable;
      return;
    }
    this.moveTo('degraded');
    this.resumable = resumable;
    this.hub.suspend(SAY.waitingForBackend(this.lab.backend));
    this.hub.notify((l) => ({ type: 'notice', code: 'backend-unavailable', message: message[l], deadline: null }));
  }

  private recover(): void {
    this.moveTo('running');
    this.errorWords = null;
    const message = SAY.recovered(this.lab.backend);
    this.hub.notify((l) => ({ type: 'notice', code: 'backend-recovered', message: message[l], deadline: null }));
    this.hub.resume();
  }

  /**
   * A lab over its disk quota (lab.yaml resources.disk) is removed, so one lab cannot fill
   * the host's disk. Measured at each sweep: a lab may overshoot by what it writes in one.
   */
  private async enforceDiskQuota(handle: LabHandle): Promise<void> {
    const quota = this.lab.resources.diskBytes;
    if (!this.deps.backend.diskUsage || quota <= 0) return;
    const used = await this.deps.backend.diskUsage(handle);
    if (!used.ok) return; // cannot tell now; the next sweep asks again
    if (used.value <= quota) return;
    const mib = (b: number): string => `${Math.round(b / 2 ** 20)} MiB`;
    const message = SAY.diskQuota(mib(used.value), mib(quota));
    this.hub.notify((l) => ({ type: 'notice', code: 'disk-quota', message: message[l], deadline: null }));
    await this.gone(message, 'disk-quota');
  }

  /** The environment is gone (or must go): remove what is left, record the end, fail. */
  private async gone(message: Words, reason: StopReason): Promise<void> {
    if (this.handle) {
      const removed = await this.deps.backend.stop(this.handle);
      if (!removed.ok) return this.degrade(removed.error, false);
      this.handle = null;
    }
    this.moveTo('failed');
    this.errorWords = message;
    this.recordStop(reason);
    this.closeTerminal(message);
  }

  private async removeEnvironment(): Promise<Result<void, SessionError>> {
    if (this.handle) {
      const removed = await this.deps.backend.stop(this.handle);
      if (!removed.ok) {
        const notYet = SAY.notRemovedYet(this.lab.backend, removed.error.message, removed.error.code === 'backend-unavailable');
        this.errorWords = removed.error.fix ? { en: `${notYet.en}. ${removed.error.fix}`, ko: `${notYet.ko}. ${removed.error.fix}` } : notYet;
        return said('backend-unavailable', this.errorWords);
      }
      this.handle = null;
    }
    this.errorWords = null;
    this.moveTo('stopped');
    return OK;
  }

  private stage(stage: StartStage, note: ProgressNote): void {
    this.stages.push({ stage, words: typeof note === 'string' ? verbatim(note) : note });
    if (this.stages.length > MAX_PROGRESS_LINES) this.stages.splice(0, this.stages.length - MAX_PROGRESS_LINES);
  }

  private fail(code: SessionError['code'], message: Words): Result<void, SessionError> {
    this.moveTo('failed');
    this.errorWords = message;
    this.recordStop('start-failed');
    this.closeTerminal(message);
    return said(code, message);
  }

  private refuseReset(): Result<void, SessionError> | null {
    switch (this.phase) {
      case 'starting': return said('conflict', SAY.stillStarting());
      case 'resetting': return said('conflict', SAY.alreadyResetting());
      case 'stopping': case 'stopped': return gone(SAY.stoppedStartAgain());
      default: return null;
    }
  }

  private requireRunning(): Result<void, SessionError> {
    if (this.phase === 'running' && this.handle) return OK;
    if (this.phase === 'degraded') return said('backend-unavailable', this.errorWords ?? SAY.backendUnreachable(this.lab.backend));
    if (this.phase === 'stopping' || this.phase === 'stopped') return gone(SAY.stoppedStartAgain());
    return said('conflict', SAY.notRunning(this.phase));
  }

  /** Answers and hints need no environment, but a stopped or failed lab takes none. */
  private requireOpen(what: 'answers' | 'hints'): Result<void, SessionError> {
    if (this.phase === 'stopping' || this.phase === 'stopped') return gone(SAY.stoppedNoAnswers(what));
    if (this.phase === 'failed') return gone(SAY.failedStartAgain(this.errorWords));
    return OK;
  }

  /** Runs an observer call whose result the learner is about to see; a throw becomes an error for the learner. */
  private recordFirst(what: string, call: () => void): Result<void, SessionError> {
    try {
      call();
      return OK;
    } catch (e) {
      onUnexpectedError(e, `recording a ${what} of session ${this.id}`);
      return said('internal', SAY.notRecorded(what, (e as Error).message));
    }
  }

  private recordStop(reason: StopReason): void {
    if (this.stopRecorded) return;
    this.stopRecorded = true;
    this.bestEffort('recording a stop', () => this.deps.observer?.onStop(this, reason));
  }

  private bestEffort(what: string, call: () => void): void {
    try { call(); } catch (e) { onUnexpectedError(e, `${what} of session ${this.id}`); }
  }

  private closeTerminal(message: Words): void {
    this.bestEffort('closing the terminal', () => this.hub.dispose((l) => ({ type: 'error', code: 'session-gone', message: message[l] })));
  }

  private moveTo(to: SessionPhase): void {
    assertTransition(this.currentPhase, to, this.id);
    this.currentPhase = to;
  }

  private createHub(): TerminalHub {
    return new TerminalHub((size, lang) => this.openShell(size, lang));
  }

  private async openShell(size: { cols: number; rows: number }, lang: Lang) {
    if (!this.handle || this.phase !== 'running') return { ok: false as const, error: { code: 'gone' as const, message: SAY.notRunning(this.phase).en } };
    const banner = lang === 'en' ? undefined : this.lab.translations?.[lang]?.file.motd;
    return this.deps.backend.openShell(this.handle, size, banner ? { banner } : {});
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    this.pending++;
    const next = this.queue.then(fn, fn).finally(() => { this.pending--; });
    this.queue = next.catch(() => {});
    return next;
  }
}

export const SESSION_GONE_CLOSE = WS_CLOSE.sessionStopped;

function notFound<T>(message: string): Result<T, SessionError> {
  return { ok: false, error: { code: 'not-found', message } };
}

function gone<T>(message: Words): Result<T, SessionError> {
  return said('gone', message);
}

/** A refusal in every language (`message`: the English). */
function said<T>(code: SessionError['code'], words: Words): Result<T, SessionError> {
  return { ok: false, error: { code, message: words.en, words } };
}

/** A backend's message with the command that fixes it, when it names one. */
function withFix(e: BackendError): Words {
  return SAY.backendError(e.message, e.fix);
}

/** The text for each language `word` gives. */
function wordsFor(word: (lang: Lang) => string): Words {
  return { en: word('en'), ko: word('ko') };
}

/** A closed question's refusal, in every language. */
function closedWords(attempts: number): Words {
  return wordsFor((l) => closedMessage(attempts, l));
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

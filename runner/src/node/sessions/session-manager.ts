// Owns every session of one runner: creation, lookup, idle expiry, liveness,
// orphan reaping at start-up and an idempotent shutdown.
import type { ResolvedLab } from '../../common/lab-schema.ts';
import type { LabBackend } from '../backends/lab-backend.ts';
import { Session, LOCAL_OWNER, type SessionError, type SessionObserver, type SessionOwner, type StopReason } from './session.ts';
import type { Result } from '../backends/lab-backend.ts';
import type { ParamValues } from '../../common/params.ts';

/** A session with no viewer and no request for this long is stopped. */
export const DEFAULT_IDLE_TIMEOUT_MS = 30 * 60_000;
/** How often idle sessions and vanished environments are looked for. */
const SWEEP_INTERVAL_MS = 10_000;
/** Attached terminals are warned this long before an idle lab stops: time to notice and press a key. */
export const DEFAULT_IDLE_WARNING_MS = 2 * 60_000;
/** Concurrent labs per runner by default; each is a container with its own limits. */
export const DEFAULT_MAX_SESSIONS = 40;

export interface SessionManagerOptions {
  runnerName: string;
  labs: Map<string, ResolvedLab>;
  backends: Partial<Record<ResolvedLab['backend'], LabBackend>>;
  resolveImage: (lab: ResolvedLab, onProgress: (msg: string) => void) => Promise<string>;
  idleTimeoutMs?: number;
  /** How long before an idle stop the terminals get a notice (at most half the idle timeout). */
  idleWarningMs?: number;
  sweepIntervalMs?: number;
  maxSessions?: number;
  log?: (line: string) => void;
  /** Told about everything learners do (the progress store). */
  observer?: SessionObserver;
  /** A learner's values of a lab's parameters, when `create` is not given them. */
  paramsFor?: (lab: ResolvedLab, owner: SessionOwner) => ParamValues;
}

export interface CreateOptions {
  owner?: SessionOwner;
  /** Forced parameter values (the self-test); otherwise `paramsFor` picks them. */
  params?: ParamValues;
}

export class SessionManager {
  private readonly sessions = new Map<string, Session>();
  private sweepTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly idleTimeoutMs: number;
  private readonly maxSessions: number;
  private readonly log: (line: string) => void;

  constructor(private readonly opts: SessionManagerOptions) {
    this.idleTimeoutMs = opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    this.maxSessions = opts.maxSessions ?? DEFAULT_MAX_SESSIONS;
    this.log = opts.log ?? (() => {});
  }

  /** Removes what an earlier runner of the same name left behind, then starts sweeping. */
  async init(): Promise<number> {
    let reaped = 0;
    for (const backend of Object.values(this.opts.backends)) {
      const pre = await backend.preflight();
      if (pre.ok) reaped += await backend.reapOrphans(this.opts.runnerName);
    }
    if (reaped) this.log(`removed ${reaped} lab environment(s) left by an earlier runner "${this.opts.runnerName}"`);
    this.sweepTimer = setInterval(() => void this.sweep(), this.opts.sweepIntervalMs ?? SWEEP_INTERVAL_MS);
    this.sweepTimer.unref();
    return reaped;
  }

  get labs(): Map<string, ResolvedLab> { return this.opts.labs; }

  get(id: string): Session | undefined { return this.sessions.get(id); }

  list(): Session[] { return [...this.sessions.values()]; }

  /** One learner's sessions. */
  listFor(learnerId: string): Session[] { return this.list().filter((s) => s.owner.learnerId === learnerId); }

  /** Sessions that hold (or are getting) an environment. */
  live(): Session[] { return this.list().filter((s) => s.phase !== 'stopped' && s.phase !== 'failed'); }

  get capacity(): number { return this.maxSessions; }

  /** Creates a session and starts it in the background; `ready` settles when it runs or failed. */
  create(labId: string, opts: CreateOptions = {}): Result<{ session: Session; ready: Promise<Result<void, SessionError>> }, SessionError | { code: 'capacity'; message: string }> {
    if (this.closed) return { ok: false, error: { code: 'conflict', message: 'the runner is shutting down' } };
    const lab = this.opts.labs.get(labId);
    if (!lab) return { ok: false, error: { code: 'not-found', message: `no lab "${labId}"; known labs: ${[...this.opts.labs.keys()].join(', ') || '(none)'}` } };
    const backend = this.opts.backends[lab.backend];
    if (!backend) return { ok: false, error: { code: 'backend-unavailable', message: `lab ${labId} needs the ${lab.backend} backend, which this runner does not have` } };
    const live = this.list().filter((s) => s.phase !== 'stopped' && s.phase !== 'failed').length;
    if (live >= this.maxSessions) {
      return { ok: false, error: { code: 'capacity', message: `this runner already runs ${live} labs (its limit is ${this.maxSessions}); stop one first` } };
    }
    const owner = opts.owner ?? LOCAL_OWNER;
    const params = opts.params ?? this.opts.paramsFor?.(lab, owner) ?? {};
    const session = new Session(lab, { backend, resolveImage: this.opts.resolveImage, owner, params, observer: this.opts.observer });
    // start() records the session first; if that throws, nothing is registered or started.
    const ready = session.start().then((r) => {
      this.log(`session ${session.id}: ${r.ok ? 'running' : `failed: ${r.error.message}`}`);
      return r;
    });
    this.sessions.set(session.id, session);
    this.log(`session ${session.id}: starting lab ${labId}`);
    return { ok: true, value: { session, ready } };
  }

  async stop(id: string, reason: StopReason = 'stopped'): Promise<boolean> {
    const s = this.sessions.get(id);
    if (!s) return false;
    this.sessions.delete(id);
    await s.stop(reason);
    this.log(`session ${id}: stopped`);
    return true;
  }

  /** Stops every session. Safe to call more than once. */
  async shutdown(): Promise<void> {
    this.closed = true;
    if (this.sweepTimer) { clearInterval(this.sweepTimer); this.sweepTimer = null; }
    const all = [...this.sessions.keys()];
    await Promise.allSettled(all.map((id) => this.stop(id, 'shutdown')));
  }

  private async sweep(): Promise<void> {
    const now = Date.now();
    // Idle means no request and no terminal frame (keys, acks of output); an open
    // but untouched terminal is idle too, and is warned first.
    const warnMs = Math.min(this.opts.idleWarningMs ?? DEFAULT_IDLE_WARNING_MS, this.idleTimeoutMs / 2);
    for (const s of this.list()) {
      const idle = now - s.lastActivity;
      if (idle > this.idleTimeoutMs) {
        this.log(`session ${s.id}: idle for ${Math.round(idle / 60000)} min, stopping`);
        s.notify({ type: 'notice', code: 'idle-stopped', message: 'this lab was idle and has been stopped', deadline: null });
        await this.stop(s.id, 'idle');
        continue;
      }
      if (idle > this.idleTimeoutMs - warnMs && !s.idleWarned && s.phase === 'running') {
        const deadline = new Date(s.lastActivity + this.idleTimeoutMs);
        const secs = Math.max(1, Math.round((deadline.getTime() - now) / 1000));
        // Warned once someone saw it; a terminal that attaches later is warned at the next sweep.
        s.idleWarned = s.notify({ type: 'notice', code: 'idle-warning', message: `this lab has been idle and stops in about ${secs < 120 ? `${secs} s` : `${Math.round(secs / 60)} min`}; press any key to keep it`, deadline: deadline.toISOString() }) > 0;
      }
      const handle = s.labHandle;
      const backend = this.opts.backends[s.lab.backend];
      if (s.phase === 'running' && handle && backend && !(await backend.isAlive(handle))) {
        this.log(`session ${s.id}: its ${s.lab.backend} is gone`);
        await s.markGone(`the lab's ${s.lab.backend} stopped unexpectedly`);
      }
    }
  }
}

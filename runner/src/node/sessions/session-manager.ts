// Owns every session of one runner: creation, lookup, idle expiry, liveness and
// outages (the sweep), orphan reaping (at start-up and periodically) and an
// idempotent shutdown. A session is dropped only once its environment is removed.
import type { BackendKind, ResolvedLab } from '../../common/lab-schema.ts';
import type { LabBackend, Result } from '../backends/lab-backend.ts';
import { Session, LOCAL_OWNER, type SessionDeps, type SessionError, type SessionObserver, type SessionOwner, type StopReason } from './session.ts';
import { holdsEnvironment } from './session-phase.ts';
import { labMemoryBytes, memoryRefusal, readHostMemory, type HostMemory } from './memory-admission.ts';
import type { ParamValues } from '../../common/params.ts';
import { DisposableStore, toDisposable } from '../util/disposable.ts';
import { fireAndForget, onUnexpectedError } from '../util/unexpected-error.ts';
import type { Words } from '../../common/langs.ts';
import { SAY } from './session-words.ts';

/** A session with no viewer and no request for this long is stopped. */
export const DEFAULT_IDLE_TIMEOUT_MS = 30 * 60_000;
/** How often idle sessions, vanished or unreachable environments and pending removals are looked at. */
export const DEFAULT_SWEEP_INTERVAL_MS = 10_000;
/**
 * How often environments no session owns are removed (a start an outage cut off, a
 * runner killed mid-stop): rarer than the sweep, as it lists every container.
 */
export const DEFAULT_REAP_INTERVAL_MS = 5 * 60_000;
/** Attached terminals are warned this long before an idle lab stops: time to notice and press a key. */
export const DEFAULT_IDLE_WARNING_MS = 2 * 60_000;
/** Concurrent labs per runner by default; each is a container with its own limits. */
export const DEFAULT_MAX_SESSIONS = 40;

export interface SessionManagerOptions {
  runnerName: string;
  labs: Map<string, ResolvedLab>;
  backends: Partial<Record<ResolvedLab['backend'], LabBackend>>;
  resolveImage: SessionDeps['resolveImage'];
  idleTimeoutMs?: number;
  /** How long before an idle stop the terminals get a notice (at most half the idle timeout). */
  idleWarningMs?: number;
  sweepIntervalMs?: number;
  reapIntervalMs?: number;
  maxSessions?: number;
  log?: (line: string) => void;
  /** Told about everything learners do (the progress store). */
  observer?: SessionObserver;
  /** A learner's values of a lab's parameters, when `create` is not given them. */
  paramsFor?: (lab: ResolvedLab, owner: SessionOwner) => ParamValues;
  /** The host's memory now (tests give a fixed one); null: unknown, admission counts sessions only. */
  hostMemory?: () => HostMemory | null;
  /** Backends whose labs run on other machines (a swarm's nodes): they take none of this host's memory; their scheduler admits them. */
  remoteBackends?: ReadonlySet<BackendKind>;
}

export interface CreateOptions {
  owner?: SessionOwner;
  /** Forced parameter values (the self-test); otherwise `paramsFor` picks them. */
  params?: ParamValues;
}

export class SessionManager {
  private readonly sessions = new Map<string, Session>();
  private readonly disposables = new DisposableStore();
  private closed = false;
  private sweeping = false;
  private reaping = false;
  private readonly idleTimeoutMs: number;
  private readonly sweepIntervalMs: number;
  private readonly maxSessions: number;
  private readonly log: (line: string) => void;

  constructor(private readonly opts: SessionManagerOptions) {
    this.idleTimeoutMs = opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    this.sweepIntervalMs = opts.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS;
    this.maxSessions = opts.maxSessions ?? DEFAULT_MAX_SESSIONS;
    this.log = opts.log ?? (() => {});
  }

  /** Removes what an earlier runner of the same name left behind, then starts sweeping and reaping. */
  async init(): Promise<number> {
    const reaped = await this.reapOrphans();
    if (reaped) this.log(`removed ${reaped} lab environment(s) left by an earlier runner "${this.opts.runnerName}"`);
    this.every(this.sweepIntervalMs, () => this.tickSweep());
    this.every(this.opts.reapIntervalMs ?? DEFAULT_REAP_INTERVAL_MS, () => this.tickReap());
    return reaped;
  }

  get labs(): Map<string, ResolvedLab> { return this.opts.labs; }

  get(id: string): Session | undefined { return this.sessions.get(id); }

  list(): Session[] { return [...this.sessions.values()]; }

  /** One learner's sessions. */
  listFor(learnerId: string): Session[] { return this.list().filter((s) => s.owner.learnerId === learnerId); }

  /** Sessions that hold (or are getting, or may still have) an environment. */
  live(): Session[] { return this.list().filter((s) => holdsEnvironment(s.phase)); }

  get capacity(): number { return this.maxSessions; }

  /** Creates a session and starts it in the background; `ready` settles (never rejects) when it runs or failed. */
  create(labId: string, opts: CreateOptions = {}): Result<{ session: Session; ready: Promise<Result<void, SessionError>> }, SessionError | { code: 'capacity'; message: string; words: Words }> {
    if (this.closed) return { ok: false, error: { code: 'conflict', message: SAY.shuttingDown().en, words: SAY.shuttingDown() } };
    const lab = this.opts.labs.get(labId);
    if (!lab) return { ok: false, error: { code: 'not-found', message: `no lab "${labId}"; known labs: ${[...this.opts.labs.keys()].join(', ') || '(none)'}` } };
    const backend = this.opts.backends[lab.backend];
    if (!backend) return { ok: false, error: { code: 'backend-unavailable', message: `lab ${labId} needs the ${lab.backend} backend, which this runner does not have` } };
    const live = this.live().length;
    if (live >= this.maxSessions) {
      const full = SAY.runnerFull(live, this.maxSessions);
      return { ok: false, error: { code: 'capacity', message: full.en, words: full } };
    }
    const remote = this.opts.remoteBackends ?? new Set<BackendKind>();
    const memory = remote.has(lab.backend) ? null : (this.opts.hostMemory ?? readHostMemory)();
    if (memory) {
      const committed = this.live().filter((s) => !remote.has(s.lab.backend)).reduce((sum, s) => sum + labMemoryBytes(s.lab), 0);
      const refusal = memoryRefusal(labId, labMemoryBytes(lab), committed, memory);
      if (refusal) return { ok: false, error: { code: 'capacity', message: refusal.en, words: refusal } };
    }
    const owner = opts.owner ?? LOCAL_OWNER;
    const params = opts.params ?? this.opts.paramsFor?.(lab, owner) ?? {};
    const session = new Session(lab, {
      backend, resolveImage: this.opts.resolveImage, owner, params, observer: this.opts.observer, outageRetryMs: this.sweepIntervalMs,
    });
    // start() records the session first; if that throws, nothing is registered or started.
    const ready = session.start().then(
      (r) => {
        this.log(`session ${session.id}: ${r.ok ? 'running' : `${session.phase}: ${r.error.message}`}`);
        return r;
      },
      (e: unknown): Result<void, SessionError> => {
        onUnexpectedError(e, `starting session ${session.id}`);
        return { ok: false, error: { code: 'internal', message: `the lab did not start: ${(e as Error).message}` } };
      },
    );
    this.sessions.set(session.id, session);
    this.log(`session ${session.id}: starting lab ${labId}`);
    return { ok: true, value: { session, ready } };
  }

  /**
   * Stops a session and drops it once its environment is removed. While the backend
   * cannot remove it (an outage) the session stays, `stopping`, and the sweep retries.
   */
  async stop(id: string, reason: StopReason = 'stopped'): Promise<Result<void, SessionError>> {
    const s = this.sessions.get(id);
    if (!s) return { ok: false, error: { code: 'not-found', message: `no session ${id}` } };
    const r = await this.stopAndDrop(s, reason);
    if (!r.ok) this.log(`session ${id}: stop pending: ${r.error.message}`);
    return r;
  }

  private async stopAndDrop(s: Session, reason: StopReason): Promise<Result<void, SessionError>> {
    const r = await s.stop(reason);
    if (r.ok && this.sessions.get(s.id) === s) {
      this.sessions.delete(s.id);
      this.log(`session ${s.id}: stopped`);
    }
    return r;
  }

  /** Stops every session. Safe to call more than once. */
  async shutdown(): Promise<void> {
    this.closed = true;
    this.disposables.dispose();
    const all = [...this.sessions.keys()];
    const results = await Promise.allSettled(all.map((id) => this.stop(id, 'shutdown')));
    const left = results.filter((r) => r.status === 'rejected' || !r.value.ok).length;
    if (left) {
      this.log(`${left} lab environment(s) could not be removed (their backend is unreachable); the next runner named "${this.opts.runnerName}" removes them when it starts`);
    }
  }

  private every(ms: number, tick: () => void): void {
    const timer = setInterval(tick, ms);
    timer.unref();
    this.disposables.add(toDisposable(() => clearInterval(timer)));
  }

  /** One sweep at a time: a slow backend must not pile sweeps up. */
  private tickSweep(): void {
    if (this.sweeping || this.closed) return;
    this.sweeping = true;
    fireAndForget(this.sweep().finally(() => { this.sweeping = false; }), 'the session sweep');
  }

  private tickReap(): void {
    if (this.reaping || this.closed) return;
    this.reaping = true;
    fireAndForget(this.reapOrphans().then((n) => {
      if (n) this.log(`removed ${n} lab environment(s) no session owned`);
    }).finally(() => { this.reaping = false; }), 'reaping orphaned lab environments');
  }

  private async sweep(): Promise<void> {
    const now = Date.now();
    await Promise.all(this.list().map(async (s) => {
      try {
        await this.sweepOne(s, now);
      } catch (e) {
        onUnexpectedError(e, `sweeping session ${s.id}`);
      }
    }));
  }

  private async sweepOne(s: Session, now: number): Promise<void> {
    // An action in progress finds outages itself; the sweep looks again next time.
    if (s.busy) return;
    if (s.phase === 'stopping') {
      // A removal an outage held up: retried quietly (the stop that started it was logged).
      await this.stopAndDrop(s, 'stopped');
      return;
    }
    // Idle means no request and no terminal frame (keys, acks of output); an open
    // but untouched terminal is idle too, and is warned first.
    const warnMs = Math.min(this.opts.idleWarningMs ?? DEFAULT_IDLE_WARNING_MS, this.idleTimeoutMs / 2);
    const idle = now - s.lastActivity;
    if (idle > this.idleTimeoutMs - warnMs && s.idleDeadline === null && s.phase === 'running') {
      // A sweep that comes late (a loaded host) still warns first and leaves half the warning time to press a key.
      const deadline = Math.max(s.lastActivity + this.idleTimeoutMs, now + warnMs / 2);
      const secs = Math.max(1, Math.round((deadline - now) / 1000));
      // Set once someone saw it; a terminal that attaches later is warned at the next sweep.
      const warning = SAY.idleWarning(secs);
      const seen = s.notify((l) => ({ type: 'notice', code: 'idle-warning', message: warning[l], deadline: new Date(deadline).toISOString() })) > 0;
      if (seen) s.idleDeadline = deadline;
    }
    if (idle > this.idleTimeoutMs && (s.idleDeadline === null || now >= s.idleDeadline)) {
      this.log(`session ${s.id}: idle for ${Math.round(idle / 60000)} min, stopping`);
      s.notify((l) => ({ type: 'notice', code: 'idle-stopped', message: SAY.idleStopped()[l], deadline: null }));
      await this.stop(s.id, 'idle');
      return;
    }
    if (s.phase === 'running' || s.phase === 'degraded') {
      const before = s.phase;
      await s.probe();
      if (s.phase !== before) this.log(`session ${s.id}: ${before} → ${s.phase}${s.error ? `: ${s.error}` : ''}`);
    }
  }

  /** Removes environments of this runner's name that no session here owns; a backend that is away is tried next time. */
  private async reapOrphans(): Promise<number> {
    let reaped = 0;
    // Asked per environment after listing: a session created meanwhile is already registered.
    const keep = (sessionId: string): boolean => {
      const s = this.sessions.get(sessionId);
      return s !== undefined && (holdsEnvironment(s.phase) || s.labHandle !== null);
    };
    for (const [kind, backend] of Object.entries(this.opts.backends)) {
      const r = await backend.reapOrphans(this.opts.runnerName, keep);
      if (r.ok) reaped += r.value;
      else this.log(`orphaned ${kind} environments not reaped now: ${r.error.message}`);
    }
    return reaped;
  }
}

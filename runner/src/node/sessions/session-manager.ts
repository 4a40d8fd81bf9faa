// Owns every session of one runner: creation, lookup, idle expiry, liveness,
// orphan reaping at start-up and an idempotent shutdown.
import type { ResolvedLab } from '../../common/lab-schema.ts';
import type { LabBackend } from '../backends/lab-backend.ts';
import { Session, type SessionError } from './session.ts';
import type { Result } from '../backends/lab-backend.ts';

/** A session with no viewer and no request for this long is stopped. */
export const DEFAULT_IDLE_TIMEOUT_MS = 30 * 60_000;
/** How often idle sessions and vanished environments are looked for. */
const SWEEP_INTERVAL_MS = 10_000;
/** Concurrent labs per runner by default; each is a container with its own limits. */
export const DEFAULT_MAX_SESSIONS = 40;

export interface SessionManagerOptions {
  runnerName: string;
  labs: Map<string, ResolvedLab>;
  backends: Partial<Record<ResolvedLab['backend'], LabBackend>>;
  resolveImage: (lab: ResolvedLab, onProgress: (msg: string) => void) => Promise<string>;
  idleTimeoutMs?: number;
  maxSessions?: number;
  log?: (line: string) => void;
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
    this.sweepTimer = setInterval(() => void this.sweep(), SWEEP_INTERVAL_MS);
    this.sweepTimer.unref();
    return reaped;
  }

  get labs(): Map<string, ResolvedLab> { return this.opts.labs; }

  get(id: string): Session | undefined { return this.sessions.get(id); }

  list(): Session[] { return [...this.sessions.values()]; }

  /** Creates a session and starts it in the background; `ready` settles when it runs or failed. */
  create(labId: string): Result<{ session: Session; ready: Promise<Result<void, SessionError>> }, SessionError | { code: 'capacity'; message: string }> {
    if (this.closed) return { ok: false, error: { code: 'conflict', message: 'the runner is shutting down' } };
    const lab = this.opts.labs.get(labId);
    if (!lab) return { ok: false, error: { code: 'not-found', message: `no lab "${labId}"; known labs: ${[...this.opts.labs.keys()].join(', ') || '(none)'}` } };
    const backend = this.opts.backends[lab.backend];
    if (!backend) return { ok: false, error: { code: 'backend-unavailable', message: `lab ${labId} needs the ${lab.backend} backend, which this runner does not have` } };
    const live = this.list().filter((s) => s.phase !== 'stopped' && s.phase !== 'failed').length;
    if (live >= this.maxSessions) {
      return { ok: false, error: { code: 'capacity', message: `this runner already runs ${live} labs (its limit is ${this.maxSessions}); stop one first` } };
    }
    const session = new Session(lab, { backend, resolveImage: this.opts.resolveImage });
    this.sessions.set(session.id, session);
    this.log(`session ${session.id}: starting lab ${labId}`);
    const ready = session.start().then((r) => {
      this.log(`session ${session.id}: ${r.ok ? 'running' : `failed: ${r.error.message}`}`);
      return r;
    });
    return { ok: true, value: { session, ready } };
  }

  async stop(id: string): Promise<boolean> {
    const s = this.sessions.get(id);
    if (!s) return false;
    this.sessions.delete(id);
    await s.stop();
    this.log(`session ${id}: stopped`);
    return true;
  }

  /** Stops every session. Safe to call more than once. */
  async shutdown(): Promise<void> {
    this.closed = true;
    if (this.sweepTimer) { clearInterval(this.sweepTimer); this.sweepTimer = null; }
    const all = [...this.sessions.keys()];
    await Promise.allSettled(all.map((id) => this.stop(id)));
  }

  private async sweep(): Promise<void> {
    const now = Date.now();
    for (const s of this.list()) {
      if (s.terminal.viewerCount > 0) s.touch();
      if (now - s.lastActivity > this.idleTimeoutMs) {
        this.log(`session ${s.id}: idle for ${Math.round((now - s.lastActivity) / 60000)} min, stopping`);
        await this.stop(s.id);
        continue;
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

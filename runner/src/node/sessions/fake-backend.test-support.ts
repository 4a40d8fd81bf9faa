// A LabBackend for unit tests of session logic only (integration tests use the
// real Docker Engine). Every call can be held on a promise the test releases,
// and the "engine" can be made unreachable, so races and outages are replayed
// step by step.
import type { ResolvedLab } from '../../common/lab-schema.ts';
import type {
  BackendError, ExecOptions, ExecResult, LabBackend, LabHandle, Result, ShellStream, StartOptions, TermSize,
} from '../backends/lab-backend.ts';
import type { TerminalViewer } from './terminal-hub.ts';
import type { ServerMessage } from '../../common/protocol.ts';
import type { Lang } from '../../common/langs.ts';

type Method = 'preflight' | 'start' | 'openShell' | 'exec' | 'isAlive' | 'stop' | 'reapOrphans' | 'listOwned';

export interface Deferred<T> { promise: Promise<T>; resolve(v: T): void }
export function deferred<T = void>(): Deferred<T> {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => { resolve = r; });
  return { promise, resolve };
}

/** Lets queued promise callbacks run (the fake never touches real timers). */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}

export class FakeShell implements ShellStream {
  disposed = false;
  readonly written: string[] = [];
  private dataListeners: Array<(c: Buffer) => void> = [];
  private exitListeners: Array<() => void> = [];
  constructor(readonly envRef: string) {}
  write(data: string | Buffer): boolean { this.written.push(String(data)); return true; }
  onDrain(_l: () => void): void {}
  async resize(_size: TermSize): Promise<void> {}
  onData(l: (c: Buffer) => void): void { this.dataListeners.push(l); }
  onExit(l: () => void): void { this.exitListeners.push(l); }
  pause(): void {}
  resume(): void {}
  dispose(): void { this.disposed = true; }
  emit(text: string): void { for (const l of this.dataListeners) l(Buffer.from(text)); }
  exit(): void { for (const l of this.exitListeners) l(); }
}

export class FakeBackend implements LabBackend {
  readonly kind = 'container' as const;
  /** false: every call answers backend-unavailable, as with Docker's socket cut. */
  reachable = true;
  /** Environments that exist, by ref (a cut does not remove them). */
  readonly existing = new Set<string>();
  /** ref → session id of every environment ever started. */
  readonly sessionOf = new Map<string, string>();
  readonly shells: FakeShell[] = [];
  readonly calls: Array<{ method: Method; ref?: string }> = [];
  /** What exec answers (setup and checks); exit 0 by default. */
  execResult: (command: string[], opts: ExecOptions) => ExecResult = () => ({ exitCode: 0, stdout: 'ok', stderr: '', timedOut: false, durationMs: 1 });
  private held = new Map<Method, Array<Deferred<void>>>();
  private entered = new Map<Method, Array<() => void>>();
  private next = 1;

  /** The next call of `method` waits until release() is called; `entered` settles once it is waiting. */
  hold(method: Method): { entered: Promise<void>; release(): void } {
    const gate = deferred();
    const list = this.held.get(method) ?? [];
    list.push(gate);
    this.held.set(method, list);
    const entered = new Promise<void>((resolve) => {
      const waiters = this.entered.get(method) ?? [];
      waiters.push(resolve);
      this.entered.set(method, waiters);
    });
    return { entered, release: () => gate.resolve() };
  }

  count(method: Method): number { return this.calls.filter((c) => c.method === method).length; }

  /** An environment some earlier runner left (for orphan reaping). */
  addOrphan(sessionId: string): string {
    const ref = `env-${this.next++}`;
    this.existing.add(ref);
    this.sessionOf.set(ref, sessionId);
    return ref;
  }

  async preflight(): Promise<Result<string, BackendError>> {
    await this.enter('preflight');
    return this.reachable ? { ok: true, value: 'fake engine' } : this.down();
  }

  async start(lab: ResolvedLab, opts: StartOptions): Promise<Result<LabHandle, BackendError>> {
    await this.enter('start');
    if (!this.reachable) return this.down();
    const ref = `env-${this.next++}`;
    this.existing.add(ref);
    this.sessionOf.set(ref, opts.sessionId);
    return { ok: true, value: { backend: 'container', sessionId: opts.sessionId, labId: lab.id, ref } };
  }

  /** Held after the shell exists: the shell is open, its answer is on the way (the race with a reset). */
  async openShell(handle: LabHandle, _size: TermSize): Promise<Result<ShellStream, BackendError>> {
    if (!this.reachable) { this.calls.push({ method: 'openShell', ref: handle.ref }); return this.down(); }
    if (!this.existing.has(handle.ref)) { this.calls.push({ method: 'openShell', ref: handle.ref }); return { ok: false, error: { code: 'gone', message: 'no such environment' } }; }
    const shell = new FakeShell(handle.ref);
    this.shells.push(shell);
    await this.enter('openShell', handle.ref);
    return { ok: true, value: shell };
  }

  async exec(handle: LabHandle, command: string[], opts: ExecOptions): Promise<Result<ExecResult, BackendError>> {
    await this.enter('exec', handle.ref);
    if (!this.reachable) return this.down();
    if (!this.existing.has(handle.ref)) return { ok: false, error: { code: 'gone', message: 'no such environment' } };
    return { ok: true, value: this.execResult(command, opts) };
  }

  async isAlive(handle: LabHandle): Promise<Result<boolean, BackendError>> {
    await this.enter('isAlive', handle.ref);
    if (!this.reachable) return this.down();
    return { ok: true, value: this.existing.has(handle.ref) };
  }

  /** What diskUsage reports per environment (0 when unset). */
  readonly written = new Map<string, number>();

  async diskUsage(handle: LabHandle): Promise<Result<number, BackendError>> {
    if (!this.reachable) return this.down();
    return { ok: true, value: this.written.get(handle.ref) ?? 0 };
  }

  async stop(handle: LabHandle): Promise<Result<void, BackendError>> {
    await this.enter('stop', handle.ref);
    if (!this.reachable) return this.down();
    this.existing.delete(handle.ref);
    return { ok: true, value: undefined };
  }

  async reapOrphans(_runnerName: string, keep: (sessionId: string) => boolean = () => false): Promise<Result<number, BackendError>> {
    await this.enter('reapOrphans');
    if (!this.reachable) return this.down();
    let n = 0;
    for (const ref of [...this.existing]) {
      if (keep(this.sessionOf.get(ref) ?? '')) continue;
      this.existing.delete(ref);
      n++;
    }
    return { ok: true, value: n };
  }

  async listOwned(_runnerName: string): Promise<Result<string[], BackendError>> {
    await this.enter('listOwned');
    if (!this.reachable) return this.down();
    return { ok: true, value: [...this.existing] };
  }

  private async enter(method: Method, ref?: string): Promise<void> {
    this.calls.push({ method, ref });
    const waiter = this.entered.get(method)?.shift();
    const gate = this.held.get(method)?.shift();
    waiter?.();
    if (gate) await gate.promise;
  }

  private down(): { ok: false; error: BackendError } {
    return { ok: false, error: { code: 'backend-unavailable', message: 'Docker Engine is unreachable at /fake.sock (socket hang up)', fix: 'Start it with: dockerd' } };
  }
}

/** A terminal viewer that remembers what it was sent. */
export class FakeViewer implements TerminalViewer {
  constructor(readonly lang?: Lang) {}
  readonly messages: ServerMessage[] = [];
  output = '';
  sendOutput(chunk: Buffer): void { this.output += chunk.toString(); }
  sendMessage(message: ServerMessage): void { this.messages.push(message); }
  bufferedAmount(): number { return 0; }
  pauseInput(): void {}
  resumeInput(): void {}
}

/** A small lab: one checked task, one question with a hint. */
export function fakeLab(id = 'fake-lab'): ResolvedLab {
  return {
    id, title: 'Fake lab', level: 'beginner', order: 100, summary: 'A lab for unit tests.', minutes: 5, backend: 'container',
    image: { base: 'base', labLayerDir: null },
    resources: { memoryBytes: 64 * 1024 * 1024, pids: 64, cpus: 1, diskBytes: 256 * 1024 * 1024 },
    capabilities: [], vm: null, params: [], dir: '/nonexistent', setup: 'echo setup',
    steps: [{ file: 'steps/01.md', title: 'Look', markdown: '# Look' }],
    tasks: [
      { id: 'fix-it', title: 'Fix it', step: 1, hints: [], check: { script: 'true', timeoutSeconds: 5 }, question: null },
      {
        id: 'name-it', title: 'Name it', step: 1, hints: ['look at strace'], check: null,
        question: { prompt: 'Which?', placeholder: '', answer: { pattern: '^write$', example: 'write' } },
      },
    ],
    solution: { script: 'true', notes: 'the fix', timeoutSeconds: 60 },
    selftest: { symptom: 'true', timeoutSeconds: 60 },
  };
}

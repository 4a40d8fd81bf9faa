// The one interface every lab environment implements: `docker` (container.ts
// via dockerode) now, `qemu` next. Expected failures come back as typed
// errors; anything thrown is a bug.
import type { BackendKind, ResolvedLab } from '../../common/lab-schema.ts';

export interface TermSize { cols: number; rows: number }

export type Result<T, E> = { ok: true; value: T } | { ok: false; error: E };

export type BackendErrorCode = 'backend-unavailable' | 'image-missing' | 'start-failed' | 'capacity' | 'gone';
export interface BackendError { code: BackendErrorCode; message: string }

/** A running lab environment. Opaque to everything but its backend. */
export interface LabHandle {
  readonly backend: BackendKind;
  readonly sessionId: string;
  readonly labId: string;
  /** Container id or VM name, for logs and for the self-test's leak check. */
  readonly ref: string;
}

/** An interactive shell in the lab, with a TTY. */
export interface ShellStream {
  write(data: string | Buffer): void;
  resize(size: TermSize): Promise<void>;
  onData(listener: (chunk: Buffer) => void): void;
  onExit(listener: () => void): void;
  /** Stop reading output: the TTY fills up and the writer blocks, so memory stays bounded. */
  pause(): void;
  resume(): void;
  dispose(): void;
}

export interface ExecOptions {
  /** Text fed to the command's standard input (scripts run as `bash -s`). */
  stdin?: string;
  timeoutMs: number;
  env?: Record<string, string>;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  durationMs: number;
}

export interface StartOptions {
  sessionId: string;
  /** Image reference from the image builder. */
  image: string;
  onProgress?: (message: string) => void;
}

export interface LabBackend {
  readonly kind: BackendKind;
  /** Is the backend usable at all? The message names the command that fixes it. */
  preflight(): Promise<Result<string, BackendError>>;
  start(lab: ResolvedLab, opts: StartOptions): Promise<Result<LabHandle, BackendError>>;
  openShell(handle: LabHandle, size: TermSize): Promise<Result<ShellStream, BackendError>>;
  exec(handle: LabHandle, command: string[], opts: ExecOptions): Promise<Result<ExecResult, BackendError>>;
  isAlive(handle: LabHandle): Promise<boolean>;
  /** Removes the environment. Idempotent: stopping a stopped lab is fine. */
  stop(handle: LabHandle): Promise<void>;
  /** Removes environments left by an earlier runner of the same name; returns how many. */
  reapOrphans(runnerName: string): Promise<number>;
  /** Environments this runner name owns right now (the self-test's leak check). */
  listOwned(runnerName: string): Promise<string[]>;
}

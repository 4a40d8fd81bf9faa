// The one interface every lab environment implements: containers (container.ts,
// via dockerode) and virtual machines (qemu/). Expected failures, an unreachable
// backend included, come back as typed errors; anything thrown is a bug.
import type { BackendKind, ResolvedLab } from '../../common/lab-schema.ts';
import type { Words } from '../../common/langs.ts';
import type { PoolNodeStatus } from '../../common/pool-status.ts';

export interface TermSize { cols: number; rows: number }

export type Result<T, E> = { ok: true; value: T } | { ok: false; error: E };

/**
 * backend-unavailable: the backend itself cannot be reached (Docker Engine's socket, a
 * QEMU process's monitor); the environment may still exist. gone: the environment does
 * not exist (any more). remove-failed: the backend answered but could not remove it.
 */
export type BackendErrorCode = 'backend-unavailable' | 'image-missing' | 'start-failed' | 'capacity' | 'gone' | 'remove-failed';
export interface BackendError {
  code: BackendErrorCode;
  message: string;
  /** What to run to fix it (start dockerd, …), when there is such a thing. */
  fix?: string;
}

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
  /**
   * Sends input to the lab. False means input is piling up in front of the lab (it is not
   * reading): write no more until onDrain fires, so held input stays bounded.
   */
  write(data: string | Buffer): boolean;
  /** Input held in front of the lab has been taken; called after a write returned false. */
  onDrain(listener: () => void): void;
  resize(size: TermSize): Promise<void>;
  onData(listener: (chunk: Buffer) => void): void;
  onExit(listener: () => void): void;
  /** Stop reading output: the TTY fills up and the writer blocks, so memory stays bounded. */
  pause(): void;
  resume(): void;
  dispose(): void;
}

/** PATH of commands the runner runs in a lab (container or guest): the bundled tools (kdiag, ktrace) first. */
export const LAB_TOOL_PATH = '/opt/kdlabs/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface ExecOptions {
  /** Text fed to the command's standard input (scripts run as `bash -s`). */
  stdin?: string;
  timeoutMs: number;
  env?: Record<string, string>;
  /**
   * Run a `bash` command and the tools it calls from the backend's protected tool set
   * (a check): the learner is root in the lab and may have replaced or shadowed the lab's own.
   */
  protectedTools?: boolean;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  durationMs: number;
}

export interface ShellOptions {
  /** Printed before the login shell starts, in place of the image's motd; absent: the image's own. */
  banner?: string;
}

export interface StartOptions {
  sessionId: string;
  /** Image reference from the image builder. */
  image: string;
  /** A line for the start's progress: the backend's own words in every language, or a tool's line as it is. */
  onProgress?: (note: string | Words) => void;
}

export interface LabBackend {
  readonly kind: BackendKind;
  /** Is the backend usable at all? The message names the command that fixes it. */
  preflight(): Promise<Result<string, BackendError>>;
  start(lab: ResolvedLab, opts: StartOptions): Promise<Result<LabHandle, BackendError>>;
  /** `opts.banner`: what the shell opens with instead of the image's own banner (the lab's motd in the learner's language). */
  openShell(handle: LabHandle, size: TermSize, opts?: ShellOptions): Promise<Result<ShellStream, BackendError>>;
  exec(handle: LabHandle, command: string[], opts: ExecOptions): Promise<Result<ExecResult, BackendError>>;
  /** Does the environment still run? An error means the backend cannot tell now (unreachable), not that it is gone. */
  isAlive(handle: LabHandle): Promise<Result<boolean, BackendError>>;
  /** The machines a backend that runs labs on several spreads them over, with this runner's labs on each; absent: this machine only. */
  pool?(): Promise<Result<PoolNodeStatus[], BackendError>>;
  /** After isAlive said false: why the environment went, where the backend knows (a machine drained or lost). */
  whyGone?(handle: LabHandle): Words | null;
  /**
   * Bytes the environment has written to the host's disk beyond its image, where nothing
   * else bounds them (a container's writable layer); absent where a fixed-size virtual
   * disk already does (a VM). The session stops a lab that goes over its quota.
   */
  diskUsage?(handle: LabHandle): Promise<Result<number, BackendError>>;
  /**
   * Removes the environment. Idempotent: stopping a stopped lab is fine. An error means
   * it may still exist (the backend is unreachable or refused): the caller keeps the
   * handle and tries again.
   */
  stop(handle: LabHandle): Promise<Result<void, BackendError>>;
  /**
   * Removes environments of this runner name that no live session owns (left by an earlier
   * runner, or by a start an outage interrupted); `keep` says which session ids are owned.
   * Returns how many it removed.
   */
  reapOrphans(runnerName: string, keep?: (sessionId: string) => boolean): Promise<Result<number, BackendError>>;
  /** Environments this runner name owns right now (the self-test's leak check). */
  listOwned(runnerName: string): Promise<Result<string[], BackendError>>;
}

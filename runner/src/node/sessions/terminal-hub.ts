// One lab shell shared by every connected viewer (browser tabs, the CLI).
// The shell outlives its viewers: a reload re-attaches to the same shell.
// Flow control follows the xterm.js guide: each viewer acknowledges the bytes
// it has processed; above the high watermark the hub stops reading the shell,
// so the TTY fills, the writer blocks, and nothing piles up in the runner.
// A headless copy of the screen (ScreenMirror) lets a re-attaching viewer start
// from the screen as it is: the viewer gets it first, then live output.
import { FLOW_HIGH_WATERMARK, FLOW_LOW_WATERMARK, type ServerMessage } from '../../common/protocol.ts';
import type { BackendError, Result, ShellStream, TermSize } from '../backends/lab-backend.ts';
import { ScreenMirror } from './screen-mirror.ts';

/** Polling period while paused because a socket, not the ack count, is behind. */
const SOCKET_BACKLOG_POLL_MS = 25;

export const DEFAULT_TERM_SIZE: TermSize = { cols: 120, rows: 32 };

export interface TerminalViewer {
  sendOutput(chunk: Buffer): void;
  sendMessage(message: ServerMessage): void;
  /** Bytes queued in the viewer's socket but not yet sent. */
  bufferedAmount(): number;
}

export type OpenShell = (size: TermSize) => Promise<Result<ShellStream, BackendError>>;

interface ViewerState {
  viewer: TerminalViewer;
  unacked: number;
  /** Output that arrived while this viewer's screen snapshot was being taken; sent right after it. */
  pending: Buffer[] | null;
}

export class TerminalHub {
  private shell: ShellStream | null = null;
  private opening: Promise<void> | null = null;
  private readonly viewers = new Set<ViewerState>();
  private paused = false;
  private pollTimer: NodeJS.Timeout | null = null;
  private disposed = false;
  private suspended = false;
  private size: TermSize = DEFAULT_TERM_SIZE;
  private readonly mirror = new ScreenMirror(DEFAULT_TERM_SIZE);

  constructor(private readonly openShell: OpenShell) {}

  get termSize(): TermSize { return this.size; }

  get viewerCount(): number { return this.viewers.size; }

  /** Adds a viewer; returns its handle. Opens the shell if none runs. */
  attach(viewer: TerminalViewer): ViewerHandle {
    const state: ViewerState = { viewer, unacked: 0, pending: [] };
    this.viewers.add(state);
    this.mirror.snapshot((screen) => {
      if (!this.viewers.has(state)) return;
      viewer.sendMessage({ type: 'screen', data: screen, cols: this.size.cols, rows: this.size.rows });
      const held = state.pending ?? [];
      state.pending = null;
      for (const chunk of held) viewer.sendOutput(chunk);
    });
    void this.ensureShell();
    this.updateFlow();
    return {
      input: (data) => { void this.ensureShell().then(() => this.shell?.write(data)); },
      resize: (size) => { this.size = size; this.mirror.resize(size); void this.shell?.resize(size); },
      ack: (bytes) => { state.unacked = Math.max(0, state.unacked - bytes); this.updateFlow(); },
      detach: () => { this.viewers.delete(state); this.updateFlow(); },
    };
  }

  /**
   * Ends the current shell and opens none until resume() (the lab is being reset:
   * its old environment is going away). Viewers stay attached and are told.
   */
  suspend(detail: string): void {
    this.suspended = true;
    this.broadcast({ type: 'state', state: 'restarting', detail });
    this.closeShell();
    this.mirror.clear();
  }

  /** The environment is back: viewers get a new shell in it. */
  resume(): void {
    this.suspended = false;
    if (this.viewers.size) void this.ensureShell();
  }

  /** Tells every viewer attached now something (an idle warning, the workshop ending); returns how many. */
  notify(message: ServerMessage): number {
    this.broadcast(message);
    return this.viewers.size;
  }

  dispose(finalMessage?: ServerMessage): void {
    if (this.disposed) return;
    this.disposed = true;
    if (finalMessage) this.broadcast(finalMessage);
    this.viewers.clear();
    this.closeShell();
    this.mirror.dispose();
  }

  private ensureShell(): Promise<void> {
    if (this.shell || this.disposed || this.suspended) return Promise.resolve();
    if (this.opening) return this.opening;
    this.opening = (async () => {
      const openedAt = this.size;
      const r = await this.openShell(openedAt);
      if (!r.ok) {
        this.broadcast({ type: 'error', code: 'shell-failed', message: r.error.message });
        return;
      }
      if (this.disposed) { r.value.dispose(); return; }
      const shell = r.value;
      this.shell = shell;
      this.paused = false;
      // A viewer may have resized while the shell was opening: give the shell the latest size.
      if (this.size.cols !== openedAt.cols || this.size.rows !== openedAt.rows) void shell.resize(this.size);
      shell.onData((chunk) => this.fanOut(chunk));
      shell.onExit(() => {
        if (this.shell !== shell) return;
        this.shell = null;
        shell.dispose();
        this.broadcast({ type: 'state', state: 'exited', detail: 'the shell exited; type to start a new one' });
      });
      this.broadcast({ type: 'state', state: 'attached' });
      this.updateFlow();
    })().finally(() => { this.opening = null; });
    return this.opening;
  }

  private fanOut(chunk: Buffer): void {
    this.mirror.write(chunk);
    for (const s of this.viewers) {
      s.unacked += chunk.length;
      if (s.pending) s.pending.push(chunk);
      else s.viewer.sendOutput(chunk);
    }
    this.updateFlow();
  }

  /** Pause when nobody watches or any viewer is behind; resume when all caught up. */
  private updateFlow(): void {
    const shell = this.shell;
    if (!shell) return;
    let behind = this.viewers.size === 0, socketBehind = false;
    for (const s of this.viewers) {
      const limit = this.paused ? FLOW_LOW_WATERMARK : FLOW_HIGH_WATERMARK;
      if (s.unacked > limit) behind = true;
      if (s.viewer.bufferedAmount() > limit) { behind = true; socketBehind = true; }
    }
    if (behind && !this.paused) { this.paused = true; shell.pause(); }
    else if (!behind && this.paused) { this.paused = false; shell.resume(); }
    // A socket drains without telling us (no ack arrives), so look again shortly.
    if (socketBehind && !this.pollTimer) {
      this.pollTimer = setTimeout(() => { this.pollTimer = null; this.updateFlow(); }, SOCKET_BACKLOG_POLL_MS);
    }
  }

  private closeShell(): void {
    if (this.pollTimer) { clearTimeout(this.pollTimer); this.pollTimer = null; }
    const shell = this.shell;
    this.shell = null;
    this.paused = false;
    shell?.dispose();
  }

  private broadcast(message: ServerMessage): void {
    for (const s of this.viewers) s.viewer.sendMessage(message);
  }
}

export interface ViewerHandle {
  input(data: string): void;
  resize(size: TermSize): void;
  ack(bytes: number): void;
  detach(): void;
}

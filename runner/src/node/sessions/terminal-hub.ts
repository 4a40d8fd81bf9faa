// One lab shell shared by every connected viewer (browser tabs, the CLI).
// The shell outlives its viewers: a reload re-attaches to the same shell.
//
// Backpressure both ways, so nothing piles up in the runner:
//  - output: each viewer acknowledges the bytes it has processed (the xterm.js
//    flow-control guide); above the high watermark the hub stops reading the
//    shell, the TTY fills and the writer in the lab blocks.
//  - input: what the lab does not read waits in a bounded queue; past a bound
//    viewers are told to hold their input, and a viewer that keeps sending is not
//    read any more (its socket is paused, so TCP pushes back on it).
// Sizes follow the most recently active viewer, as tmux does: each viewer's own
// size is kept, a viewer becomes active when it types, resizes or says it has
// focus, and the shell takes the active viewer's size (the next most recent one's
// when it leaves), so a phone looking in never shrinks a desktop's shell for good.
// Resizes are coalesced (the last size per window), so a resize storm costs a
// few reflows, not one per frame. A headless copy of the screen (ScreenMirror,
// kept in a worker thread) lets a re-attaching viewer start from the screen as
// it is: the viewer gets it first, then live output.
import {
  FLOW_HIGH_WATERMARK, FLOW_LOW_WATERMARK, MAX_COLS, MAX_ROWS, MIN_COLS, MIN_ROWS, type ServerMessage,
} from '../../common/protocol.ts';
import type { BackendError, Result, ShellStream, TermSize } from '../backends/lab-backend.ts';
import { fireAndForget, onUnexpectedError } from '../util/unexpected-error.ts';
import { DEFAULT_TERMINAL_SIZE } from '../../common/terminal-size.ts';
import type { ScreenCopy } from './screen-mirror.ts';
import { screenWorkers } from './screen-worker-pool.ts';
import type { Lang, Words } from '../../common/langs.ts';
import { SAY } from './session-words.ts';

/** Polling period while paused because a socket, not the ack count, is behind. */
const SOCKET_BACKLOG_POLL_MS = 25;
/**
 * Input the lab has not taken above which viewers are told to hold theirs: far more than
 * a paste a reading shell takes at once, and about what a lab that stopped reading
 * (`sleep` with a paste behind it) may cost the runner.
 */
export const INPUT_PAUSE_BYTES = 1024 * 1024;
/**
 * Past this, a viewer that still sends (frames already in flight, or a client ignoring
 * `input-paused`) is not read any more until the lab catches up: TCP pushes back on it,
 * so the runner's memory stays bounded whatever a client does.
 */
export const INPUT_STOP_READING_BYTES = 2 * 1024 * 1024;
/** Viewers may send again once the lab has taken input down to this: hysteresis, so a slow reader does not flap. */
export const INPUT_RESUME_BYTES = 256 * 1024;
/**
 * Resizes within this window collapse into the last one: a dragged window sends dozens a
 * second, and each applied size reflows the screen copy and calls the backend.
 */
export const RESIZE_COALESCE_MS = 100;
/** Terminals one session serves at once: a learner's tabs, the CLI and an instructor looking in fit; each costs a copy of the output. */
export const MAX_VIEWERS_PER_SESSION = 16;

/** The page's terminal size at 1280×800 (common/terminal-size.ts), until a viewer says its own. */
export const DEFAULT_TERM_SIZE: TermSize = { ...DEFAULT_TERMINAL_SIZE };

export interface TerminalViewer {
  /** The language its learner reads: the hub's notices and states are worded in it (English when absent). */
  readonly lang?: Lang;
  sendOutput(chunk: Buffer): void;
  sendMessage(message: ServerMessage): void;
  /** Bytes queued in the viewer's socket but not yet sent. */
  bufferedAmount(): number;
  /** Stop reading what this viewer sends (its socket): the lab is not taking input. */
  pauseInput(): void;
  resumeInput(): void;
}

export type AttachRefusal = { code: 'too-many-viewers' | 'gone'; message: string };

/** A message for every viewer: the same for all, or worded for each viewer's language. */
export type HubMessage = ServerMessage | ((lang: Lang) => ServerMessage);

/** Opens the lab's shell at `size`, for a learner reading `lang` (its banner comes in it). */
export type OpenShell = (size: TermSize, lang: Lang) => Promise<Result<ShellStream, BackendError>>;

export interface TerminalHubOptions {
  /** The screen copy; by default one in the runner's screen worker thread (unit tests give a fake). */
  createScreen?: (size: TermSize) => ScreenCopy;
}

interface ViewerState {
  viewer: TerminalViewer;
  unacked: number;
  /** Output that arrived while this viewer's screen snapshot was being taken; sent right after it. */
  pending: Buffer[] | null;
  /** Its socket is paused (it sent past INPUT_STOP_READING_BYTES): its acks cannot arrive either. */
  notReading: boolean;
  /** The size this viewer's terminal last reported; null until it does (a CLI without a TTY never does). */
  size: TermSize | null;
  /** When it was last used (the hub's activity clock): the shell follows the most recent viewer with a size. */
  activeAt: number;
}

export class TerminalHub {
  private shell: ShellStream | null = null;
  private opening: Promise<void> | null = null;
  /** Goes up when the shell's environment goes away (reset, stop): a shell opened before is not adopted. */
  private epoch = 0;
  private readonly viewers = new Set<ViewerState>();
  private outputPaused = false;
  private pollTimer: NodeJS.Timeout | null = null;
  private disposed = false;
  private suspended = false;
  private size: TermSize = DEFAULT_TERM_SIZE;
  private wantedSize: TermSize | null = null;
  private resizeTimer: NodeJS.Timeout | null = null;
  /** The size the shell was last given, and the shell a resize call is in flight for (one at a time, so they cannot land out of order). */
  private shellSize: TermSize | null = null;
  private resizingShell: ShellStream | null = null;
  private readonly mirror: ScreenCopy;
  /** The last screen message, shared by viewers attaching before the screen changes (encoded once by the socket layer). */
  private screenMessage: Extract<ServerMessage, { type: 'screen' }> | null = null;
  /** Input not yet handed to the shell, oldest first. */
  private inputQueue: Array<{ data: string; bytes: number }> = [];
  private inputQueued = 0;
  /** The shell's last write returned false: hand it nothing until it drains. */
  private shellBlocked = false;
  /** Viewers were told to hold their input. */
  private inputPaused = false;
  /** The viewer whose size the shell has; a counter orders viewers by when they were last used. */
  private active: ViewerState | null = null;
  private activityClock = 0;

  constructor(private readonly openShell: OpenShell, opts: TerminalHubOptions = {}) {
    this.mirror = (opts.createScreen ?? ((size) => screenWorkers.create(size)))(DEFAULT_TERM_SIZE);
  }

  get termSize(): TermSize { return this.size; }

  get viewerCount(): number { return this.viewers.size; }

  /** Input waiting for the lab to read it, in bytes. */
  get pendingInputBytes(): number { return this.inputQueued; }

  /**
   * Adds a viewer and opens the shell if none runs. Sends the viewer nothing before it
   * returns (the caller greets it first); its screen follows, then live output.
   */
  attach(viewer: TerminalViewer): Result<ViewerHandle, AttachRefusal> {
    const lang = viewer.lang ?? 'en';
    if (this.disposed) return { ok: false, error: { code: 'gone', message: SAY.labStopping()[lang] } };
    if (this.viewers.size >= MAX_VIEWERS_PER_SESSION) {
      return { ok: false, error: { code: 'too-many-viewers', message: SAY.tooManyTerminals(MAX_VIEWERS_PER_SESSION)[lang] } };
    }
    const state: ViewerState = { viewer, unacked: 0, pending: [], notReading: false, size: null, activeAt: 0 };
    this.viewers.add(state);
    this.mirror.snapshot((screen) => deliverInTurn(() => {
      if (!this.viewers.has(state)) return;
      viewer.sendMessage(this.screenFor(screen));
      if (this.inputPaused) viewer.sendMessage({ type: 'input-paused' });
      const held = state.pending ?? [];
      state.pending = null;
      for (const chunk of held) viewer.sendOutput(chunk);
    }));
    fireAndForget(this.ensureShell(), 'opening a lab shell');
    this.updateFlow();
    return {
      ok: true,
      value: {
        input: (data) => this.input(state, data),
        resize: (size) => { state.size = clampSize(size); this.activate(state); },
        focus: () => this.activate(state),
        ack: (bytes) => { state.unacked = Math.max(0, state.unacked - bytes); this.updateFlow(); },
        detach: () => {
          if (!this.viewers.delete(state)) return;
          if (this.active === state) this.followMostRecent();
          this.updateFlow();
        },
      },
    };
  }

  /**
   * Ends the current shell and opens none until resume() (the lab is being reset:
   * its old environment is going away). Viewers stay attached and are told.
   */
  suspend(detail: Words): void {
    this.suspended = true;
    this.epoch++;
    this.broadcast((l) => ({ type: 'state', state: 'restarting', detail: detail[l] }));
    this.closeShell();
    this.mirror.clear();
  }

  /** The environment is back: viewers get a new shell in it. */
  resume(): void {
    this.suspended = false;
    if (this.viewers.size) fireAndForget(this.ensureShell(), 'opening a lab shell');
  }

  /** Tells every viewer attached now something (an idle warning, the workshop ending); returns how many. */
  notify(message: HubMessage): number {
    this.broadcast(message);
    return this.viewers.size;
  }

  /** Ends the shell for good; later attaches are refused. */
  dispose(finalMessage?: HubMessage): void {
    if (this.disposed) return;
    this.disposed = true;
    this.epoch++;
    if (finalMessage) this.broadcast(finalMessage);
    this.viewers.clear();
    this.active = null;
    if (this.resizeTimer) { clearTimeout(this.resizeTimer); this.resizeTimer = null; }
    this.closeShell();
    this.mirror.dispose();
    this.screenMessage = null;
  }

  private ensureShell(): Promise<void> {
    if (this.shell || this.disposed || this.suspended) return Promise.resolve();
    if (!this.opening) {
      const opening: Promise<void> = this.open().then(
        (stale) => {
          if (this.opening === opening) this.opening = null;
          // A reset finished while the old environment's shell opened: open one in the new environment.
          return stale && this.viewers.size ? this.ensureShell() : undefined;
        },
        (e: unknown) => { if (this.opening === opening) this.opening = null; throw e; },
      );
      this.opening = opening;
    }
    return this.opening;
  }

  /** Opens a shell and adopts it; true when it came too late (its environment went away meanwhile). */
  private async open(): Promise<boolean> {
    const openedAt = this.size;
    const epoch = this.epoch;
    // The shell is shared; it greets in the language of the terminal it is opened for.
    const lang = (this.active ?? [...this.viewers].at(-1))?.viewer.lang ?? 'en';
    const r = await this.openShell(openedAt, lang);
    if (!r.ok) {
      this.dropInput();
      this.broadcast({ type: 'error', code: 'shell-failed', message: r.error.message });
      return false;
    }
    // Stopped or reset while it opened: this shell belongs to an environment that is going away.
    if (this.epoch !== epoch || this.disposed || this.suspended) { r.value.dispose(); return true; }
    const shell = r.value;
    this.shell = shell;
    this.outputPaused = false;
    this.shellBlocked = false;
    this.shellSize = openedAt;
    // A viewer may have resized while the shell was opening: give the shell the latest size.
    this.syncShellSize();
    shell.onData((chunk) => this.fanOut(chunk));
    shell.onDrain(() => { if (this.shell === shell) this.flushInput(); });
    shell.onExit(() => {
      if (this.shell !== shell) return;
      this.shell = null;
      shell.dispose();
      this.dropInput();
      this.broadcast({ type: 'state', state: 'exited', detail: 'the shell exited; type to start a new one' });
    });
    this.broadcast({ type: 'state', state: 'attached' });
    this.flushInput();
    this.updateFlow();
    return false;
  }

  // ---- input ----

  private input(from: ViewerState, data: string): void {
    if (this.disposed || this.suspended || data.length === 0) return;
    if (this.active !== from) this.activate(from);
    if (this.shell && !this.shellBlocked && this.inputQueue.length === 0) {
      if (!this.shell.write(data)) this.shellBlocked = true;
      return;
    }
    const bytes = Buffer.byteLength(data);
    this.inputQueue.push({ data, bytes });
    this.inputQueued += bytes;
    if (!this.shell) fireAndForget(this.ensureShell(), 'opening a lab shell');
    if (this.inputQueued > INPUT_PAUSE_BYTES && !this.inputPaused) {
      this.inputPaused = true;
      this.broadcast({ type: 'input-paused' });
    }
    if (this.inputQueued > INPUT_STOP_READING_BYTES && !from.notReading && this.viewers.has(from)) {
      from.notReading = true;
      from.viewer.pauseInput();
    }
  }

  /** Hands queued input to the shell until it takes no more. */
  private flushInput(): void {
    const shell = this.shell;
    if (!shell) return;
    this.shellBlocked = false;
    while (this.inputQueue.length && !this.shellBlocked) {
      const next = this.inputQueue.shift()!;
      this.inputQueued -= next.bytes;
      if (!shell.write(next.data)) this.shellBlocked = true;
    }
    this.releaseInput();
  }

  /** Input meant for a shell that is gone is not replayed into the next one. */
  private dropInput(): void {
    this.inputQueue = [];
    this.inputQueued = 0;
    this.shellBlocked = false;
    this.releaseInput();
  }

  private releaseInput(): void {
    if (this.inputQueued > INPUT_RESUME_BYTES) return;
    if (this.inputPaused) {
      this.inputPaused = false;
      this.broadcast({ type: 'input-resumed' });
    }
    let resumed = false;
    for (const s of this.viewers) {
      if (!s.notReading) continue;
      s.notReading = false;
      s.viewer.resumeInput();
      resumed = true;
    }
    if (resumed) this.updateFlow();
  }

  // ---- resize ----

  /** The viewer is being used: the shell takes its size (a viewer without one leaves the size as it is). */
  private activate(state: ViewerState): void {
    if (!this.viewers.has(state)) return;
    state.activeAt = ++this.activityClock;
    if (!state.size) return;
    this.active = state;
    this.requestResize(state.size);
  }

  /** The active viewer left: the most recently used one still here (with a size) sets the size. */
  private followMostRecent(): void {
    this.active = null;
    let next: ViewerState | null = null;
    for (const s of this.viewers) if (s.size && (!next || s.activeAt > next.activeAt)) next = s;
    if (!next?.size) return;
    this.active = next;
    this.requestResize(next.size);
  }

  /** Applies a size now if none was applied within the window, else the last one asked for at the window's end. */
  private requestResize(size: TermSize): void {
    this.wantedSize = clampSize(size);
    if (!this.resizeTimer) this.applyWantedSize();
  }

  private applyWantedSize(): void {
    const want = this.wantedSize;
    this.wantedSize = null;
    if (this.disposed || !want || (want.cols === this.size.cols && want.rows === this.size.rows)) return;
    this.size = want;
    this.mirror.resize(want);
    this.syncShellSize();
    this.resizeTimer = setTimeout(() => { this.resizeTimer = null; this.applyWantedSize(); }, RESIZE_COALESCE_MS);
  }

  /** Gives the shell the applied size, one backend call at a time: the last applied size is the one that stays. */
  private syncShellSize(): void {
    const shell = this.shell;
    const want = this.size;
    if (!shell || this.resizingShell === shell) return;
    if (this.shellSize && this.shellSize.cols === want.cols && this.shellSize.rows === want.rows) return;
    this.resizingShell = shell;
    fireAndForget(shell.resize(want).finally(() => {
      if (this.resizingShell === shell) this.resizingShell = null;
      if (this.shell !== shell) return;
      this.shellSize = want;
      this.syncShellSize();
    }), 'resizing a lab shell');
  }

  // ---- output ----

  private fanOut(chunk: Buffer): void {
    this.mirror.write(chunk);
    for (const s of this.viewers) {
      s.unacked += chunk.length;
      if (s.pending) s.pending.push(chunk);
      else s.viewer.sendOutput(chunk);
    }
    this.updateFlow();
  }

  /** One message object per screen: viewers attaching together share it. */
  private screenFor(screen: string): ServerMessage {
    const m = this.screenMessage;
    if (m && m.data === screen && m.cols === this.size.cols && m.rows === this.size.rows) return m;
    this.screenMessage = { type: 'screen', data: screen, cols: this.size.cols, rows: this.size.rows };
    return this.screenMessage;
  }

  /** Pause when nobody watches or any viewer is behind; resume when all caught up. */
  private updateFlow(): void {
    const shell = this.shell;
    if (!shell) return;
    let behind = this.viewers.size === 0, socketBehind = false;
    for (const s of this.viewers) {
      const limit = this.outputPaused ? FLOW_LOW_WATERMARK : FLOW_HIGH_WATERMARK;
      // A viewer we stopped reading cannot ack: waiting for it would deadlock a shell that
      // must write (echo) before it reads more input. Its socket backlog still counts.
      if (!s.notReading && s.unacked > limit) behind = true;
      if (s.viewer.bufferedAmount() > limit) { behind = true; socketBehind = true; }
    }
    if (behind && !this.outputPaused) { this.outputPaused = true; shell.pause(); }
    else if (!behind && this.outputPaused) { this.outputPaused = false; shell.resume(); }
    // A socket drains without telling us (no ack arrives), so look again shortly.
    if (socketBehind && !this.pollTimer) {
      this.pollTimer = setTimeout(() => { this.pollTimer = null; this.updateFlow(); }, SOCKET_BACKLOG_POLL_MS);
    }
  }

  private closeShell(): void {
    if (this.pollTimer) { clearTimeout(this.pollTimer); this.pollTimer = null; }
    const shell = this.shell;
    this.shell = null;
    this.outputPaused = false;
    this.dropInput();
    shell?.dispose();
  }

  private broadcast(message: HubMessage): void {
    for (const s of this.viewers) s.viewer.sendMessage(typeof message === 'function' ? message(s.viewer.lang ?? 'en') : message);
  }
}

/**
 * Screens go out one per event-loop turn, across all sessions: a storm of viewers each
 * sent a megabyte-sized screen in one go would hold every other learner's keystrokes
 * for the whole batch. A viewer's live output waits behind its screen (ViewerState.pending).
 */
const screenDeliveries: Array<() => void> = [];
function deliverInTurn(deliver: () => void): void {
  screenDeliveries.push(deliver);
  if (screenDeliveries.length === 1) setImmediate(deliverNext);
}
function deliverNext(): void {
  const deliver = screenDeliveries.shift();
  try { deliver?.(); } catch (e) { onUnexpectedError(e, 'sending a terminal its screen'); }
  if (screenDeliveries.length) setImmediate(deliverNext);
}

export interface ViewerHandle {
  input(data: string): void;
  /** This viewer's terminal size; it makes the viewer the active one. */
  resize(size: TermSize): void;
  /** The learner is using this viewer (focus, a visible tab): the shell takes its size. */
  focus(): void;
  ack(bytes: number): void;
  detach(): void;
}

/** Sizes outside the protocol's bounds are brought inside them (callers other than the socket are not schema-checked). */
function clampSize(size: TermSize): TermSize {
  const clamp = (v: number, lo: number, hi: number): number => (Number.isFinite(v) ? Math.min(hi, Math.max(lo, Math.round(v))) : lo);
  return { cols: clamp(size.cols, MIN_COLS, MAX_COLS), rows: clamp(size.rows, MIN_ROWS, MAX_ROWS) };
}

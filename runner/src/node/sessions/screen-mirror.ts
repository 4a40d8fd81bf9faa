// A server-side copy of the lab terminal's screen (xterm.js headless + the
// serialize addon), so a viewer that reconnects — a page reload, a dropped
// connection, `labs attach` — sees the screen as it was, not a blank one.
// Serialising a full screen with its scrollback, or reflowing it on a resize,
// costs up to hundreds of milliseconds: the runner keeps these copies in a
// worker thread (screen-worker-pool.ts), and a snapshot is taken once per
// screen state: viewers attaching together share it, and it is reused until
// the next output, resize or clear (SnapshotSharing, used on both sides).
import headless from '@xterm/headless';
import serialize from '@xterm/addon-serialize';
import type { TermSize } from '../backends/lab-backend.ts';

const { Terminal } = headless;
const { SerializeAddon } = serialize;

/** Lines of scrollback restored on re-attach: enough to see the last command's output, small enough to send at once. */
export const MIRROR_SCROLLBACK_LINES = 1000;

/** What the terminal hub needs from a screen copy (unit tests give it a fake). */
export interface ScreenCopy {
  write(chunk: Uint8Array): void;
  resize(size: TermSize): void;
  clear(): void;
  /**
   * The screen as escape sequences, as of every chunk written before this call.
   * `onParsed` runs later, never synchronously; output written after this call is
   * not in the screen, so a caller forwards that output after the screen.
   */
  snapshot(onParsed: (screen: string) => void): void;
  dispose(): void;
}

/**
 * One snapshot per screen state: callers asking before the screen changes share it,
 * and it is reused until the next change. Delivery is always later, never inside the call.
 */
export class SnapshotSharing {
  /** Counts changes (writes, resizes, clears): a snapshot is of one version. */
  private version = 0;
  private cached: { version: number; screen: string } | null = null;
  private pending: { version: number; waiters: Array<(screen: string) => void> } | null = null;

  changed(): void { this.version++; }

  /** `take` produces the screen as of now and calls back with it (later); it runs once per version. */
  request(onParsed: (screen: string) => void, take: (deliver: (screen: string) => void) => void): void {
    const version = this.version;
    const cached = this.cached;
    if (cached && cached.version === version) { queueMicrotask(() => onParsed(cached.screen)); return; }
    if (this.pending && this.pending.version === version) { this.pending.waiters.push(onParsed); return; }
    const pending = { version, waiters: [onParsed] };
    this.pending = pending;
    take((screen) => {
      if (this.pending === pending) this.pending = null;
      this.cached = { version, screen };
      for (const w of pending.waiters) w(screen);
    });
  }

  forget(): void { this.cached = null; }
}

export class ScreenMirror implements ScreenCopy {
  private readonly term: InstanceType<typeof Terminal>;
  private readonly serializer = new SerializeAddon();
  private readonly sharing = new SnapshotSharing();
  private disposed = false;

  constructor(size: TermSize) {
    this.term = new Terminal({ cols: size.cols, rows: size.rows, scrollback: MIRROR_SCROLLBACK_LINES, allowProposedApi: true });
    // The addon's typings name the browser Terminal; the headless one has the same API it uses.
    this.term.loadAddon(this.serializer as unknown as Parameters<typeof this.term.loadAddon>[0]);
  }

  write(chunk: Uint8Array): void {
    if (this.disposed) return;
    this.sharing.changed();
    this.term.write(chunk);
  }

  /** Reflows the copy (costly with a full scrollback): only when the size really changes. */
  resize(size: TermSize): void {
    if (this.disposed || (size.cols === this.term.cols && size.rows === this.term.rows)) return;
    this.sharing.changed();
    this.term.resize(size.cols, size.rows);
  }

  /** Clears the screen, e.g. when the lab is reset and a new shell starts. In the write queue (RIS), so ordered with output. */
  clear(): void {
    this.write(new TextEncoder().encode('\x1bc'));
  }

  snapshot(onParsed: (screen: string) => void): void {
    if (this.disposed) { queueMicrotask(() => onParsed('')); return; }
    // An empty write's callback runs once every chunk written before it is parsed, and
    // before any chunk written after it: exactly the screen as of this call.
    this.sharing.request(onParsed, (deliver) => this.term.write('', () => {
      deliver(this.disposed ? '' : this.serializer.serialize({ scrollback: MIRROR_SCROLLBACK_LINES }));
    }));
  }

  get size(): TermSize { return { cols: this.term.cols, rows: this.term.rows }; }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.sharing.forget();
    this.term.dispose();
  }
}

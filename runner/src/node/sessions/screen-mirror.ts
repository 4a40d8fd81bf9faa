// A server-side copy of the lab terminal's screen (xterm.js headless + the
// serialize addon), so a viewer that reconnects — a page reload, a dropped
// connection, `labs attach` — sees the screen as it was, not a blank one.
import headless from '@xterm/headless';
import serialize from '@xterm/addon-serialize';
import type { TermSize } from '../backends/lab-backend.ts';

const { Terminal } = headless;
const { SerializeAddon } = serialize;

/** Lines of scrollback restored on re-attach: enough to see the last command's output, small enough to send at once. */
export const MIRROR_SCROLLBACK_LINES = 1000;

export class ScreenMirror {
  private readonly term: InstanceType<typeof Terminal>;
  private readonly serializer = new SerializeAddon();
  private disposed = false;

  constructor(size: TermSize) {
    this.term = new Terminal({ cols: size.cols, rows: size.rows, scrollback: MIRROR_SCROLLBACK_LINES, allowProposedApi: true });
    // The addon's typings name the browser Terminal; the headless one has the same API it uses.
    this.term.loadAddon(this.serializer as unknown as Parameters<typeof this.term.loadAddon>[0]);
  }

  write(chunk: Uint8Array): void {
    if (!this.disposed) this.term.write(chunk);
  }

  resize(size: TermSize): void {
    if (!this.disposed) this.term.resize(size.cols, size.rows);
  }

  /** Clears the screen, e.g. when the lab is reset and a new shell starts. In the write queue (RIS), so ordered with output. */
  clear(): void {
    this.write(new TextEncoder().encode('\x1bc'));
  }

  /**
   * The screen as escape sequences, once every chunk written so far is parsed.
   * `onParsed` runs at exactly that point (before later chunks are parsed), so a
   * caller can start forwarding live output there without losing or repeating any.
   */
  snapshot(onParsed: (screen: string) => void): void {
    if (this.disposed) return onParsed('');
    this.term.write('', () => onParsed(this.disposed ? '' : this.serializer.serialize({ scrollback: MIRROR_SCROLLBACK_LINES })));
  }

  get size(): TermSize { return { cols: this.term.cols, rows: this.term.rows }; }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.term.dispose();
  }
}

// The image state of every lab, as builds report it: what GET /api/images
// shows and what a Start button counts. A build's lines update its lab's
// entry (build-line.ts reads the counts from them); listeners hear of changes.
import type { ImageState, ImageStatus } from '../../common/image-status.ts';
import { imageOfLine, stepOfLine } from './build-line.ts';

/** A build line longer than this is cut: it is a status, not a log. */
const MAX_LINE_CHARS = 160;

export class BuildBoard {
  private readonly entries = new Map<string, ImageStatus>();
  private readonly listeners = new Set<(s: ImageStatus) => void>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Every lab's entry, in the order labs were first set. */
  list(): ImageStatus[] { return [...this.entries.values()].map((e) => ({ ...e })); }

  get(labId: string): ImageStatus | null {
    const e = this.entries.get(labId);
    return e ? { ...e } : null;
  }

  onChange(listener: (s: ImageStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  set(labId: string, state: ImageState, error: string | null = null): void {
    const e = this.entry(labId);
    if (state === 'building' && e.state !== 'building') Object.assign(e, { startedAt: this.iso(), finishedAt: null, image: null, step: null, line: '' });
    if (state === 'ready' || state === 'failed') e.finishedAt = this.iso();
    if (state === 'ready') Object.assign(e, { image: null, step: null });
    // Ready without a line of build output: the image was there already; nothing was built, so no build time.
    if (state === 'ready' && !e.line) Object.assign(e, { startedAt: null, finishedAt: null });
    Object.assign(e, { state, error });
    this.emit(e);
  }

  /** A progress callback for a build of `labId`'s image: each line moves its counts on. */
  progress(labId: string): (line: string) => void {
    return (line) => {
      const e = this.entry(labId);
      if (e.state !== 'building') this.set(labId, 'building');
      const image = imageOfLine(line);
      if (image && (e.image?.k !== image.k || e.image?.n !== image.n)) Object.assign(e, { image, step: null });
      const step = stepOfLine(line);
      if (step) e.step = step;
      e.line = line.slice(0, MAX_LINE_CHARS);
      this.emit(e);
    };
  }

  private entry(labId: string): ImageStatus {
    let e = this.entries.get(labId);
    if (!e) {
      e = { labId, state: 'unknown', image: null, step: null, line: '', error: null, startedAt: null, finishedAt: null };
      this.entries.set(labId, e);
    }
    return e;
  }

  private emit(e: ImageStatus): void {
    for (const l of this.listeners) l({ ...e });
  }

  private iso(): string { return new Date(this.now()).toISOString(); }
}

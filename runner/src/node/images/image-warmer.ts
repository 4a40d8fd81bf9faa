// Builds the container labs' images in the background once the runner serves,
// so a newcomer opens the site at once and finds the first lab ready minutes
// later. Labs build in roadmap order; a learner pressing Start moves that lab
// to the front and waits for it, hearing the build's progress. The first build
// runs alone (it makes the shared rootfs and base images); the rest run
// WARM_PARALLEL at a time. VM images are not warmed: one is built when a VM
// lab is first started, or by `labs build --all`.
import { availableParallelism } from 'node:os';
import type { ResolvedLab } from '../../common/lab-schema.ts';
import type { BuildBoard } from './build-board.ts';
import { onUnexpectedError } from '../util/unexpected-error.ts';

/** Lab layers are apt installs and compiles: two at once keep a 4-core host busy; a 2-core one builds one at a time. */
export const WARM_PARALLEL = Math.max(1, Math.floor(availableParallelism() / 2));

export type BuildImage = (lab: ResolvedLab, onProgress: (line: string) => void) => Promise<string>;

export class ImageWarmer {
  private readonly queue: ResolvedLab[] = [];
  private readonly builds = new Map<string, Promise<string>>();
  private running = 0;
  private firstDone = false;
  private stopped = false;

  constructor(
    private readonly build: BuildImage,
    private readonly board: BuildBoard,
    private readonly parallel = WARM_PARALLEL,
  ) {}

  /** Queues every container lab, in the order given (the roadmap's), and starts building. */
  warm(labs: readonly ResolvedLab[]): void {
    for (const lab of labs) {
      if (lab.backend !== 'container' || this.builds.has(lab.id) || this.queue.some((q) => q.id === lab.id)) continue;
      this.queue.push(lab);
      this.board.set(lab.id, 'queued');
    }
    this.pump();
  }

  /** The lab's image: its build joined if one runs, moved to the front if it waits, started if none. */
  ensure(lab: ResolvedLab): Promise<string> {
    const running = this.builds.get(lab.id);
    if (running) return running;
    // Built already: the builder only looks its tags up; the board (and the start's progress) need not hear of it.
    if (this.board.get(lab.id)?.state === 'ready') return this.build(lab, () => {});
    const at = this.queue.findIndex((q) => q.id === lab.id);
    if (at >= 0) this.queue.splice(at, 1);
    return this.start(lab);
  }

  /** No more builds start (the runner is closing); running ones finish. */
  stop(): void { this.stopped = true; this.queue.length = 0; }

  private pump(): void {
    // The first build makes the images every lab shares: nothing runs beside it.
    const limit = this.firstDone ? this.parallel : 1;
    while (!this.stopped && this.running < limit && this.queue.length) {
      const lab = this.queue.shift()!;
      this.start(lab).catch(() => {}); // its failure is on the board; a learner who starts it hears it then
    }
  }

  private start(lab: ResolvedLab): Promise<string> {
    this.running++;
    this.board.set(lab.id, 'building');
    const p = this.build(lab, this.board.progress(lab.id)).then(
      (ref) => { this.board.set(lab.id, 'ready'); return ref; },
      (e: unknown) => { this.board.set(lab.id, 'failed', (e as Error)?.message ?? String(e)); throw e; },
    ).finally(() => {
      this.running--;
      this.firstDone = true;
      this.builds.delete(lab.id);
      try { this.pump(); } catch (e) { onUnexpectedError(e, 'starting the next image build'); }
    });
    this.builds.set(lab.id, p);
    return p;
  }
}

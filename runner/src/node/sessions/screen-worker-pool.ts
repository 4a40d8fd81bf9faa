// The main-thread side of the screen copies: one worker thread per runner
// process holds every session's ScreenMirror (screen-worker.ts). A RemoteScreen
// forwards writes, resizes and clears in order and asks for snapshots, sharing
// one per screen state (SnapshotSharing) so a storm of attaching viewers costs
// one serialisation and one copy across the thread boundary.
import { Worker } from 'node:worker_threads';
import type { TermSize } from '../backends/lab-backend.ts';
import { onUnexpectedError } from '../util/unexpected-error.ts';
import { SnapshotSharing, type ScreenCopy } from './screen-mirror.ts';
import type { ScreenReply, ScreenRequest } from './screen-worker.ts';

export class ScreenWorkerPool {
  private worker: Worker | null = null;
  /** Goes up with each worker started: a screen made on a worker that died is gone. */
  private generation = 0;
  private nextId = 1;
  private nextRequest = 1;
  private readonly waiting = new Map<number, (screen: string) => void>();

  create(size: TermSize): ScreenCopy { return new RemoteScreen(this, size); }

  /** A new screen's id on the live worker (started on first use, and again after one died). */
  register(): { id: number; generation: number } {
    if (!this.worker) this.start();
    return { id: this.nextId++, generation: this.generation };
  }

  /** False when the screen's worker is gone (the message is dropped). */
  send(generation: number, msg: ScreenRequest, transfer: ArrayBuffer[] = []): boolean {
    if (generation !== this.generation || !this.worker) return false;
    this.worker.postMessage(msg, transfer);
    return true;
  }

  /** Asks for a screen; a gone worker answers with a blank one rather than never. */
  snapshot(generation: number, id: number, deliver: (screen: string) => void): void {
    const req = this.nextRequest++;
    if (!this.send(generation, { op: 'snapshot', id, req })) { queueMicrotask(() => deliver('')); return; }
    // An answer is awaited: the worker keeps the process alive until it comes.
    if (this.waiting.size === 0) this.worker!.ref();
    this.waiting.set(req, deliver);
  }

  /** Stops the worker; snapshots still waiting get a blank screen. A later screen starts a new worker. */
  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.ended(worker);
    await worker.terminate();
  }

  private start(): void {
    const worker = new Worker(new URL('./screen-worker-entry.mjs', import.meta.url));
    this.worker = worker;
    this.generation++;
    worker.on('message', (r: ScreenReply) => {
      const deliver = this.waiting.get(r.req);
      this.waiting.delete(r.req);
      if (this.waiting.size === 0) worker.unref();
      deliver?.(r.screen);
    });
    worker.on('error', (e) => onUnexpectedError(e, 'the screen-copy worker thread'));
    worker.on('exit', () => this.ended(worker));
    // An idle worker never keeps the process alive (unref after the listeners, which ref it again).
    worker.unref();
  }

  private ended(worker: Worker): void {
    if (this.worker !== worker) return;
    this.worker = null;
    const waiting = [...this.waiting.values()];
    this.waiting.clear();
    for (const deliver of waiting) deliver('');
  }
}

/** The runner's one pool (a worker thread is started on the first terminal). */
export const screenWorkers = new ScreenWorkerPool();

class RemoteScreen implements ScreenCopy {
  private readonly sharing = new SnapshotSharing();
  private readonly id: number;
  private readonly generation: number;
  private size: TermSize;
  private disposed = false;

  constructor(private readonly pool: ScreenWorkerPool, size: TermSize) {
    ({ id: this.id, generation: this.generation } = pool.register());
    this.size = size;
    pool.send(this.generation, { op: 'create', id: this.id, cols: size.cols, rows: size.rows });
  }

  write(chunk: Uint8Array): void {
    if (this.disposed) return;
    this.sharing.changed();
    // A copy of exactly these bytes, handed over (not copied again) to the worker.
    const data = new Uint8Array(chunk);
    this.pool.send(this.generation, { op: 'write', id: this.id, data }, [data.buffer]);
  }

  resize(size: TermSize): void {
    if (this.disposed || (size.cols === this.size.cols && size.rows === this.size.rows)) return;
    this.size = size;
    this.sharing.changed();
    this.pool.send(this.generation, { op: 'resize', id: this.id, cols: size.cols, rows: size.rows });
  }

  clear(): void {
    if (this.disposed) return;
    this.sharing.changed();
    this.pool.send(this.generation, { op: 'clear', id: this.id });
  }

  snapshot(onParsed: (screen: string) => void): void {
    if (this.disposed) { queueMicrotask(() => onParsed('')); return; }
    this.sharing.request(onParsed, (deliver) => this.pool.snapshot(this.generation, this.id, deliver));
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.sharing.forget();
    this.pool.send(this.generation, { op: 'dispose', id: this.id });
  }
}

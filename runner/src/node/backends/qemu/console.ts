// The lab terminal of a VM: its serial console. Many may be open at once;
// each sees the console from its opening on (after a short replay).
import type { ShellStream, TermSize } from '../lab-backend.ts';

/** Output held for a paused terminal (its viewers are behind); older output is dropped past this. */
const SHELL_PAUSED_MAX_BYTES = 1024 * 1024;

/** What a console terminal needs from its VM. */
export interface ConsoleHost {
  /** False when input is piling up in front of the guest; every console's drain listeners run once it is taken. */
  writeConsole(data: string | Buffer): boolean;
  setTermSize(size: TermSize): Promise<void>;
  closeConsole(shell: ConsoleShell): void;
}

export class ConsoleShell implements ShellStream {
  private readonly dataListeners = new Set<(chunk: Buffer) => void>();
  private readonly exitListeners = new Set<() => void>();
  private readonly drainListeners = new Set<() => void>();
  private paused = false;
  private held: Buffer[] = [];
  private heldBytes = 0;
  private disposed = false;
  private pendingReplay: Buffer | null;

  constructor(private readonly host: ConsoleHost, replay: Buffer, private readonly maxHeldBytes = SHELL_PAUSED_MAX_BYTES) {
    this.pendingReplay = replay.length ? replay : null;
  }

  /** False: the guest is not reading and input is piling up; write no more until onDrain. */
  write(data: string | Buffer): boolean {
    return this.disposed ? true : this.host.writeConsole(data);
  }
  onDrain(listener: () => void): void { this.drainListeners.add(listener); }
  /** The guest took the input held in front of it. */
  drained(): void {
    for (const l of [...this.drainListeners]) l();
  }
  resize(size: TermSize): Promise<void> {
    return this.disposed ? Promise.resolve() : this.host.setTermSize(size);
  }
  onData(listener: (chunk: Buffer) => void): void {
    this.dataListeners.add(listener);
    if (this.pendingReplay) {
      const r = this.pendingReplay;
      this.pendingReplay = null;
      queueMicrotask(() => this.deliver(r));
    }
  }
  onExit(listener: () => void): void { this.exitListeners.add(listener); }
  /** The console is always read (the runner watches it for panics); a paused terminal holds a bounded backlog. */
  pause(): void { this.paused = true; }
  resume(): void {
    this.paused = false;
    const held = this.held;
    this.held = [];
    this.heldBytes = 0;
    for (const c of held) this.deliver(c);
  }
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.dataListeners.clear();
    this.exitListeners.clear();
    this.drainListeners.clear();
    this.held = [];
    this.host.closeConsole(this);
  }

  /** New console output for this terminal. */
  deliver(chunk: Buffer): void {
    if (this.disposed) return;
    if (this.paused) {
      this.held.push(chunk);
      this.heldBytes += chunk.length;
      while (this.heldBytes > this.maxHeldBytes && this.held.length > 1) this.heldBytes -= this.held.shift()!.length;
      return;
    }
    for (const l of this.dataListeners) l(chunk);
  }

  /** The VM is gone: tell the listeners, then let go of them. */
  ended(): void {
    const listeners = [...this.exitListeners];
    this.dispose();
    for (const l of listeners) l();
  }
}

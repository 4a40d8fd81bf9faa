// The life of one lab VM as a small state machine, and waiting for it to be
// usable. `epoch` counts boots: a guest command sent in an earlier boot was cut
// short by a panic or reboot, whatever the agent says later.

export type VmState = 'booting' | 'ready' | 'panicked' | 'rebooting' | 'failed' | 'dead' | 'stopped';

export type ReadyWait = { ok: true } | { ok: false; message: string };

export class VmStateMachine {
  private current: VmState = 'booting';
  private boots = 0;
  private readonly waiters = new Set<() => void>();

  /** @param onRestart called when the guest goes away under running commands (panic, reboot). */
  constructor(private readonly onRestart: () => void = () => {}) {}

  get state(): VmState { return this.current; }
  get epoch(): number { return this.boots; }

  /** A lab that still exists: it may be booting or rebooting, but it has not failed or gone. */
  get alive(): boolean {
    return this.current !== 'dead' && this.current !== 'stopped' && this.current !== 'failed';
  }

  /** Moves to `next`; `stopped` is final and `dead` only gives way to `stopped`. Returns whether it moved. */
  set(next: VmState): boolean {
    if (this.current === 'stopped' || (this.current === 'dead' && next !== 'stopped')) return false;
    if (next === 'panicked' || next === 'rebooting') {
      this.boots++;
      this.onRestart();
    }
    this.current = next;
    this.wake();
    return true;
  }

  /** Resolves when the VM is ready, or says why it will not be (gone, or not within `timeoutMs`). */
  async whenReady(timeoutMs: number, failure: () => string): Promise<ReadyWait> {
    const deadline = Date.now() + timeoutMs;
    while (this.current !== 'ready') {
      if (!this.alive) {
        const why = failure();
        return { ok: false, message: `the lab VM is not running${why ? `: ${why}` : ''}` };
      }
      const left = deadline - Date.now();
      if (left <= 0) return { ok: false, message: `the lab VM did not become ready within ${Math.round(timeoutMs / 1000)} s` };
      await new Promise<void>((resolve) => {
        const done = (): void => { clearTimeout(t); this.waiters.delete(done); resolve(); };
        const t = setTimeout(done, left);
        this.waiters.add(done);
      });
    }
    return { ok: true };
  }

  /** Lets every waiter look again (a state change, or the VM's resources going away). */
  wake(): void {
    for (const w of [...this.waiters]) w();
  }
}

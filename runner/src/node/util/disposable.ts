// Owners for resources (VS Code's Disposable pattern): whoever creates a timer,
// a listener or a child object adds it to its store, and disposing the owner
// disposes all of them, once, even if one of them throws.
import { onUnexpectedError } from './unexpected-error.ts';

export interface Disposable {
  dispose(): void;
}

/** Wraps a clean-up function; it runs at most once. */
export function toDisposable(fn: () => void): Disposable {
  let done = false;
  return { dispose: () => { if (!done) { done = true; fn(); } } };
}

export class DisposableStore implements Disposable {
  private readonly items = new Set<Disposable>();
  private disposed = false;

  get isDisposed(): boolean { return this.disposed; }

  /** Takes ownership. Added after dispose(), it is disposed at once: a late resource never leaks. */
  add<T extends Disposable>(item: T): T {
    if (this.disposed) {
      disposeReporting(item);
      return item;
    }
    this.items.add(item);
    return item;
  }

  /** Disposes one item now and forgets it (an interval replaced by another). */
  delete(item: Disposable): void {
    if (this.items.delete(item)) disposeReporting(item);
  }

  /**
   * Disposes every item, newest first (what was acquired last may use what came
   * before it). Idempotent. A throwing item goes to onUnexpectedError; the rest
   * are still disposed.
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const items = [...this.items].reverse();
    this.items.clear();
    for (const item of items) disposeReporting(item);
  }
}

function disposeReporting(item: Disposable): void {
  try {
    item.dispose();
  } catch (e) {
    onUnexpectedError(e, 'disposing a resource');
  }
}

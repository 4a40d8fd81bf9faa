// Slows down guessing of join codes without letting a guesser lock the room
// out. Failed joins are counted per key: the service counts a wrong code
// against the client (its address), and a refusal on a real workshop (a name
// already taken: it tells names apart) against the client and that workshop.
// A key over its limit is refused until its window ends; every other key is
// not, so there is no global counter anyone could fill for everyone.
// Behind a reverse proxy every learner has the proxy's address and shares one
// key: rate-limit at the proxy too (docs/security.md).

/** Failed joins per key and window: a table of typos, and far below what guessing one of 2^40 codes needs. */
export const MAX_FAILED_JOINS = 30;
export const FAILED_JOIN_WINDOW_MS = 60_000;
/** Keys remembered at once: bounded memory (~100 bytes a key) however many addresses try; the oldest window is forgotten first. */
export const MAX_TRACKED_KEYS = 10_000;

interface Window { start: number; failures: number }

export class JoinLimiter {
  /** In order of window start (a new window is re-inserted at the end): expired ones are at the front. */
  private readonly windows = new Map<string, Window>();

  constructor(private readonly now: () => number = Date.now, private readonly maxKeys = MAX_TRACKED_KEYS) {}

  /** Milliseconds until this key's joins are accepted again, or 0 when they are now. */
  blockedFor(key: string): number {
    const w = this.windows.get(key);
    if (!w) return 0;
    const left = w.start + FAILED_JOIN_WINDOW_MS - this.now();
    if (left <= 0) { this.windows.delete(key); return 0; }
    return w.failures >= MAX_FAILED_JOINS ? left : 0;
  }

  fail(key: string): void {
    const t = this.now();
    const w = this.windows.get(key);
    if (w && t - w.start < FAILED_JOIN_WINDOW_MS) { w.failures++; return; }
    this.windows.delete(key);
    this.makeRoom(t);
    this.windows.set(key, { start: t, failures: 1 });
  }

  /** Keys remembered now (for tests and metrics). */
  get size(): number { return this.windows.size; }

  /** Drops ended windows; when still full, the oldest one (its key only gets a fresh count, nobody is blocked by it). */
  private makeRoom(t: number): void {
    for (const [key, w] of this.windows) {
      if (t - w.start < FAILED_JOIN_WINDOW_MS) break;
      this.windows.delete(key);
    }
    while (this.windows.size >= this.maxKeys) {
      const oldest = this.windows.keys().next();
      if (oldest.done) break;
      this.windows.delete(oldest.value);
    }
  }
}

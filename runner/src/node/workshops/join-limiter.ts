// Slows down guessing of join codes: after too many failed joins in a window,
// every join is refused until the window ends. Global rather than per address,
// because behind a reverse proxy every learner has the proxy's address.

/** Failed joins allowed per window: a room of typos, far below what guessing 2^40 codes needs. */
export const MAX_FAILED_JOINS = 30;
export const FAILED_JOIN_WINDOW_MS = 60_000;

export class JoinLimiter {
  private windowStart = 0;
  private failures = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Milliseconds until joins are accepted again, or 0 when they are now. */
  blockedFor(): number {
    const t = this.now();
    if (t - this.windowStart >= FAILED_JOIN_WINDOW_MS) { this.windowStart = t; this.failures = 0; }
    return this.failures >= MAX_FAILED_JOINS ? this.windowStart + FAILED_JOIN_WINDOW_MS - t : 0;
  }

  fail(): void {
    this.blockedFor();
    this.failures++;
  }
}

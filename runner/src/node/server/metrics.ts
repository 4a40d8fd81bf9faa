// How the runner itself is doing, for `npm run soak` and an operator: the
// event-loop lag measured inside the runner (a stall here freezes every
// learner's terminal at once), memory, open file descriptors, sessions and
// terminal viewers. GET /api/metrics with the owner token; `?reset=1` starts a
// new measuring window after answering, so a benchmark can measure one phase.
import { closeSync, openSync, readdirSync, readSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Route } from './api.ts';
import { HttpError, sendJson } from './http-util.ts';
import { requestToken, sameToken } from './security.ts';
import type { SessionManager } from '../sessions/session-manager.ts';

/** Sampling period of the lag monitor: fine enough to see a 20 ms stall, and only a libuv timer. */
export const LAG_RESOLUTION_MS = 10;
/** How often the lag split reads the main thread's scheduler statistics: a read costs tens of microseconds. */
export const SPLIT_SAMPLE_MS = 20;

export interface RunnerMetricsView {
  eventLoop: {
    /** Worst delay of the loop past its sampling period, in this window. */
    maxLagMs: number;
    p99LagMs: number;
    meanLagMs: number;
    /**
     * The worst lag the runner caused itself: how late the loop was, less the time its thread
     * waited for a CPU meanwhile (a loaded host). What is left is the runner's own code or a
     * blocking call (spawnSync, a synchronous write). Null where /proc/thread-self/schedstat is missing.
     */
    maxOwnLagMs: number | null;
    /** Time the main thread waited for a CPU in this window (a loaded host). */
    runQueueWaitMs: number | null;
    windowMs: number;
  };
  rssBytes: number;
  heapUsedBytes: number;
  /** Open file descriptors (null where /proc is missing). */
  openFds: number | null;
  sessions: number;
  liveSessions: number;
  viewers: number;
}

export class RunnerMetrics {
  private readonly delay = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
  private readonly split = new LagSplit();
  private windowStart = Date.now();

  constructor() { this.delay.enable(); }

  /** The figures now; `reset` starts a new lag window afterwards. */
  read(manager: SessionManager, reset = false): RunnerMetricsView {
    // The histogram holds whole sampling periods (ns): the lag is what exceeds the period.
    const lag = (ns: number): number => (this.delay.count ? Math.max(0, round(ns / 1e6 - LAG_RESOLUTION_MS)) : 0);
    const sessions = manager.list();
    const view: RunnerMetricsView = {
      eventLoop: {
        maxLagMs: lag(this.delay.max), p99LagMs: lag(this.delay.percentile(99)), meanLagMs: lag(this.delay.mean),
        ...this.split.read(), windowMs: Date.now() - this.windowStart,
      },
      rssBytes: process.memoryUsage.rss(),
      heapUsedBytes: process.memoryUsage().heapUsed,
      openFds: openFds(),
      sessions: sessions.length,
      liveSessions: manager.live().length,
      viewers: sessions.reduce((n, s) => n + s.terminal.viewerCount, 0),
    };
    if (reset) { this.delay.reset(); this.split.reset(); this.windowStart = Date.now(); }
    return view;
  }

  close(): void { this.delay.disable(); this.split.close(); }
}

export function metricsRoutes(ctx: { ownerToken: string; manager: SessionManager; metrics: RunnerMetrics }): Route[] {
  return [
    ['GET', /^\/api\/metrics$/, async (req, res, url) => {
      if (!sameToken(requestToken(req, url), ctx.ownerToken)) throw new HttpError('unauthorized', 'metrics need the runner owner token');
      sendJson(res, 200, ctx.metrics.read(ctx.manager, url.searchParams.get('reset') === '1'));
    }],
  ];
}

/**
 * Splits lag into its causes with the main thread's scheduler statistics (Linux
 * /proc/thread-self/schedstat: nanoseconds on a CPU, nanoseconds waiting for one).
 * A timer SPLIT_SAMPLE_MS apart comes late by some amount; the part spent waiting
 * for a CPU is the host's, the rest is the runner's own.
 */
class LagSplit {
  private readonly fd: number | null;
  private readonly buf = Buffer.alloc(128);
  private last: { at: number; wait: number } | null = null;
  private maxOwnMs = 0;
  private waitMs = 0;
  private readonly timer: NodeJS.Timeout | null = null;

  constructor() {
    // Opened here, on the main thread: thread-self names the thread that opens it.
    let fd: number | null = null;
    try { fd = openSync('/proc/thread-self/schedstat', 'r'); } catch { /* not Linux: no split */ }
    this.fd = fd;
    if (fd !== null) {
      this.timer = setInterval(() => this.sample(), SPLIT_SAMPLE_MS);
      this.timer.unref();
    }
  }

  read(): { maxOwnLagMs: number | null; runQueueWaitMs: number | null } {
    if (this.fd === null) return { maxOwnLagMs: null, runQueueWaitMs: null };
    return { maxOwnLagMs: round(this.maxOwnMs), runQueueWaitMs: round(this.waitMs) };
  }

  reset(): void { this.maxOwnMs = 0; this.waitMs = 0; }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.fd !== null) closeSync(this.fd);
  }

  private sample(): void {
    const n = readSync(this.fd!, this.buf, 0, this.buf.length, 0);
    const waitNs = Number(this.buf.toString('latin1', 0, n).split(' ')[1] ?? 0);
    const now = { at: performance.now(), wait: waitNs / 1e6 };
    if (this.last) {
      const waited = now.wait - this.last.wait;
      const late = now.at - this.last.at - SPLIT_SAMPLE_MS;
      this.maxOwnMs = Math.max(this.maxOwnMs, late - waited);
      this.waitMs += waited;
    }
    this.last = now;
  }
}

function openFds(): number | null {
  try { return readdirSync('/proc/self/fd').length; } catch { return null; }
}

function round(ms: number): number { return Math.round(ms * 10) / 10; }

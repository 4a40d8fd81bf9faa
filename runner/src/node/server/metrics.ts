// How the runner itself is doing, for `npm run soak` and an operator: the
// event-loop lag measured inside the runner (a stall here freezes every
// learner's terminal at once), memory, open file descriptors, sessions and
// terminal viewers. GET /api/metrics with the owner token; `?reset=1` starts a
// new measuring window after answering, so a benchmark can measure one phase.
import { readdirSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Route } from './api.ts';
import { HttpError, sendJson } from './http-util.ts';
import { requestToken, sameToken } from './security.ts';
import type { SessionManager } from '../sessions/session-manager.ts';

/** Sampling period of the lag monitor: fine enough to see a 20 ms stall, and only a libuv timer. */
export const LAG_RESOLUTION_MS = 10;

export interface RunnerMetricsView {
  eventLoop: {
    /** Worst delay of the loop past its sampling period, in this window. */
    maxLagMs: number;
    p99LagMs: number;
    meanLagMs: number;
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
        windowMs: Date.now() - this.windowStart,
      },
      rssBytes: process.memoryUsage.rss(),
      heapUsedBytes: process.memoryUsage().heapUsed,
      openFds: openFds(),
      sessions: sessions.length,
      liveSessions: manager.live().length,
      viewers: sessions.reduce((n, s) => n + s.terminal.viewerCount, 0),
    };
    if (reset) { this.delay.reset(); this.windowStart = Date.now(); }
    return view;
  }

  close(): void { this.delay.disable(); }
}

export function metricsRoutes(ctx: { ownerToken: string; manager: SessionManager; metrics: RunnerMetrics }): Route[] {
  return [
    ['GET', /^\/api\/metrics$/, async (req, res, url) => {
      if (!sameToken(requestToken(req, url), ctx.ownerToken)) throw new HttpError('unauthorized', 'metrics need the runner owner token');
      sendJson(res, 200, ctx.metrics.read(ctx.manager, url.searchParams.get('reset') === '1'));
    }],
  ];
}

function openFds(): number | null {
  try { return readdirSync('/proc/self/fd').length; } catch { return null; }
}

function round(ms: number): number { return Math.round(ms * 10) / 10; }

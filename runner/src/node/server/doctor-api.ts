// GET /api/doctor[?refresh=1] — the host report of `labs doctor` (owner only:
// it names the kernel, paths and versions of this machine).
// The checks take seconds and one of them may boot a VM kernel, so they run
// once at a time: concurrent requests share the run in progress, and a report
// younger than DOCTOR_CACHE_MS is answered as is (a page reload does not probe
// again). ?refresh=1 skips that cache, never the run in progress.
import type { DoctorReport } from '../../common/doctor.ts';
import { sendJson } from './http-util.ts';
import { requireOwnerIdentity, type LearnerAuthenticator } from './identity.ts';
import type { Route } from './api.ts';

/** Long enough for a reload or a second tab, short enough that a fix shows on the next visit. */
export const DOCTOR_CACHE_MS = 30_000;

export interface DoctorSource {
  /** The latest report: the run in progress, a fresh cached one, or a new run. */
  report(opts?: { refresh?: boolean }): Promise<DoctorReport>;
}

export function coalescedDoctor(run: () => Promise<DoctorReport>, ttlMs = DOCTOR_CACHE_MS, now: () => number = Date.now): DoctorSource {
  let inFlight: Promise<DoctorReport> | null = null;
  let last: { at: number; report: DoctorReport } | null = null;
  return {
    report({ refresh = false } = {}) {
      if (inFlight) return inFlight;
      if (!refresh && last && now() - last.at < ttlMs) return Promise.resolve(last.report);
      const p = run().then((report) => { last = { at: now(), report }; return report; });
      inFlight = p.finally(() => { inFlight = null; });
      return inFlight;
    },
  };
}

export function doctorRoutes(ctx: { ownerToken: string; learners?: LearnerAuthenticator; doctor: DoctorSource }): Route[] {
  return [
    ['GET', /^\/api\/doctor$/, async (req, res, url) => {
      requireOwnerIdentity(req, url, ctx.ownerToken, ctx.learners);
      sendJson(res, 200, await ctx.doctor.report({ refresh: url.searchParams.get('refresh') === '1' }));
    }],
  ];
}

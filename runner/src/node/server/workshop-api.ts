// HTTP routes for progress and workshops (mounted by api.ts):
//   GET  /api/progress                       own progress (owner = the local learner, or a workshop learner)
//   GET  /api/progress/timeline              own timeline
//   POST /api/workshops/join                 { code, name } → learner token (no auth; failed joins are rate-limited per client address)
//   POST /api/workshops                      create (owner)
//   GET  /api/workshops                      list (owner)
//   GET  /api/workshops/:id                  one (owner)
//   POST /api/workshops/:id/close            end now, stop its labs (owner)
//   GET  /api/workshops/:id/roster           learner × lab × task (owner)
//   GET  /api/workshops/:id/roster/stream    the same as Server-Sent Events, pushed on every change (owner; ?token=)
//   GET  /api/workshops/:id/learners/:l/timeline   one learner's events (owner)
//   GET  /api/workshops/:id/grades?format=json|csv (owner)
import type { ServerResponse } from 'node:http';
import { gradesToCsv, type GradeQuiz } from '../../common/grades.ts';
import {
  createWorkshopRequestSchema, isLearnerId, isWorkshopId, joinWorkshopRequestSchema, LOCAL_LEARNER_ID,
  type TimelineResponse, type WorkshopInfo,
} from '../../common/workshop.ts';
import type { SessionManager } from '../sessions/session-manager.ts';
import type { ProgressStore } from '../progress/progress-store.ts';
import type { ProgressFeed } from '../progress/progress-feed.ts';
import type { ProgressRecorder } from '../progress/progress-recorder.ts';
import { gradeLabs, learnerProgress, roster, workshopGrades } from '../progress/progress-views.ts';
import type { WorkshopService, WorkshopError } from '../workshops/workshop-service.ts';
import type { WorkshopClock } from '../workshops/workshop-clock.ts';
import { HttpError, readJson, sendJson } from './http-util.ts';
import { requireOwnerIdentity, requirePerson, type LearnerAuthenticator } from './identity.ts';
import { openEventStream } from './sse.ts';
import { clientKey } from './client-address.ts';
import { onUnexpectedError } from '../util/unexpected-error.ts';
import type { Route } from './api.ts';

/** Bursts of changes (a learner answering three questions) become one roster push. */
export const ROSTER_PUSH_DEBOUNCE_MS = 250;
/** Time spent grows without events; the roster is re-sent this often anyway. */
export const ROSTER_REFRESH_MS = 30_000;
/** Open roster streams at once: a few instructor tabs, not a broadcast service. */
export const MAX_ROSTER_STREAMS = 16;

export interface WorkshopApiContext {
  manager: SessionManager;
  ownerToken: string;
  store: ProgressStore;
  feed: ProgressFeed;
  recorder: ProgressRecorder;
  workshops: WorkshopService;
  clock: WorkshopClock;
  /** The site's quizzes, graded beside the labs. */
  quizzes: GradeQuiz[];
}

export function workshopRoutes(ctx: WorkshopApiContext): Route[] {
  const learners: LearnerAuthenticator = (t) => ctx.workshops.authenticate(t);
  const owner = (req: Parameters<Route[2]>[0], url: URL): void => requireOwnerIdentity(req, url, ctx.ownerToken, learners);
  let streams = 0;

  const workshopOr404 = (id: string | undefined): WorkshopInfo => {
    if (!isWorkshopId(id)) throw new HttpError('bad-request', `"${id}" is not a workshop id (expected w- and 12 letters/digits)`);
    const w = ctx.workshops.get(id);
    if (!w) throw new HttpError('not-found', `no workshop ${id}`);
    return w;
  };
  const liveSessions = () => ctx.manager.live().map((s) => ({ id: s.id, learnerId: s.owner.learnerId, labId: s.lab.id }));
  const rosterOf = (w: WorkshopInfo) => {
    ctx.recorder.flush();
    return roster(ctx.store, w, gradeLabs(w.labs, ctx.manager.labs), liveSessions(), ctx.quizzes);
  };

  return [
    ['GET', /^\/api\/progress$/, async (req, res, url) => {
      const who = requirePerson(req, url, ctx.ownerToken, learners);
      ctx.recorder.flush();
      const learner = ctx.store.learner(who.learnerId);
      if (!learner) throw new HttpError('not-found', `no learner ${who.learnerId}`);
      const workshop = who.workshopId ? ctx.workshops.learnerWorkshop(who.workshopId) : null;
      const labIds = workshop ? workshop.labs : [...ctx.manager.labs.keys()];
      sendJson(res, 200, learnerProgress(ctx.store, learner, gradeLabs(labIds, ctx.manager.labs), workshop, ctx.quizzes));
    }],
    ['GET', /^\/api\/progress\/timeline$/, async (req, res, url) => {
      const who = requirePerson(req, url, ctx.ownerToken, learners);
      sendJson(res, 200, timelineOf(ctx.store, who.learnerId));
    }],
    ['POST', /^\/api\/workshops\/join$/, async (req, res) => {
      const body = await readJson(req, joinWorkshopRequestSchema);
      const r = ctx.workshops.join(body.code, body.name, clientKey(req.socket.remoteAddress));
      if (!r.ok) return fail(res, r.error);
      sendJson(res, 201, r.value);
    }],
    ['POST', /^\/api\/workshops$/, async (req, res, url) => {
      owner(req, url);
      const body = await readJson(req, createWorkshopRequestSchema);
      const r = ctx.workshops.create(body);
      if (!r.ok) return fail(res, r.error);
      sendJson(res, 201, r.value);
    }],
    ['GET', /^\/api\/workshops$/, async (req, res, url) => {
      owner(req, url);
      sendJson(res, 200, { workshops: ctx.workshops.list() });
    }],
    ['GET', /^\/api\/workshops\/([^/]+)$/, async (req, res, url, [id]) => {
      owner(req, url);
      sendJson(res, 200, workshopOr404(id));
    }],
    ['POST', /^\/api\/workshops\/([^/]+)\/close$/, async (req, res, url, [id]) => {
      owner(req, url);
      workshopOr404(id);
      const closed = ctx.workshops.close(id!)!;
      await ctx.clock.tick();
      sendJson(res, 200, closed);
    }],
    ['GET', /^\/api\/workshops\/([^/]+)\/roster$/, async (req, res, url, [id]) => {
      owner(req, url);
      sendJson(res, 200, rosterOf(workshopOr404(id)));
    }],
    ['GET', /^\/api\/workshops\/([^/]+)\/roster\/stream$/, async (req, res, url, [id]) => {
      owner(req, url);
      const w = workshopOr404(id);
      if (streams >= MAX_ROSTER_STREAMS) throw new HttpError('rate-limited', `${streams} roster streams are open already (the limit is ${MAX_ROSTER_STREAMS}); close one`);
      streams++;
      const stream = openEventStream(req, res);
      let timer: NodeJS.Timeout | null = null;
      const push = (): void => {
        timer = null;
        try {
          stream.send('roster', rosterOf(ctx.workshops.get(w.id) ?? w));
        } catch (e) {
          onUnexpectedError(e, `the roster stream of workshop ${w.id}`);
          stream.close();
        }
      };
      const soon = (): void => { timer ??= setTimeout(push, ROSTER_PUSH_DEBOUNCE_MS); };
      const unsubscribe = ctx.feed.subscribe(w.id, soon);
      const refresh = setInterval(soon, ROSTER_REFRESH_MS);
      push();
      await stream.closed;
      streams--;
      unsubscribe();
      clearInterval(refresh);
      if (timer) clearTimeout(timer);
    }],
    ['GET', /^\/api\/workshops\/([^/]+)\/learners\/([^/]+)\/timeline$/, async (req, res, url, [id, learnerId]) => {
      owner(req, url);
      const w = workshopOr404(id);
      if (!isLearnerId(learnerId) || learnerId === LOCAL_LEARNER_ID) throw new HttpError('bad-request', `"${learnerId}" is not a learner id (expected l- and 12 letters/digits)`);
      const l = ctx.store.learner(learnerId);
      if (!l || l.workshopId !== w.id) throw new HttpError('not-found', `no learner ${learnerId} in workshop ${w.id}`);
      sendJson(res, 200, timelineOf(ctx.store, learnerId));
    }],
    ['GET', /^\/api\/workshops\/([^/]+)\/grades$/, async (req, res, url, [id]) => {
      owner(req, url);
      const w = workshopOr404(id);
      const format = url.searchParams.get('format') ?? 'json';
      if (format !== 'json' && format !== 'csv') throw new HttpError('bad-request', `format "${format}" is not known (expected json or csv)`);
      ctx.recorder.flush();
      const report = workshopGrades(ctx.store, w, gradeLabs(w.labs, ctx.manager.labs), ctx.quizzes);
      if (format === 'json') return sendJson(res, 200, report);
      const csv = gradesToCsv(report);
      res.writeHead(200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-length': Buffer.byteLength(csv),
        'content-disposition': `attachment; filename="grades-${w.id}.csv"`,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      });
      res.end(csv);
    }],
  ];
}

function timelineOf(store: ProgressStore, learnerId: string): TimelineResponse {
  const l = store.learner(learnerId);
  if (!l) throw new HttpError('not-found', `no learner ${learnerId}`);
  return { learner: { id: l.id, name: l.name, workshopId: l.workshopId }, events: store.timeline(learnerId) };
}

function fail(res: ServerResponse, e: WorkshopError): never {
  if (e.retryAfterSeconds !== undefined) res.setHeader('retry-after', String(e.retryAfterSeconds));
  throw new HttpError(e.code, e.words ?? e.message);
}

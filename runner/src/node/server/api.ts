// The HTTP API: labs, sessions, checks, answers, hints. Every id in a path is
// validated before use; every state-changing route needs a token.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isSessionId, isSlug } from '../../common/ids.ts';
import { toPublicLab } from '../../common/lab-schema.ts';
import { localizeLab } from '../../common/lab-translation.ts';
import {
  answerRequestSchema, startSessionRequestSchema,
  type ForegroundResponse, type LabListResponse, type StartSessionResponse,
} from '../../common/protocol.ts';
import type { SessionManager } from '../sessions/session-manager.ts';
import type { Session, SessionError } from '../sessions/session.ts';
import { HttpError, langOf, readJson, sendJson } from './http-util.ts';
import { requestToken, sameToken } from './security.ts';
import { identify, requirePerson, type Identity, type LearnerAuthenticator } from './identity.ts';
import type { LearnerIdentity } from '../workshops/workshop-service.ts';
import { LOCAL_LEARNER_ID } from '../../common/workshop.ts';
import { fireAndForget } from '../util/unexpected-error.ts';
import { queryForeground } from '../sessions/foreground.ts';
import { profileRequestSchema, type PictureListResponse, type PictureMadeResponse } from '../../common/pictures.ts';
import { PictureSpool } from '../pictures/spool.ts';
import { PictureMaker } from '../pictures/make.ts';
import { LatencyTimeline } from '../pictures/timeline.ts';
import type { PictureResult } from '../pictures/lab-exec.ts';
import type { BackendStatus } from './backend-status.ts';
import { SAY_WORKSHOP } from '../workshops/workshop-words.ts';

/** Labs one workshop learner may run at once: one to work in, one more to compare or restart without waiting; more only takes seats' resources. */
export const MAX_LIVE_SESSIONS_PER_LEARNER = 2;

export interface ApiContext {
  manager: SessionManager;
  ownerToken: string;
  labProblems: string[];
  /** The backends' state (cached: server/backend-status.ts); only token holders see it. */
  backendStatus: () => Promise<BackendStatus>;
  /** Workshop learners: who a learner token is, and whether they may start a lab now. */
  learners?: LearnerGate;
  /** More routes (workshops, progress), matched after these. */
  extraRoutes?: Route[];
}

export interface LearnerGate {
  authenticate: LearnerAuthenticator;
  /** Throws an HttpError naming why this learner may not start this lab now. */
  admitStart(learner: LearnerIdentity, labId: string): void;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, url: URL, params: string[]) => Promise<void>;
export type Route = [method: string, pattern: RegExp, handler: Handler];

export function createApi(ctx: ApiContext): (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean> {
  const spool = new PictureSpool();
  const maker = new PictureMaker(spool);
  const timeline = new LatencyTimeline();
  const routes: Route[] = [
    ['GET', /^\/api\/health$/, async (req, res, url) => {
      // Anyone may ask whether the runner is up; what runs on the host is for token holders.
      if (!identify(req, url, ctx.ownerToken, ctx.learners?.authenticate)) return sendJson(res, 200, { ok: true });
      sendJson(res, 200, { ok: true, backends: await ctx.backendStatus(), labs: ctx.manager.labs.size, sessions: ctx.manager.list().length });
    }],
    ['GET', /^\/api\/labs$/, async (req, res, url) => {
      const lang = langOf(url, req);
      const body: LabListResponse = { labs: [...ctx.manager.labs.values()].map((l) => toPublicLab(localizeLab(l, lang))), problems: ctx.labProblems };
      sendJson(res, 200, body);
    }],
    ['GET', /^\/api\/labs\/([^/]+)$/, async (req, res, url, [id]) => {
      const lab = ctx.manager.labs.get(slug(id, 'lab id'));
      if (!lab) throw new HttpError('not-found', `no lab "${id}"`);
      sendJson(res, 200, toPublicLab(localizeLab(lab, langOf(url, req))));
    }],
    ['GET', /^\/api\/sessions$/, async (req, res, url) => {
      const who = requirePerson(req, url, ctx.ownerToken, ctx.learners?.authenticate);
      const lang = langOf(url, req);
      if (who.kind === 'owner') return sendJson(res, 200, { sessions: ctx.manager.list().map((s) => s.view(lang)) });
      // A learner sees only their own labs, with the session tokens their terminals need.
      const own = ctx.manager.listFor(who.learnerId);
      sendJson(res, 200, { sessions: own.map((s) => s.view(lang)), tokens: Object.fromEntries(own.map((s) => [s.id, s.token])) });
    }],
    ['POST', /^\/api\/sessions$/, async (req, res, url) => {
      const who = requirePerson(req, url, ctx.ownerToken, ctx.learners?.authenticate);
      const body = await readJson(req, startSessionRequestSchema);
      const labId = slug(body.labId, 'labId');
      if (who.kind === 'learner') admitLearner(who, labId);
      const created = ctx.manager.create(labId, { owner: { learnerId: who.learnerId, workshopId: who.workshopId } });
      if (!created.ok) throw new HttpError(created.error.code, created.error.words ?? created.error.message);
      const { session, ready } = created.value;
      if (url.searchParams.get('wait') === '1') {
        const r = await ready;
        if (!r.ok) { await ctx.manager.stop(session.id); throw new HttpError(r.error.code, r.error.words ?? r.error.message); }
      }
      const body2: StartSessionResponse = { session: session.view(langOf(url, req)), token: session.token };
      sendJson(res, url.searchParams.get('wait') === '1' ? 201 : 202, body2);
    }],
    ['GET', /^\/api\/sessions\/([^/]+)$/, async (req, res, url, [id]) => {
      const s = sessionFor(req, url, id);
      sendJson(res, 200, s.view(langOf(url, req)));
    }],
    ['DELETE', /^\/api\/sessions\/([^/]+)$/, async (req, res, url, [id]) => {
      const s = sessionFor(req, url, id);
      // During an outage: 503, and the session stays (stopping) until its environment is removed.
      unwrap(await ctx.manager.stop(s.id));
      sendJson(res, 200, { stopped: s.id });
    }],
    ['POST', /^\/api\/sessions\/([^/]+)\/reset$/, async (req, res, url, [id]) => {
      const s = sessionFor(req, url, id);
      const done = s.reset();
      if (url.searchParams.get('wait') === '1') unwrap(await done);
      else fireAndForget(done, `resetting session ${s.id}`);
      sendJson(res, 202, s.view(langOf(url, req)));
    }],
    ['POST', /^\/api\/sessions\/([^/]+)\/tasks\/([^/]+)\/check$/, async (req, res, url, [id, task]) => {
      const s = sessionFor(req, url, id);
      sendJson(res, 200, unwrap(await s.runCheck(slug(task, 'task id'), langOf(url, req))));
    }],
    ['POST', /^\/api\/sessions\/([^/]+)\/tasks\/([^/]+)\/answer$/, async (req, res, url, [id, task]) => {
      const s = sessionFor(req, url, id);
      const body = await readJson(req, answerRequestSchema);
      sendJson(res, 200, unwrap(s.answer(slug(task, 'task id'), body.answer, body.lang)));
    }],
    ['POST', /^\/api\/sessions\/([^/]+)\/tasks\/([^/]+)\/hint$/, async (req, res, url, [id, task]) => {
      const s = sessionFor(req, url, id);
      sendJson(res, 200, unwrap(s.nextHint(slug(task, 'task id'), langOf(url, req))));
    }],
    ['GET', /^\/api\/sessions\/([^/]+)\/foreground$/, async (req, res, url, [id]) => {
      // Read-only and quick: not queued behind a running check, so Run can ask at once.
      const s = sessionFor(req, url, id);
      if (s.phase !== 'running') throw new HttpError('conflict', `the lab is ${s.phase}, not running: nothing runs in its terminal`);
      const r = await queryForeground(s);
      if (!r.ok) throw new HttpError('conflict', r.message);
      const body: ForegroundResponse = { program: r.program };
      sendJson(res, 200, body);
    }],
    // Pictures of the learner's own data: files ktrace leaves in the lab's spool, read and validated here.
    ['GET', /^\/api\/sessions\/([^/]+)\/pictures$/, async (req, res, url, [id]) => {
      const s = runningSession(req, url, id, 'no pictures can be read');
      const body: PictureListResponse = { pictures: picture(await spool.list(s.id, s.execScript.bind(s))) };
      sendJson(res, 200, body);
    }],
    ['POST', /^\/api\/sessions\/([^/]+)\/pictures\/profile$/, async (req, res, url, [id]) => {
      const s = runningSession(req, url, id, 'there is nothing to profile');
      const body = await readJson(req, profileRequestSchema);
      const made: PictureMadeResponse = { picture: picture(await maker.profile(s.id, s.execScript.bind(s), body.seconds)) };
      sendJson(res, 201, made);
    }],
    ['POST', /^\/api\/sessions\/([^/]+)\/pictures\/perf-data$/, async (req, res, url, [id]) => {
      const s = runningSession(req, url, id, 'no perf.data can be read');
      const made: PictureMadeResponse = { picture: picture(await maker.drawPerfData(s.id, s.execScript.bind(s))) };
      sendJson(res, 201, made);
    }],
    ['GET', /^\/api\/sessions\/([^/]+)\/pictures\/([^/]+)$/, async (req, res, url, [id, name]) => {
      const s = runningSession(req, url, id, 'no pictures can be read');
      sendJson(res, 200, picture(await spool.read(s.execScript.bind(s), name ?? '')));
    }],
    ['GET', /^\/api\/sessions\/([^/]+)\/timeline$/, async (req, res, url, [id]) => {
      const s = runningSession(req, url, id, 'its latency log cannot be read');
      if (!s.lab.timeline) throw new HttpError('not-found', `lab ${s.lab.id} declares no latency timeline (lab.yaml "timeline")`);
      const raw = url.searchParams.get('since');
      const since = raw === null || raw === '' ? 0 : Number(raw);
      if (!Number.isSafeInteger(since) || since < 0) throw new HttpError('bad-request', `since "${raw}" is not a time (expected Unix milliseconds)`);
      sendJson(res, 200, picture(await timeline.get(s.id, s.execScript.bind(s), s.lab.timeline, since)));
    }],
    ['POST', /^\/api\/sessions\/([^/]+)\/solution$/, async (req, res, url, [id]) => {
      const s = sessionFor(req, url, id);
      sendJson(res, 200, { notes: unwrap(s.revealSolution(langOf(url, req))) });
    }],
  ];

  /** A learner may start a lab of their workshop while it is open, within their share of the runner. */
  function admitLearner(who: Extract<Identity, { kind: 'learner' }>, labId: string): void {
    ctx.learners?.admitStart(who.learner, labId);
    const live = ctx.manager.listFor(who.learnerId).filter((s) => s.phase !== 'stopped' && s.phase !== 'failed');
    const same = live.find((s) => s.lab.id === labId);
    if (same) throw new HttpError('conflict', SAY_WORKSHOP.alreadyRunsLab(labId, same.id));
    if (live.length >= MAX_LIVE_SESSIONS_PER_LEARNER) {
      throw new HttpError('conflict', SAY_WORKSHOP.tooManyLabs(live.map((s) => s.lab.id), MAX_LIVE_SESSIONS_PER_LEARNER));
    }
  }

  /** The session named in the path, if the request carries its token, the owner's, or its learner's. */
  function sessionFor(req: IncomingMessage, url: URL, id: string | undefined): Session {
    if (!isSessionId(id)) throw new HttpError('bad-request', `"${id}" is not a session id (expected s- and 20 letters/digits)`);
    const token = requestToken(req, url);
    const s = ctx.manager.get(id);
    const ownLearner = (): boolean => {
      const who = s && s.owner.learnerId !== LOCAL_LEARNER_ID ? identify(req, url, ctx.ownerToken, ctx.learners?.authenticate) : null;
      return who?.kind === 'learner' && who.learnerId === s?.owner.learnerId;
    };
    // Same answer for "no such session" and "wrong token": ids are not probeable.
    if (!s || !(sameToken(token, s.token) || sameToken(token, ctx.ownerToken) || ownLearner())) {
      throw new HttpError(token ? 'not-found' : 'unauthorized', token ? `no session ${id} for this token` : 'this needs the session token (Authorization: Bearer <token>)');
    }
    s.touch();
    return s;
  }

  /** A session whose lab runs now: pictures are read from inside it. */
  function runningSession(req: IncomingMessage, url: URL, id: string | undefined, why: string): Session {
    const s = sessionFor(req, url, id);
    if (s.phase !== 'running') throw new HttpError('conflict', `the lab is ${s.phase}, not running: ${why}`);
    return s;
  }

  routes.push(...(ctx.extraRoutes ?? []));

  return async (req, res, url) => {
    for (const [method, pattern, handler] of routes) {
      const m = pattern.exec(url.pathname);
      if (!m) continue;
      if (req.method !== method) continue;
      await handler(req, res, url, m.slice(1).map(decodeURIComponentSafe));
      return true;
    }
    if (url.pathname.startsWith('/api/')) {
      const known = routes.some(([, p]) => p.test(url.pathname));
      if (known) throw new HttpError('method-not-allowed', `method ${req.method} is not allowed on ${url.pathname}`);
      throw new HttpError('not-found', `no API route ${url.pathname}`);
    }
    return false;
  };
}

function slug(value: string | undefined, what: string): string {
  if (!isSlug(value)) throw new HttpError('bad-request', `${what} "${value}" is not valid (expected lower-case letters, digits and dashes)`);
  return value;
}

function unwrap<T>(r: { ok: true; value: T } | { ok: false; error: SessionError }): T {
  if (!r.ok) throw new HttpError(r.error.code, r.error.words ?? r.error.message);
  return r.value;
}

function picture<T>(r: PictureResult<T>): T {
  if (!r.ok) throw new HttpError(r.error.code, r.error.message);
  return r.value;
}

function decodeURIComponentSafe(s: string): string {
  try { return decodeURIComponent(s); } catch { return s; }
}

// The runner's HTTP API as a client sees it: paths, typed calls, and replies
// read the same way by the browser and the CLI. Environment-neutral: it is
// handed a fetch function and a token, so the page (same origin, token from
// the bootstrap or a join) and the CLI (runner URL, owner token file) are thin
// adapters around it.
import { apiErrorOf, type ApiErrorCode } from './errors.ts';
import type { PublicLab } from './lab-schema.ts';
import type {
  CheckResult, ForegroundResponse, HintResponse, LabListResponse, QuizAnswerRequest, QuizAnswerResponse, QuizState, SessionView, StartSessionResponse,
} from './protocol.ts';
import type { Lang } from './langs.ts';
import type { ImageStatusResponse } from './image-status.ts';
import type {
  CreateWorkshopRequest, JoinWorkshopResponse, ProgressResponse, RosterResponse, TimelineResponse, WorkshopInfo,
} from './workshop.ts';
import type { GradeReport } from './grades.ts';
import type {
  Picture, PictureListResponse, PictureMadeResponse, TimelineResponse as LatencyTimelineResponse,
} from './pictures.ts';

// ---- Transport ----

/** What this client needs of a fetch Response (the browser's and Node's both fit). */
export interface ReplyLike {
  readonly status: number;
  readonly ok: boolean;
  text(): Promise<string>;
}

export interface RequestLike {
  method: string;
  headers: Record<string, string>;
  body?: string;
}

export type FetchLike = (url: string, init: RequestLike) => Promise<ReplyLike>;

/** Failures that are not the runner's answer: it could not be reached, or its reply is not one it sends. */
export type TransportErrorCode = 'unreachable' | 'bad-response';
export type ClientErrorCode = ApiErrorCode | TransportErrorCode;

/** A call that failed; `message` is written for the person reading it, `status` is 0 when nothing answered. */
export class ApiClientError extends Error {
  constructor(readonly code: ClientErrorCode, message: string, readonly status: number) {
    super(message);
  }
}

export interface Connection {
  /** '' for the page's own origin, or the runner's URL (the CLI). */
  readonly baseUrl: string;
  readonly fetch: FetchLike;
  /** The bearer token of each call; null sends none. */
  readonly token: () => string | null | Promise<string | null>;
  /** The message when the runner does not answer: what to run or check, for this client's reader. */
  readonly unreachable: (detail: string) => string;
  /** The language the runner's messages should come in (sent as Accept-Language); English when absent. */
  readonly lang?: () => Lang;
}

/** Bytes of an unexpected reply shown in the error: enough to recognise an HTML error page or a proxy's text. */
const SHOWN_BODY_CHARS = 120;

export interface Caller {
  json<T>(method: string, path: string, body?: unknown): Promise<T>;
  /** A reply that is not JSON (a CSV export); errors still arrive as ApiClientError. */
  text(path: string): Promise<string>;
}

export function caller(c: Connection): Caller {
  const send = async (method: string, path: string, body: unknown): Promise<{ status: number; ok: boolean; text: string }> => {
    const token = await c.token();
    let reply: ReplyLike;
    try {
      reply = await c.fetch(`${c.baseUrl}${path}`, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(c.lang ? { 'accept-language': c.lang() } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (e) {
      throw new ApiClientError('unreachable', c.unreachable(causeOf(e)), 0);
    }
    let text: string;
    try {
      text = await reply.text();
    } catch (e) {
      throw new ApiClientError('unreachable', c.unreachable(`the reply to ${method} ${path} broke off: ${causeOf(e)}`), reply.status);
    }
    return { status: reply.status, ok: reply.ok, text };
  };
  return {
    json: async <T>(method: string, path: string, body?: unknown): Promise<T> => {
      const r = await send(method, path, body);
      return readReply<T>(method, path, r.status, r.ok, r.text);
    },
    text: async (path: string): Promise<string> => {
      const r = await send('GET', path, undefined);
      return r.ok ? r.text : readReply<never>('GET', path, r.status, r.ok, r.text);
    },
  };
}

/**
 * A reply as the runner sends it: JSON on success, `{ error: { code, message } }` otherwise.
 * Anything else (an HTML page from a proxy, a truncated body) is named with its status and first bytes.
 */
export function readReply<T>(method: string, path: string, status: number, ok: boolean, text: string): T {
  let json: unknown;
  let parsed = true;
  try { json = JSON.parse(text); } catch { parsed = false; }
  if (!ok) {
    const err = parsed ? apiErrorOf(json) : null;
    if (err) throw new ApiClientError(err.code, err.message, status);
    throw new ApiClientError('bad-response', `${method} ${path}: HTTP ${status} and not the runner's error reply (${shownBody(text)})`, status);
  }
  if (!parsed) throw new ApiClientError('bad-response', `${method} ${path}: HTTP ${status} but the reply is not JSON (${shownBody(text)})`, status);
  return json as T;
}

function shownBody(text: string): string {
  if (!text) return 'an empty body';
  const cut = text.length > SHOWN_BODY_CHARS ? `${text.slice(0, SHOWN_BODY_CHARS)}…` : text;
  return `it starts ${JSON.stringify(cut)}`;
}

function causeOf(e: unknown): string {
  const err = e as { message?: string; cause?: { code?: string; message?: string } } | null;
  return err?.cause?.code ?? err?.cause?.message ?? err?.message ?? String(e);
}

// ---- Paths ----

const enc = encodeURIComponent;

export const apiPaths = {
  health: '/api/health',
  bootstrap: '/api/bootstrap',
  labs: '/api/labs',
  lab: (id: string) => `/api/labs/${enc(id)}`,
  sessions: '/api/sessions',
  session: (id: string) => `/api/sessions/${enc(id)}`,
  task: (id: string, task: string, action: 'check' | 'answer' | 'hint') => `/api/sessions/${enc(id)}/tasks/${enc(task)}/${action}`,
  terminal: (id: string) => `/api/sessions/${enc(id)}/terminal`,
  progress: '/api/progress',
  workshops: '/api/workshops',
  join: '/api/workshops/join',
  workshop: (id: string) => `/api/workshops/${enc(id)}`,
  rosterStream: (id: string) => `/api/workshops/${enc(id)}/roster/stream`,
  grades: (id: string, format: 'json' | 'csv') => `/api/workshops/${enc(id)}/grades?format=${format}`,
  pictures: (id: string) => `/api/sessions/${enc(id)}/pictures`,
  picture: (id: string, name: string) => `/api/sessions/${enc(id)}/pictures/${enc(name)}`,
  /** The lab's latency log per second; `since` (Unix ms) answers only points from then on. */
  timeline: (id: string, since?: number) => `/api/sessions/${enc(id)}/timeline${since !== undefined ? `?since=${Math.max(0, Math.floor(since))}` : ''}`,
  quizzes: '/api/quizzes',
  quiz: (id: string, lang: Lang) => `/api/quizzes/${enc(id)}?lang=${lang}`,
  quizAnswers: (id: string) => `/api/quizzes/${enc(id)}/answers`,
  images: '/api/images',
  /** Owner only: the machines container labs run on. */
  pool: '/api/pool',
} as const;

// ---- Calls ----

export interface SessionListResponse {
  sessions: SessionView[];
  /** A workshop learner's own sessions' tokens (their terminals need them). */
  tokens?: Record<string, string>;
}

export interface BootstrapResponse {
  mode: 'self-paced' | 'workshop';
  /** Only to this runner's own pages on this machine, and never while a workshop runs (docs/security.md). */
  ownerToken?: string;
  /** Why a self-paced runner did not send its token, and what to do instead. */
  withheld?: string;
}

/** Calls anyone may make. */
export function publicApi(c: Caller) {
  return {
    /** POST: browsers send Origin on a same-origin POST (not on a GET), and the runner needs it to hand out its token. */
    bootstrap: () => c.json<BootstrapResponse>('POST', apiPaths.bootstrap),
    labs: () => c.json<LabListResponse>('GET', apiPaths.labs),
    lab: (id: string) => c.json<PublicLab>('GET', apiPaths.lab(id)),
    join: (code: string, name: string) => c.json<JoinWorkshopResponse>('POST', apiPaths.join, { code, name }),
    /** Where each lab's image stands: building in the background, ready, failed. */
    images: () => c.json<ImageStatusResponse>('GET', apiPaths.images),
  };
}

/** A learner's (or the owner's) calls about their own labs. */
export function sessionApi(c: Caller) {
  const s = apiPaths.session;
  return {
    list: () => c.json<SessionListResponse>('GET', apiPaths.sessions),
    get: (id: string) => c.json<SessionView>('GET', s(id)),
    /** `wait`: answer once the lab runs (201) instead of at once (202). */
    start: (labId: string, wait = false) => c.json<StartSessionResponse>('POST', `${apiPaths.sessions}${wait ? '?wait=1' : ''}`, { labId }),
    stop: (id: string) => c.json<{ stopped: string }>('DELETE', s(id)),
    reset: (id: string, wait = false) => c.json<SessionView>('POST', `${s(id)}/reset${wait ? '?wait=1' : ''}`),
    /** `lang`: the learner's language; the check script gets it as KDLABS_LANG. */
    check: (id: string, task: string, lang: Lang = 'en') => c.json<CheckResult>('POST', `${apiPaths.task(id, task, 'check')}?lang=${lang}`),
    answer: (id: string, task: string, answer: string, lang: Lang = 'en') => c.json<CheckResult>('POST', apiPaths.task(id, task, 'answer'), { answer, lang }),
    hint: (id: string, task: string, lang: Lang = 'en') => c.json<HintResponse>('POST', `${apiPaths.task(id, task, 'hint')}?lang=${lang}`),
    solution: (id: string, lang: Lang = 'en') => c.json<{ notes: string }>('POST', `${s(id)}/solution?lang=${lang}`),
    /** What runs in the foreground of the lab's shell (Run asks before typing into it). */
    foreground: (id: string) => c.json<ForegroundResponse>('GET', `${s(id)}/foreground`),
    progress: () => c.json<ProgressResponse>('GET', apiPaths.progress),
    /** Pictures ktrace saved in the lab, newest first. */
    pictures: (id: string) => c.json<PictureListResponse>('GET', apiPaths.pictures(id)),
    picture: (id: string, name: string) => c.json<Picture>('GET', apiPaths.picture(id, name)),
    /** Profiles every process of the lab with perf for `seconds` (default 10) and answers with the flame picture. */
    profile: (id: string, seconds?: number) => c.json<PictureMadeResponse>('POST', `${apiPaths.pictures(id)}/profile`, seconds === undefined ? {} : { seconds }),
    /** Draws the perf.data the learner recorded (in their shell's directory, else /root). */
    drawPerfData: (id: string) => c.json<PictureMadeResponse>('POST', `${apiPaths.pictures(id)}/perf-data`),
    /** The lab's latency per second; points with t >= since (a poll passes the last point's t: that second is answered again, complete). */
    timeline: (id: string, since?: number) => c.json<LatencyTimelineResponse>('GET', apiPaths.timeline(id, since)),
    /** This learner's standing at each question of a quiz, with explanations where earned, in `lang`. */
    quizState: (id: string, lang: Lang) => c.json<QuizState>('GET', apiPaths.quiz(id, lang)),
    /** Sends an answer to one quiz question; the runner grades and records it. */
    answerQuiz: (id: string, body: QuizAnswerRequest) => c.json<QuizAnswerResponse>('POST', apiPaths.quizAnswers(id), body),
  };
}

/** The instructor's calls (owner token). */
export function workshopApi(c: Caller) {
  const w = apiPaths.workshop;
  return {
    list: () => c.json<{ workshops: WorkshopInfo[] }>('GET', apiPaths.workshops),
    create: (body: CreateWorkshopRequest) => c.json<WorkshopInfo>('POST', apiPaths.workshops, body),
    close: (id: string) => c.json<WorkshopInfo>('POST', `${w(id)}/close`),
    roster: (id: string) => c.json<RosterResponse>('GET', `${w(id)}/roster`),
    timeline: (id: string, learnerId: string) => c.json<TimelineResponse>('GET', `${w(id)}/learners/${enc(learnerId)}/timeline`),
    grades: (id: string) => c.json<GradeReport>('GET', apiPaths.grades(id, 'json')),
    gradesFile: (id: string, format: 'csv' | 'json') => c.text(apiPaths.grades(id, format)),
  };
}

/** Newest first: what an instructor means by "the workshop" when several exist. */
export function newestFirst(workshops: readonly WorkshopInfo[]): WorkshopInfo[] {
  return [...workshops].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

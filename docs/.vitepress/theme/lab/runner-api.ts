// The browser's client of the runner's HTTP API. Same origin as the site: the
// page asks /api/bootstrap for the owner token (other origins cannot read it).
import type {
  ApiError, CheckResult, HintResponse, LabListResponse, SessionView, StartSessionResponse,
} from '../../../../runner/src/common/protocol.ts'
import type {
  CreateWorkshopRequest, JoinWorkshopResponse, ProgressResponse, RosterResponse, TimelineResponse, WorkshopInfo,
} from '../../../../runner/src/common/workshop.ts'

/** A request the runner refused or could not serve; `message` is written for the learner. */
export class RunnerError extends Error {
  constructor(message: string, readonly code: string, readonly status: number) {
    super(message)
  }
}

const NO_RUNNER = 'The lab runner is not reachable. Start it with `npm start` in your kdlabs checkout, then reload this page.'

const LEARNER_KEY = 'kdlabs:learner'
const OWNER_KEY = 'kdlabs:owner'

/** A workshop learner's credentials, kept by this browser after joining. */
export interface LearnerCredentials { token: string; learnerId: string; name: string; workshopId: string; workshopTitle: string }

export function learnerCredentials(): LearnerCredentials | null {
  try {
    const raw = localStorage.getItem(LEARNER_KEY)
    return raw ? (JSON.parse(raw) as LearnerCredentials) : null
  } catch { return null }
}

export function saveLearner(c: LearnerCredentials | null): void {
  if (c) localStorage.setItem(LEARNER_KEY, JSON.stringify(c))
  else localStorage.removeItem(LEARNER_KEY)
  tokenPromise = null
}

/** The instructor's owner token, pasted or taken from the dashboard link's #owner= fragment; kept for this tab only. */
export function saveOwnerToken(token: string | null): void {
  if (token) sessionStorage.setItem(OWNER_KEY, token)
  else sessionStorage.removeItem(OWNER_KEY)
  tokenPromise = null
}

let tokenPromise: Promise<string> | null = null

async function bootstrapOwnerToken(): Promise<string | null> {
  const body = await request<{ ownerToken?: string; mode: 'self-paced' | 'workshop' }>('GET', '/api/bootstrap', undefined, null)
  return body.ownerToken ?? null
}

/** The owner (instructor) token: this tab's saved one, or the runner's when it runs self-paced. */
export async function ownerToken(): Promise<string> {
  const saved = typeof sessionStorage === 'undefined' ? null : sessionStorage.getItem(OWNER_KEY)
  if (saved) return saved
  const t = await bootstrapOwnerToken()
  if (!t) throw new RunnerError('This runner hosts a workshop, so it does not hand out its owner token. Open the dashboard link that `labs workshop create` printed, or paste the token from .data/owner-token.', 'owner-required', 401)
  return t
}

/** The bearer token this browser acts with: a joined learner's, else the owner's. */
export function runnerToken(): Promise<string> {
  tokenPromise ??= (async () => {
    const learner = learnerCredentials()
    if (learner) return learner.token
    try {
      return await ownerToken()
    } catch (e) {
      if (e instanceof RunnerError && e.code === 'owner-required') {
        throw new RunnerError('This runner hosts a workshop: join it first on the Workshop page, with the code your instructor gave you.', 'join-required', 401)
      }
      throw e
    }
  })()
  tokenPromise.catch(() => { tokenPromise = null })
  return tokenPromise
}

async function request<T>(method: string, path: string, body: unknown, token: string | null): Promise<T> {
  let res: Response
  try {
    res = await fetch(path, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    })
  } catch {
    throw new RunnerError(NO_RUNNER, 'unreachable', 0)
  }
  const text = await res.text()
  let json: unknown = null
  try { json = text ? JSON.parse(text) : null } catch { /* not JSON: handled below */ }
  if (!res.ok) {
    const err = (json as ApiError | null)?.error
    if (!err) throw new RunnerError(res.status === 404 || res.status >= 502 ? NO_RUNNER : `The runner answered HTTP ${res.status}.`, 'http', res.status)
    throw new RunnerError(err.message, err.code, res.status)
  }
  if (json === null) throw new RunnerError(`The runner sent an unreadable answer to ${method} ${path}.`, 'http', res.status)
  return json as T
}

async function authed<T>(method: string, path: string, body?: unknown): Promise<T> {
  return request<T>(method, path, body, await runnerToken())
}

const s = (id: string): string => `/api/sessions/${encodeURIComponent(id)}`
const t = (id: string, task: string): string => `${s(id)}/tasks/${encodeURIComponent(task)}`

async function asOwner<T>(method: string, path: string, body?: unknown): Promise<T> {
  return request<T>(method, path, body, await ownerToken())
}

export const runnerApi = {
  /** Sessions this browser may see; a learner also gets each one's terminal token. Reading it does not count as activity. */
  listSessions: () => authed<{ sessions: SessionView[]; tokens?: Record<string, string> }>('GET', '/api/sessions'),
  progress: () => authed<ProgressResponse>('GET', '/api/progress'),
  labs: () => request<LabListResponse>('GET', '/api/labs', undefined, null),
  join: (code: string, name: string) => request<JoinWorkshopResponse>('POST', '/api/workshops/join', { code, name }, null),
  startSession: (labId: string) => authed<StartSessionResponse>('POST', '/api/sessions', { labId }),
  stopSession: (id: string) => authed<{ stopped: string }>('DELETE', s(id)),
  resetSession: (id: string) => authed<SessionView>('POST', `${s(id)}/reset`),
  check: (id: string, task: string) => authed<CheckResult>('POST', `${t(id, task)}/check`),
  answer: (id: string, task: string, answer: string) => authed<CheckResult>('POST', `${t(id, task)}/answer`, { answer }),
  hint: (id: string, task: string) => authed<HintResponse>('POST', `${t(id, task)}/hint`),
  solution: (id: string) => authed<{ notes: string }>('POST', `${s(id)}/solution`),
}

const w = (id: string): string => `/api/workshops/${encodeURIComponent(id)}`

/** The instructor's calls: owner token only. */
export const instructorApi = {
  workshops: () => asOwner<{ workshops: WorkshopInfo[] }>('GET', '/api/workshops'),
  create: (body: CreateWorkshopRequest) => asOwner<WorkshopInfo>('POST', '/api/workshops', body),
  close: (id: string) => asOwner<WorkshopInfo>('POST', `${w(id)}/close`),
  roster: (id: string) => asOwner<RosterResponse>('GET', `${w(id)}/roster`),
  timeline: (id: string, learner: string) => asOwner<TimelineResponse>('GET', `${w(id)}/learners/${encodeURIComponent(learner)}/timeline`),
  /** The grades file as text (CSV or JSON), for a download. */
  async grades(id: string, format: 'csv' | 'json'): Promise<string> {
    const res = await fetch(`${w(id)}/grades?format=${format}`, { headers: { authorization: `Bearer ${await ownerToken()}` } })
    if (!res.ok) throw new RunnerError(`grades: HTTP ${res.status}`, 'http', res.status)
    return res.text()
  },
  async rosterStreamUrl(id: string): Promise<string> {
    return `${w(id)}/roster/stream?token=${encodeURIComponent(await ownerToken())}`
  },
}

/** WebSocket URL of a session's terminal, on the page's own origin. */
export async function terminalUrl(sessionId: string, sessionToken?: string): Promise<string> {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:'
  return `${proto}//${location.host}${s(sessionId)}/terminal?token=${encodeURIComponent(sessionToken ?? await runnerToken())}`
}

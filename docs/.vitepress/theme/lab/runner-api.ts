// The browser's client of the runner's HTTP API. Same origin as the site: the
// page asks /api/bootstrap for the owner token (other origins cannot read it).
import type {
  ApiError, CheckResult, HintResponse, SessionView, StartSessionResponse,
} from '../../../../runner/src/common/protocol.ts'

/** A request the runner refused or could not serve; `message` is written for the learner. */
export class RunnerError extends Error {
  constructor(message: string, readonly code: string, readonly status: number) {
    super(message)
  }
}

const NO_RUNNER = 'The lab runner is not reachable. Start it with `npm start` in your kdlabs checkout, then reload this page.'

let tokenPromise: Promise<string> | null = null

/** The bearer token this browser acts with. */
export function runnerToken(): Promise<string> {
  tokenPromise ??= (async () => {
    const body = await request<{ ownerToken: string }>('GET', '/api/bootstrap', undefined, null)
    return body.ownerToken
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

export const runnerApi = {
  listSessions: () => authed<{ sessions: SessionView[] }>('GET', '/api/sessions'),
  startSession: (labId: string) => authed<StartSessionResponse>('POST', '/api/sessions', { labId }),
  getSession: (id: string) => authed<SessionView>('GET', s(id)),
  stopSession: (id: string) => authed<{ stopped: string }>('DELETE', s(id)),
  resetSession: (id: string) => authed<SessionView>('POST', `${s(id)}/reset`),
  check: (id: string, task: string) => authed<CheckResult>('POST', `${t(id, task)}/check`),
  answer: (id: string, task: string, answer: string) => authed<CheckResult>('POST', `${t(id, task)}/answer`, { answer }),
  hint: (id: string, task: string) => authed<HintResponse>('POST', `${t(id, task)}/hint`),
  solution: (id: string) => authed<{ notes: string }>('POST', `${s(id)}/solution`),
}

/** WebSocket URL of a session's terminal, on the page's own origin. */
export async function terminalUrl(sessionId: string): Promise<string> {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:'
  return `${proto}//${location.host}${s(sessionId)}/terminal?token=${encodeURIComponent(await runnerToken())}`
}

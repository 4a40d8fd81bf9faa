// The browser's adapter of the shared API client (runner/src/common/api-client.ts).
// Same origin as the site: the page asks /api/bootstrap for the owner token
// (only the runner's own pages on its own machine get it), or acts with a
// joined learner's token.
import {
  ApiClientError, apiPaths, caller, publicApi, sessionApi, workshopApi, type Caller, type ClientErrorCode,
} from '../../../../runner/src/common/api-client.ts'
import type { DoctorReport } from '../../../../runner/src/common/doctor.ts'
import type { PoolStatusResponse } from '../../../../runner/src/common/pool-status.ts'
import { langOfTag, type Lang } from '../../../../runner/src/common/langs.ts'

/** Why this page cannot act yet: it needs the instructor's token, or the learner must join first. */
export type PageErrorCode = 'owner-required' | 'join-required'

/** A request the runner refused or could not serve; `message` is written for the learner. */
export class RunnerError extends Error {
  constructor(message: string, readonly code: ClientErrorCode | PageErrorCode, readonly status: number) {
    super(message)
  }
}

/** The page's own messages, in the language of the page showing them (its <html lang>). */
interface PageWords {
  noRunner: string
  joinFirst: string
  withheld: (why: string) => string
  workshopOwner: string
}
const SAID: Record<Lang, PageWords> = {
  en: {
    noRunner: 'The lab runner is not reachable. Start it with `npm start` in your kdlabs checkout, then reload this page.',
    joinFirst: 'This runner hosts a workshop: join it first on the Workshop page, with the code your instructor gave you.',
    withheld: (why) => `The runner did not hand this page its owner token: ${why}.`,
    workshopOwner: 'This runner hosts a workshop, so it does not hand out its owner token. Open the dashboard link that `labs workshop create` printed, or paste the token from .data/owner-token.',
  },
  ko: {
    noRunner: '실습 러너에 연결할 수 없습니다. kdlabs 체크아웃에서 `npm start`로 러너를 시작한 뒤 이 페이지를 새로 고치십시오.',
    joinFirst: '이 러너는 워크숍을 진행 중입니다. 먼저 워크숍 페이지에서 강사에게 받은 코드로 참가하십시오.',
    withheld: (why) => `러너가 이 페이지에 소유자 토큰을 넘겨주지 않았습니다: ${why}.`,
    workshopOwner: '이 러너는 워크숍을 진행 중이므로 소유자 토큰을 넘겨주지 않습니다. `labs workshop create`가 출력한 대시보드 링크를 열거나 .data/owner-token의 토큰을 붙여 넣으십시오.',
  },
}
/** The language of the page showing this (its <html lang>): the runner is asked to answer in it too. */
function pageLang(): Lang {
  return typeof document === 'undefined' ? 'en' : langOfTag(document.documentElement.lang)
}
function said(): PageWords {
  return SAID[pageLang()]
}
const NO_RUNNER = (): string => said().noRunner

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
/** What the last bootstrap said: a workshop runner asks a learner to join, a self-paced one to paste its token. */
let lastMode: 'self-paced' | 'workshop' | null = null

/** The owner (instructor) token: this tab's saved one, or the runner's when it runs self-paced. */
export async function ownerToken(): Promise<string> {
  const saved = typeof sessionStorage === 'undefined' ? null : sessionStorage.getItem(OWNER_KEY)
  if (saved) return saved
  const boot = await anonymous.bootstrap()
  lastMode = boot.mode
  if (boot.ownerToken) return boot.ownerToken
  if (boot.mode === 'self-paced') throw new RunnerError(said().withheld(boot.withheld ?? 'it was withheld'), 'owner-required', 401)
  throw new RunnerError(said().workshopOwner, 'owner-required', 401)
}

/** The bearer token this browser acts with: a joined learner's, else the owner's. */
export function runnerToken(): Promise<string> {
  tokenPromise ??= (async () => {
    const learner = learnerCredentials()
    if (learner) return learner.token
    try {
      return await ownerToken()
    } catch (e) {
      if (e instanceof RunnerError && e.code === 'owner-required' && lastMode === 'workshop') {
        throw new RunnerError(said().joinFirst, 'join-required', 401)
      }
      throw e
    }
  })()
  tokenPromise.catch(() => { tokenPromise = null })
  return tokenPromise
}

/** Calls on this page's origin with a token from `token`; failures arrive as RunnerError. */
function pageCaller(token: () => Promise<string | null> | null): Caller {
  const inner = caller({ baseUrl: '', fetch: (url, init) => fetch(url, init), token, unreachable: NO_RUNNER, lang: pageLang })
  return {
    json: (method, path, body) => asRunnerError(inner.json(method, path, body)),
    text: (path) => asRunnerError(inner.text(path)),
  }
}

async function asRunnerError<T>(call: Promise<T>): Promise<T> {
  try {
    return await call
  } catch (e) {
    if (!(e instanceof ApiClientError)) throw e
    // The dev server's proxy answers in its own words (404, 502, 504) when no runner is behind it.
    if (e.code === 'bad-response' && (e.status === 404 || e.status >= 502)) throw new RunnerError(NO_RUNNER(), 'unreachable', e.status)
    throw new RunnerError(e.message, e.code, e.status)
  }
}

const anonymous = publicApi(pageCaller(() => null))
const asLearner = sessionApi(pageCaller(runnerToken))
const ownerCalls = pageCaller(ownerToken)
const asInstructor = workshopApi(ownerCalls)

export const runnerApi = {
  /** Sessions this browser may see; a learner also gets each one's terminal token. Reading it does not count as activity. */
  listSessions: () => asLearner.list(),
  progress: () => asLearner.progress(),
  labs: () => anonymous.labs(),
  images: () => anonymous.images(),
  join: (code: string, name: string) => anonymous.join(code, name),
  startSession: (labId: string) => asLearner.start(labId),
  stopSession: (id: string) => asLearner.stop(id),
  resetSession: (id: string) => asLearner.reset(id),
  check: (id: string, task: string, lang?: Lang) => asLearner.check(id, task, lang),
  answer: (id: string, task: string, answer: string, lang?: Lang) => asLearner.answer(id, task, answer, lang),
  hint: (id: string, task: string, lang?: Lang) => asLearner.hint(id, task, lang),
  solution: (id: string, lang?: Lang) => asLearner.solution(id, lang),
  foreground: (id: string) => asLearner.foreground(id),
  /** The Pictures pane: pictures read out of the lab, made on request, and the lab's latency timeline. */
  pictures: (id: string) => asLearner.pictures(id),
  picture: (id: string, name: string) => asLearner.picture(id, name),
  profile: (id: string, seconds?: number) => asLearner.profile(id, seconds),
  drawPerfData: (id: string) => asLearner.drawPerfData(id),
  timeline: (id: string, since?: number) => asLearner.timeline(id, since),
  quizState: asLearner.quizState,
  answerQuiz: asLearner.answerQuiz,
}

/** The instructor's calls: owner token only. */
export const instructorApi = {
  workshops: () => asInstructor.list(),
  create: asInstructor.create,
  close: asInstructor.close,
  roster: asInstructor.roster,
  timeline: asInstructor.timeline,
  /** The grades file as text (CSV or JSON), for a download. */
  grades: (id: string, format: 'csv' | 'json') => asInstructor.gradesFile(id, format),
  /** EventSource cannot send headers: the stream takes the token in its query. */
  async rosterStreamUrl(id: string): Promise<string> {
    return `${apiPaths.rosterStream(id)}?token=${encodeURIComponent(await ownerToken())}`
  },
}

/** This host's capabilities (`labs doctor`): owner token only. `refresh` probes again instead of taking a report a few seconds old. */
export const hostApi = {
  doctor: (refresh = false) => ownerCalls.json<DoctorReport>('GET', `/api/doctor${refresh ? '?refresh=1' : ''}`),
  /** The machines container labs run on: this one, or a Swarm pool's nodes. */
  pool: () => ownerCalls.json<PoolStatusResponse>('GET', apiPaths.pool),
}

/** WebSocket URL of a session's terminal, on the page's own origin. */
export async function terminalUrl(sessionId: string, sessionToken?: string): Promise<string> {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:'
  return `${proto}//${location.host}${apiPaths.terminal(sessionId)}?token=${encodeURIComponent(sessionToken ?? await runnerToken())}&lang=${pageLang()}`
}

// One reactive record per lab page: the running session (found again after a
// reload), its tasks, and the actions the page offers. Shared by the workbench
// panel, the inline task cards and the Run buttons.
//
// The record outlives the page (a lab page visited again finds it), but its
// polling does not: it polls only while a component that uses it is mounted.
//
// Passed tasks come from two places: the running session, and the runner's
// progress store (every pass of this learner, in any session, from the page or
// the CLI, before a Stop or a runner restart). A task either says passed stays
// passed here: `state.session.tasks` is the session's view with the stored
// passes merged in, and after a Stop (or with no session at all) the last view
// stays as a `stopped` one, so the chips and task cards keep their green.
import type { Lang } from '../../../../runner/src/common/langs.ts'
import { getCurrentScope, onScopeDispose, reactive } from 'vue'
import type { CheckResult, ForegroundProgram, SessionView, TaskState, TaskStatus } from '../../../../runner/src/common/protocol.ts'
import { RunnerError, runnerApi } from './runner-api.ts'
import { labRecord, loadRunnerProgress, markLabDone } from './lab-progress.ts'

/** How often the page looks at a starting or resetting lab: progress should feel live. */
const POLL_BUSY_MS = 700
/** How often it looks at a running lab: catches checks run from the CLI and a lab stopped elsewhere. */
const POLL_RUNNING_MS = 4000
/** After Ctrl-C, how long Run waits for the program to give the prompt back: a program that ignores it gets no typing. */
const CTRL_C_WAIT_MS = 3000
/** How often it looks in that time: each look is one short exec in the lab. */
const CTRL_C_POLL_MS = 300
/** Ctrl-C as the terminal sends it. */
const CTRL_C = '\x03'

// What the record tells the learner, in each language (the pattern of ui-text.ts, which re-exports it).
const sessionEn = {
  failedToStart: 'the lab failed to start',
  runFirst: 'Start the lab first: the command runs in the lab\'s terminal.',
  confirmCtrlC: (program: string) => `${program} is running in the terminal. Press Ctrl-C to stop it, then run the command?`,
  stillRunning: (program: string) => `${program} is still running after Ctrl-C; leave it in the terminal (q quits top and less), then press Run again.`,
  startFirst: 'Start the lab first.',
  sessionEnded: 'This lab session has ended (stopped elsewhere, idle for too long, or its workshop ended). Start it again.',
}

export type SessionText = typeof sessionEn

const sessionKo: SessionText = {
  failedToStart: '실습을 시작하지 못했습니다',
  runFirst: '먼저 실습을 시작하십시오. 명령은 실습의 터미널에서 실행됩니다.',
  confirmCtrlC: (program) => `터미널에서 ${program} 프로그램이 실행 중입니다. Ctrl-C로 멈춘 뒤 명령을 실행하시겠습니까?`,
  stillRunning: (program) => `Ctrl-C를 눌렀는데도 ${program} 프로그램이 계속 실행 중입니다. 터미널에서 직접 끝낸 뒤(top과 less는 q로 끝납니다) 다시 실행을 누르십시오.`,
  startFirst: '먼저 실습을 시작하십시오.',
  sessionEnded: '이 실습 세션은 끝났습니다 (다른 곳에서 중지했거나, 너무 오래 쓰지 않았거나, 워크숍이 끝났습니다). 다시 시작하십시오.',
}

export const SESSION_TEXT: Record<Lang, SessionText> = { en: sessionEn, ko: sessionKo }

/** Asks the learner a yes/no question; window.confirm in the browser, a fake in unit tests. */
export type Confirm = (question: string) => boolean

export type Busy = '' | 'starting' | 'resetting' | 'stopping'

export interface TaskUi {
  busy: boolean
  /** Last result shown under the task, for the learner. */
  result: { passed: boolean; text: string } | null
  hints: string[]
  hintsLeft: number | null
}

export interface LabSessionState {
  labId: string
  /** False until the page has asked the runner whether this lab already runs. */
  looked: boolean
  session: SessionView | null
  busy: Busy
  error: string
  tasks: Record<string, TaskUi>
  solutionRevealed: boolean
  /** Changes when the terminal must connect afresh (a new session). */
  terminalKey: string
  /** The session's own token, for its terminal (a workshop learner's token does not open terminals). */
  sessionToken: string | null
}

type CommandListener = (text: string) => void

class LabSession {
  readonly state: LabSessionState
  private pollTimer: ReturnType<typeof setTimeout> | null = null
  /** Mounted components showing this lab; no poll runs while there are none. */
  private users = 0
  /** state.error holds the session's own message (degraded, removal pending), not an action's. */
  private showsRunnerError = false
  private readonly commandListeners = new Set<CommandListener>()
  /** Tasks this learner passed, in this page's sessions or (from the progress store) any earlier one. */
  private readonly knownPassed = new Set<string>()
  /** Replaced in unit tests. */
  confirm: Confirm = (q) => typeof window !== 'undefined' && window.confirm(q)
  /** What the last Run that could not type said, so a Run that works can take it back. */
  private runError = ''
  /** The language of the page showing the lab: the runner grades, hints and checks in it. */
  lang: Lang = 'en'

  constructor(labId: string) {
    this.state = reactive<LabSessionState>({
      labId, looked: false, session: null, busy: '', error: '', tasks: {}, solutionRevealed: false, terminalKey: '', sessionToken: null,
    })
  }

  get running(): boolean { return this.state.session?.phase === 'running' }

  /** What this record tells the learner, in the page's language. */
  private get text(): SessionText { return SESSION_TEXT[this.lang] }

  task(id: string): TaskUi {
    return (this.state.tasks[id] ??= { busy: false, result: null, hints: [], hintsLeft: null })
  }

  taskState(id: string): TaskState | undefined {
    return this.state.session?.tasks.find((t) => t.id === id)
  }

  /** A task's status for chips and cards: passed once passed in any session, whether or not the lab runs now. */
  taskStatus(id: string): TaskStatus {
    return this.taskState(id)?.status ?? (this.knownPassed.has(id) ? 'passed' : 'pending')
  }

  /** How many of these tasks are passed (see taskStatus). */
  passedCount(taskIds: readonly string[]): number {
    return taskIds.filter((id) => this.taskStatus(id) === 'passed').length
  }

  /** True when every one of these tasks is passed: the lab is finished. */
  allPassed(taskIds: readonly string[]): boolean {
    return taskIds.length > 0 && this.passedCount(taskIds) === taskIds.length
  }

  /** Finds a session of this lab that already runs (started before a reload, or from the CLI). */
  async lookUp(): Promise<void> {
    try {
      const { sessions, tokens } = await runnerApi.listSessions()
      const mine = sessions
        .filter((s) => s.labId === this.state.labId && !['stopped', 'failed'].includes(s.phase))
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0]
      // The store's passes first, so the session (or the stopped view) shows them as it appears.
      await this.loadStoredPasses()
      if (mine) {
        this.state.sessionToken = tokens?.[mine.id] ?? null
        this.adopt(mine)
      } else {
        this.showStored()
      }
      this.state.error = ''
    } catch (e) {
      this.state.error = message(e)
    } finally {
      this.state.looked = true
      this.schedulePoll()
    }
  }

  async start(): Promise<void> {
    await this.act('starting', async () => {
      const { session, token } = await runnerApi.startSession(this.state.labId)
      this.state.sessionToken = token
      this.state.solutionRevealed = false
      for (const ui of Object.values(this.state.tasks)) Object.assign(ui, { result: null, hints: [], hintsLeft: null })
      this.adopt(session)
    })
  }

  async reset(): Promise<void> {
    const id = this.state.session?.id
    if (!id) return
    await this.act('resetting', async () => { this.adopt(await runnerApi.resetSession(id)) })
  }

  async stop(): Promise<void> {
    const id = this.state.session?.id
    if (!id) return
    await this.act('stopping', async () => {
      await runnerApi.stopSession(id)
      this.keepAsStopped()
    })
  }

  async check(taskId: string): Promise<void> {
    await this.taskAction(taskId, (id) => runnerApi.check(id, taskId, this.lang))
  }

  async answer(taskId: string, text: string): Promise<void> {
    await this.taskAction(taskId, (id) => runnerApi.answer(id, taskId, text, this.lang))
  }

  async hint(taskId: string): Promise<void> {
    const id = this.requireSession(taskId)
    if (!id) return
    const ui = this.task(taskId)
    try {
      const h = await runnerApi.hint(id, taskId, this.lang)
      if (!ui.hints.includes(h.hint)) ui.hints.push(h.hint)
      ui.hintsLeft = h.remaining
    } catch (e) {
      ui.result = { passed: false, text: message(e) }
    }
  }

  /** Tells the runner the learner opened the solution (it counts for grading), then shows it. */
  async revealSolution(): Promise<void> {
    const id = this.state.session?.id
    if (id) {
      try { await runnerApi.solution(id, this.lang) } catch { /* the notes are on the page; recording is best effort */ }
    }
    this.state.solutionRevealed = true
  }

  /**
   * Types a command into the lab's terminal and presses Enter — at the shell's
   * prompt. When a program runs in the foreground (top, less, a strace left
   * running) the runner names it and the learner is asked first: Ctrl-C, then
   * run, or nothing. Returns once typed (or refused).
   */
  async runCommand(text: string): Promise<void> {
    const id = this.state.session?.id
    if (!id || !this.running) {
      this.state.error = this.text.runFirst
      return
    }
    const typed = text.replace(/\r?\n/g, '\r').replace(/\r+$/, '') + '\r'
    const program = await this.foreground(id)
    if (program) {
      if (!this.confirm(this.text.confirmCtrlC(program.name))) return
      this.type(CTRL_C)
      if (!await this.promptBack(id)) {
        this.state.error = this.runError = this.text.stillRunning(program.name)
        return
      }
    }
    // A Run that works takes back what the last one said (never the runner's own message).
    if (this.runError && this.state.error === this.runError) this.state.error = ''
    this.runError = ''
    this.type(typed)
  }

  /** What runs in the foreground of the lab's shell; null at the prompt, or when the runner cannot tell (then Run types as before). */
  private async foreground(id: string): Promise<ForegroundProgram | null> {
    try {
      return (await runnerApi.foreground(id)).program
    } catch {
      return null
    }
  }

  /** Waits (up to CTRL_C_WAIT_MS) for the shell's prompt to come back; true once it has. */
  private async promptBack(id: string): Promise<boolean> {
    for (let waited = 0; waited < CTRL_C_WAIT_MS; waited += CTRL_C_POLL_MS) {
      await new Promise((r) => setTimeout(r, CTRL_C_POLL_MS))
      if (!this.running || this.state.session?.id !== id) return false
      if (await this.foreground(id) === null) return true
    }
    return false
  }

  private type(text: string): void {
    for (const l of this.commandListeners) l(text)
  }

  onCommand(listener: CommandListener): () => void {
    this.commandListeners.add(listener)
    return () => this.commandListeners.delete(listener)
  }

  private requireSession(taskId: string): string | null {
    const id = this.state.session?.id
    if (!id || !this.running) {
      this.task(taskId).result = { passed: false, text: this.text.startFirst }
      return null
    }
    return id
  }

  private async taskAction(taskId: string, call: (sessionId: string) => Promise<CheckResult>): Promise<void> {
    const id = this.requireSession(taskId)
    if (!id) return
    const ui = this.task(taskId)
    ui.busy = true
    try {
      const r = await call(id)
      ui.result = { passed: r.passed, text: r.message }
      if (r.passed) this.knownPassed.add(taskId)
      await this.refresh()
      // The store now holds the pass: the completion card's counts (hints, time) follow it.
      if (r.passed) void loadRunnerProgress(true)
    } catch (e) {
      ui.result = { passed: false, text: message(e) }
      // Refused (a question closed by its attempt limit, perhaps from another tab): show the runner's count.
      if (e instanceof RunnerError && e.status === 409) await this.refresh()
    } finally {
      ui.busy = false
    }
  }

  private async act(busy: Busy, fn: () => Promise<void>): Promise<void> {
    if (this.state.busy) return
    this.state.busy = busy
    this.state.error = ''
    try { await fn() } catch (e) { this.state.error = message(e) } finally {
      this.state.busy = ''
      this.schedulePoll()
    }
  }

  private adopt(view: SessionView): void {
    this.state.session = this.withKnownPasses(view)
    if (view.phase === 'running' && this.state.terminalKey !== view.id) this.state.terminalKey = view.id
    if (view.phase === 'failed') this.state.error = view.error ?? this.text.failedToStart
    // Degraded (its backend is unreachable) or stopping with a removal pending: the runner says
    // what it waits for; the message goes once the lab runs again.
    else if (view.error) { this.state.error = view.error; this.showsRunnerError = true }
    else if (this.showsRunnerError) { this.state.error = ''; this.showsRunnerError = false }
    const merged = this.state.session
    if (merged.tasks.length > 0 && merged.tasks.every((t) => t.status === 'passed')) markLabDone(view.labId)
  }

  /** Reads this learner's passes of this lab from the runner's progress store. */
  private async loadStoredPasses(): Promise<void> {
    await loadRunnerProgress(true)
    for (const id of labRecord(this.state.labId)?.tasksPassed ?? []) this.knownPassed.add(id)
  }

  /** The session's view with every known pass in it (a new session starts all pending). */
  private withKnownPasses(view: SessionView): SessionView {
    for (const t of view.tasks) if (t.status === 'passed') this.knownPassed.add(t.id)
    const tasks = view.tasks.map((t) => (t.status !== 'passed' && this.knownPassed.has(t.id) ? { ...t, status: 'passed' as const } : t))
    return { ...view, tasks }
  }

  /** The session ended: its last view stays, stopped, so its passed tasks stay green; the terminal goes. */
  private keepAsStopped(): void {
    const last = this.state.session
    this.state.session = last ? { ...this.withKnownPasses(last), phase: 'stopped', error: null } : null
    this.state.terminalKey = ''
  }

  /**
   * No session of this lab runs: show the store's passes, and its questions' tallies (a
   * question closed in an earlier session stays closed), on a stopped view (no id: nothing to act on).
   */
  private showStored(): void {
    const tallies = labRecord(this.state.labId)?.questions ?? {}
    const ids = new Set([...this.knownPassed, ...Object.keys(tallies)])
    if (this.state.session || ids.size === 0) return
    this.state.session = {
      id: '', labId: this.state.labId, phase: 'stopped', progress: [], createdAt: '', error: null,
      tasks: [...ids].map((id) => ({
        id, status: this.knownPassed.has(id) ? 'passed' : tallies[id]?.closed ? 'failed' : 'pending', message: '', attempts: 0, passedAt: null,
        ...(tallies[id] ? { tally: tallies[id] } : {}),
      })),
    }
  }

  /**
   * Looks at the session again. Through the session list, which does not count as
   * activity: an open tab alone must not keep an idle lab alive.
   */
  private async refresh(): Promise<void> {
    const id = this.state.session?.id
    if (!id) return
    try {
      const view = (await runnerApi.listSessions()).sessions.find((s) => s.id === id)
      if (view && view.phase !== 'stopped') return this.adopt(view)
      this.keepAsStopped()
      this.state.error = this.text.sessionEnded
    } catch (e) {
      if (e instanceof RunnerError && e.status === 410) this.state.error = e.message
    }
  }

  /** A component shows this lab: polling runs (again), starting with a fresh look. */
  acquire(): void {
    if (++this.users > 1 || !this.state.looked) return
    if (this.state.session?.id && this.state.session.phase !== 'stopped') void this.refresh().finally(() => this.schedulePoll())
    else void this.lookUp()
  }

  /** A component that showed this lab is gone: the last one stops the polling. */
  release(): void {
    if (--this.users > 0) return
    this.users = 0
    if (this.pollTimer) clearTimeout(this.pollTimer)
    this.pollTimer = null
  }

  private schedulePoll(): void {
    if (this.pollTimer) clearTimeout(this.pollTimer)
    this.pollTimer = null
    const phase = this.state.session?.phase
    if (this.users === 0 || !phase || phase === 'stopped' || phase === 'failed') return
    const every = phase === 'running' ? POLL_RUNNING_MS : POLL_BUSY_MS
    this.pollTimer = setTimeout(() => { void this.refresh().finally(() => this.schedulePoll()) }, every)
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

const sessions = new Map<string, LabSession>()

/**
 * The page's record of a lab; created on first use, in the browser only. Called
 * while a component sets up (or in its hooks), it counts that component as a user
 * until it unmounts; elsewhere (a click handler) it only looks the record up.
 */
/** The page's session of a lab; `lang`, given by the workbench, is the page's language (the runner answers in it). */
export function labSession(labId: string, lang?: Lang): LabSession {
  let s = sessions.get(labId)
  const created = !s
  if (!s) {
    s = new LabSession(labId)
    sessions.set(labId, s)
  }
  if (lang) s.lang = lang
  if (getCurrentScope()) {
    const user = s
    user.acquire()
    onScopeDispose(() => user.release())
  }
  if (created) void s.lookUp()
  return s
}

export type { LabSession }

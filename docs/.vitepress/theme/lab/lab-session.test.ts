// The lab page's record polls a running lab only while a component shows it:
// a learner who moved on to another page leaves no 4 s poll behind.
import { test, mock } from 'node:test'
import assert from 'node:assert/strict'
import { effectScope } from 'vue'
import type { QuestionTally, SessionView } from '../../../../runner/src/common/protocol.ts'

const running: SessionView = {
  id: 's-aaaaaaaaaaaaaaaaaaaa', labId: 'syscall-storm', phase: 'running', progress: [], tasks: [],
  createdAt: '2025-01-01T00:00:00.000Z', error: null,
}

test('polls while a component shows the lab, stops when the last one unmounts, resumes on return', async () => {
  let listCalls = 0
  const realFetch = globalThis.fetch
  globalThis.fetch = (async (url: string) => {
    const body = url === '/api/bootstrap' ? { ownerToken: 'o'.repeat(43), mode: 'self-paced' } : (listCalls++, { sessions: [running] })
    return new Response(JSON.stringify(body), { status: 200 })
  }) as typeof fetch
  mock.timers.enable({ apis: ['setTimeout'] })
  const settle = async (): Promise<void> => { for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r)) }
  try {
    const { labSession } = await import('./lab-session.ts')
    const page = effectScope()
    const lab = page.run(() => labSession('syscall-storm'))!
    await settle()
    assert.equal(lab.state.session?.id, running.id, 'the running lab was found')
    const afterLookUp = listCalls

    mock.timers.tick(4000)
    await settle()
    mock.timers.tick(4000)
    await settle()
    assert.equal(listCalls, afterLookUp + 2, 'two polls while the page shows the lab')

    page.stop() // the learner navigated away
    const atLeave = listCalls
    mock.timers.tick(60_000)
    await settle()
    assert.equal(listCalls, atLeave, 'no poll after the last user unmounted')

    const back = effectScope()
    back.run(() => labSession('syscall-storm'))
    await settle()
    assert.equal(listCalls, atLeave + 1, 'coming back looks at once')
    mock.timers.tick(4000)
    await settle()
    assert.equal(listCalls, atLeave + 2, 'and polls again')
    back.stop()
  } finally {
    mock.timers.reset()
    globalThis.fetch = realFetch
  }
})

// ---- Passed tasks stay passed: the progress store and earlier sessions count ----

interface FakeRunner {
  /** Sessions GET /api/sessions lists. */
  sessions: SessionView[]
  /** Tasks the store says this learner passed, per lab. */
  stored: Record<string, string[]>
  /** The store's question tallies, per lab and task. */
  tallies?: Record<string, Record<string, QuestionTally>>
  /** What POST /api/sessions starts. */
  next: SessionView | null
  /** Answers of GET …/foreground, in turn (the last one repeats). */
  foreground: Array<{ pid: number; name: string } | null>
  calls: string[]
}

function fakeRunner(r: FakeRunner): () => void {
  const realFetch = globalThis.fetch
  globalThis.fetch = (async (url: string, init?: RequestInit) => {
    const method = init?.method ?? 'GET'
    r.calls.push(`${method} ${url}`)
    let body: unknown
    if (url === '/api/bootstrap') body = { ownerToken: 'o'.repeat(43), mode: 'self-paced' }
    else if (url === '/api/progress') {
      body = {
        learner: { id: 'local', name: 'you' }, workshop: null,
        labs: Object.entries(r.stored).map(([labId, tasksPassed]) => ({
          labId, status: 'in-progress', tasksPassed, tasksTotal: 3, activeSeconds: 90, hintsUsed: 1, solutionRevealed: false, lastSession: null,
          questions: r.tallies?.[labId] ?? {},
        })),
        quizzes: [],
      }
    } else if (url === '/api/sessions' && method === 'POST') {
      r.sessions = [r.next!]
      body = { session: r.next, token: 't'.repeat(43) }
    } else if (url === '/api/sessions') body = { sessions: r.sessions }
    else if (url.endsWith('/foreground')) body = { program: r.foreground.length > 1 ? r.foreground.shift() : r.foreground[0] ?? null }
    else if (method === 'DELETE') {
      r.sessions = []
      body = { stopped: url.split('/').pop() }
    } else return new Response(JSON.stringify({ error: { code: 'not-found', message: url } }), { status: 404 })
    return new Response(JSON.stringify(body), { status: 200 })
  }) as typeof fetch
  return () => { globalThis.fetch = realFetch }
}

const settle = async (): Promise<void> => { for (let i = 0; i < 30; i++) await new Promise((r) => setImmediate(r)) }

function view(labId: string, id: string, statuses: Record<string, 'pending' | 'passed' | 'failed'>): SessionView {
  return {
    id, labId, phase: 'running', progress: [], createdAt: '2025-01-01T00:00:00.000Z', error: null,
    tasks: Object.entries(statuses).map(([t, status]) => ({ id: t, status, message: '', attempts: 0, passedAt: null })),
  }
}

test('Stop, then Start: every task passed before (in the store or the last session) stays passed', async () => {
  const labId = 'keep-progress'
  const r: FakeRunner = {
    sessions: [view(labId, 's-aaaaaaaaaaaaaaaaaaa1', { a: 'pending', b: 'passed', c: 'pending' })],
    stored: { [labId]: ['a'] }, next: null, foreground: [null], calls: [],
  }
  const restore = fakeRunner(r)
  try {
    const { labSession } = await import('./lab-session.ts')
    const lab = labSession(labId)
    await settle()
    const ids = ['a', 'b', 'c']
    assert.deepEqual(ids.map((t) => lab.taskStatus(t)), ['passed', 'passed', 'pending'], 'the store\'s pass of "a" shows on the running session')
    assert.equal(lab.state.session?.tasks.find((t) => t.id === 'a')?.status, 'passed', 'the session view itself carries it (the chips read it)')

    await lab.stop()
    assert.equal(lab.state.session?.phase, 'stopped', 'the last view stays, stopped')
    assert.deepEqual(ids.map((t) => lab.taskStatus(t)), ['passed', 'passed', 'pending'], 'after Stop')

    r.next = view(labId, 's-aaaaaaaaaaaaaaaaaaa2', { a: 'pending', b: 'pending', c: 'pending' })
    await lab.start()
    assert.equal(lab.state.session?.id, 's-aaaaaaaaaaaaaaaaaaa2')
    assert.deepEqual(ids.map((t) => lab.taskStatus(t)), ['passed', 'passed', 'pending'], 'after Start: a new session starts all pending, the page does not')
    assert.equal(lab.passedCount(ids), 2)
    assert.equal(lab.allPassed(ids), false)
  } finally {
    restore()
  }
})

test('no session at all (a reload after a runner restart): the store\'s passes show on a stopped view', async () => {
  const labId = 'after-restart'
  const restore = fakeRunner({ sessions: [], stored: { [labId]: ['a', 'b'] }, next: null, foreground: [null], calls: [] })
  try {
    const lab = await stoppedLab(labId)
    assert.equal(lab.state.session?.id, '', 'nothing to stop or reset')
    assert.ok(lab.allPassed(['a', 'b']))
    assert.equal(lab.taskStatus('c'), 'pending')
  } finally {
    restore()
  }
})

test('Run asks before typing into a program in the foreground: no, nothing typed; yes, Ctrl-C and then the command', async () => {
  const labId = 'run-asks'
  const r: FakeRunner = {
    sessions: [view(labId, 's-aaaaaaaaaaaaaaaaaaa3', { a: 'pending' })], stored: {}, next: null,
    foreground: [{ pid: 77, name: 'top' }], calls: [],
  }
  const restore = fakeRunner(r)
  mock.timers.enable({ apis: ['setTimeout'] })
  try {
    const { labSession } = await import('./lab-session.ts')
    const lab = labSession(labId)
    await settle()
    const typed: string[] = []
    lab.onCommand((t) => typed.push(t))
    const asked: string[] = []
    let answer = false
    lab.confirm = (q) => { asked.push(q); return answer }

    await lab.runCommand('cat /etc/relayd.conf')
    assert.deepEqual(typed, [], 'refused: nothing typed into top')
    assert.match(asked[0]!, /^top is running in the terminal\. Press Ctrl-C/)

    answer = true
    r.foreground = [{ pid: 77, name: 'top' }, { pid: 77, name: 'top' }, null]
    const run = lab.runCommand('cat /etc/relayd.conf')
    for (let i = 0; i < 5; i++) { await settle(); mock.timers.tick(300) }
    await run
    assert.deepEqual(typed, ['\x03', 'cat /etc/relayd.conf\r'], 'Ctrl-C, the prompt came back, then the command')

    typed.length = 0
    asked.length = 0
    r.foreground = [null]
    await lab.runCommand('uptime')
    assert.deepEqual(typed, ['uptime\r'], 'at the prompt: typed at once')
    assert.deepEqual(asked, [], 'without asking')

    // A program that ignores Ctrl-C: the command is not typed into it, and the page says why.
    typed.length = 0
    r.foreground = [{ pid: 90, name: 'stubborn' }]
    const stuck = lab.runCommand('uptime')
    for (let i = 0; i < 15; i++) { await settle(); mock.timers.tick(300) }
    await stuck
    assert.deepEqual(typed, ['\x03'])
    assert.match(lab.state.error, /stubborn is still running after Ctrl-C/)

    // The next Run that can type takes that message back.
    r.foreground = [null]
    await lab.runCommand('uptime')
    assert.equal(lab.state.error, '')
  } finally {
    mock.timers.reset()
    restore()
  }
})

test('an answer the runner refuses as closed shows its reason, and the page takes the runner\'s count', async () => {
  const labId = 'closed-question'
  const tally = { wrong: 1, attemptsLeft: 1, closed: false, score: 0, note: '1 of 2 attempts left.' }
  const r: FakeRunner = { sessions: [view(labId, 's-aaaaaaaaaaaaaaaaaaa4', { q: 'failed' })], stored: {}, next: null, foreground: [null], calls: [] }
  r.sessions[0]!.tasks[0]!.tally = tally
  const restore = fakeRunner(r)
  const listed = globalThis.fetch
  // Another tab used the last attempt: this page still shows one left, and the runner refuses.
  globalThis.fetch = (async (url: string, init?: RequestInit) => {
    if (!url.endsWith('/answer')) return listed(url, init)
    r.sessions[0]!.tasks[0]!.tally = { wrong: 2, attemptsLeft: 0, closed: true, score: 0, note: 'Closed: all 2 attempts used.' }
    return new Response(JSON.stringify({ error: { code: 'conflict', message: 'this question is closed: all 2 attempts were used' } }), { status: 409 })
  }) as typeof fetch
  try {
    const { labSession } = await import('./lab-session.ts')
    const lab = labSession(labId)
    await settle()
    assert.equal(lab.taskState('q')?.tally?.attemptsLeft, 1)
    await lab.answer('q', 'write')
    assert.match(lab.task('q').result?.text ?? '', /closed: all 2 attempts were used/)
    assert.equal(lab.task('q').result?.passed, false)
    assert.equal(lab.taskState('q')?.tally?.closed, true, 'looked again after the refusal')
  } finally {
    globalThis.fetch = listed
    restore()
  }
})

test('no lab runs: a question closed in an earlier session shows closed, from the store', async () => {
  const labId = 'closed-earlier'
  const closed: QuestionTally = { wrong: 2, attemptsLeft: 0, closed: true, score: 0, note: 'Closed: all 2 attempts used.' }
  const open: QuestionTally = { wrong: 1, attemptsLeft: 2, closed: false, score: 0, note: '2 of 3 attempts left.' }
  const restore = fakeRunner({ sessions: [], stored: { [labId]: ['a'] }, tallies: { [labId]: { q: closed, r: open } }, next: null, foreground: [null], calls: [] })
  try {
    const lab = await stoppedLab(labId)
    assert.deepEqual(lab.taskState('q')?.tally, closed)
    assert.equal(lab.taskStatus('q'), 'failed')
    assert.equal(lab.taskState('r')?.tally?.attemptsLeft, 2)
    assert.equal(lab.taskStatus('a'), 'passed', 'passes still show')
  } finally {
    restore()
  }
})

/** The page's view of a lab no session runs for: it settles on a stopped view. */
async function stoppedLab(labId: string) {
  const { labSession } = await import('./lab-session.ts')
  const lab = labSession(labId)
  await settle()
  assert.equal(lab.state.session?.phase, 'stopped')
  return lab
}

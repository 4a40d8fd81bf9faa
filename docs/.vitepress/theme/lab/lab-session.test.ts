// The lab page's record polls a running lab only while a component shows it:
// a learner who moved on to another page leaves no 4 s poll behind.
import { test, mock } from 'node:test'
import assert from 'node:assert/strict'
import { effectScope } from 'vue'
import type { SessionView } from '../../../../runner/src/common/protocol.ts'

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

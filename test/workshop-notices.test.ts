// Labs that are about to stop say so on the terminal first: an idle lab
// (any key keeps it), and every lab of a workshop that ends. Real containers,
// short timeouts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestRunner } from './helpers/runner-fixture.ts';
import { TerminalClient } from '../runner/src/node/cli/terminal-client.ts';
import { WS_CLOSE, type ServerMessage } from '../runner/src/common/protocol.ts';
import type { ProgressResponse, TimelineResponse, WorkshopInfo } from '../runner/src/common/workshop.ts';

const LAB = 'syscall-storm';
type Notice = Extract<ServerMessage, { type: 'notice' }>;

function collectNotices(t: TerminalClient): { list: Notice[]; next: (code: Notice['code'], ms: number) => Promise<Notice> } {
  const list: Notice[] = [];
  t.onMessage((m) => { if (m.type === 'notice') list.push(m); });
  return {
    list,
    next: (code, ms) => new Promise((resolve, reject) => {
      const started = list.length;
      const timer = setTimeout(() => { clearInterval(poll); reject(new Error(`no "${code}" notice within ${ms} ms (got ${JSON.stringify(list)})`)); }, ms);
      const poll = setInterval(() => {
        const hit = list.slice(started).find((n) => n.code === code) ?? list.find((n) => n.code === code);
        if (hit) { clearInterval(poll); clearTimeout(timer); resolve(hit); }
      }, 50);
    }),
  };
}

test('an idle lab warns its terminal, a key keeps it, then it stops as idle', { timeout: 120_000 }, async () => {
  const IDLE_MS = 6000, WARN_MS = 3000;
  const r = await startTestRunner({ idleTimeoutMs: IDLE_MS, idleWarningMs: WARN_MS, sweepIntervalMs: 200, allowHostRootLabs: true });
  try {
    const s = await r.startLab(LAB);
    const t = new TerminalClient({ url: r.url, sessionId: s.session.id, token: s.token });
    const notices = collectNotices(t);
    await t.opened;
    const warned = await notices.next('idle-warning', IDLE_MS + 5000);
    assert.match(warned.message, /idle and stops in about \d+ s; press any key to keep it/);
    assert.ok(warned.deadline && Date.parse(warned.deadline) > Date.now());
    // A key keeps it: past the first deadline it still runs.
    t.input('\r');
    await new Promise((res) => setTimeout(res, Date.parse(warned.deadline!) - Date.now() + 1000));
    assert.equal(r.manager.get(s.session.id)?.phase, 'running');
    // Left alone again, it is warned again and stopped.
    await notices.next('idle-stopped', IDLE_MS + 5000);
    assert.equal(notices.list.filter((n) => n.code === 'idle-warning').length, 2);
    const closed = await t.closed;
    assert.equal(closed.code, WS_CLOSE.sessionStopped);
    // The terminal closes as the stop begins; the session goes once its container is removed.
    await until(() => r.manager.get(s.session.id) === undefined, 'the idle session is dropped after its container is removed');
    const p = (await r.call('GET', '/api/progress')).json as ProgressResponse;
    const storm = p.labs.find((l) => l.labId === LAB)!;
    assert.equal(storm.lastSession?.endReason, 'idle');
    assert.ok(storm.activeSeconds >= 0);
  } finally {
    await r.dispose();
  }
});

test('a workshop that ends warns its learners, then stops their labs and keeps their progress', { timeout: 120_000 }, async () => {
  const r = await startTestRunner({ workshopTickMs: 200, allowHostRootLabs: true });
  try {
    const endsAt = new Date(Date.now() + 10_000).toISOString();
    const w = (await r.call('POST', '/api/workshops', { body: { labs: [LAB], seats: 2, endsAt } })).json as WorkshopInfo;
    const joined = await r.call('POST', '/api/workshops/join', { body: { code: w.joinCode, name: 'Lee' }, headers: { authorization: '' } });
    assert.equal(joined.status, 201);
    const token = joined.json.token as string;
    const started = await r.call('POST', '/api/sessions?wait=1', { body: { labId: LAB }, headers: { authorization: `Bearer ${token}` } });
    assert.equal(started.status, 201, JSON.stringify(started.json));
    const answered = await r.call('POST', `/api/sessions/${started.json.session.id}/tasks/find-process/answer`, { body: { answer: 'relayd' }, headers: { authorization: `Bearer ${token}` } });
    assert.equal(answered.json.passed, true);
    const t = new TerminalClient({ url: r.url, sessionId: started.json.session.id, token: started.json.token });
    const notices = collectNotices(t);
    await t.opened;
    const ending = await notices.next('workshop-ending', 5000);
    assert.equal(ending.deadline, endsAt);
    assert.match(ending.message, /the workshop ends in about \d+ min/);
    await notices.next('workshop-ended', 20_000);
    assert.equal((await t.closed).code, WS_CLOSE.sessionStopped);
    await until(() => r.manager.live().length === 0, 'the ended workshop\'s lab is dropped after its container is removed');

    const progress = await r.call('GET', '/api/progress', { headers: { authorization: `Bearer ${token}` } });
    assert.equal(progress.status, 200);
    const lab = (progress.json as ProgressResponse).labs[0]!;
    assert.deepEqual(lab.tasksPassed, ['find-process']);
    assert.equal(lab.lastSession?.endReason, 'workshop-ended');
    const tl = (await r.call('GET', `/api/workshops/${w.id}/learners/${joined.json.learner.id}/timeline`)).json as TimelineResponse;
    assert.deepEqual(tl.events.map((e) => e.kind), ['join', 'session-start', 'answer', 'session-stop']);
    assert.equal(tl.events[3]!.detail, 'workshop-ended');
    const restart = await r.call('POST', '/api/sessions', { body: { labId: LAB }, headers: { authorization: `Bearer ${token}` } });
    assert.equal(restart.status, 410);
    // With no workshop open any more, the local page gets its owner token again.
    const boot = await (await fetch(`${r.url}/api/bootstrap`, { method: 'POST', headers: { origin: r.url, 'sec-fetch-site': 'same-origin' } })).json() as { ownerToken?: string };
    assert.equal(boot.ownerToken, r.ownerToken);
  } finally {
    await r.dispose();
  }
});

/** Removing a container takes a moment after the terminal closed: wait for it, within a bound. */
async function until(done: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > end) assert.fail(`not within ${timeoutMs / 1000} s: ${what}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

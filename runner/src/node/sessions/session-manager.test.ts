// The manager's background work against a fake backend and mock timers: the
// sweep (liveness, outages, pending removals, idle labs) and periodic orphan reaping.
import { test, beforeEach, afterEach, mock } from 'node:test';
import assert from 'node:assert/strict';
import { SessionManager } from './session-manager.ts';
import { FakeBackend, fakeLab, settle } from './fake-backend.test-support.ts';
import { setUnexpectedErrorListener, type UnexpectedErrorListener } from '../util/unexpected-error.ts';

const SWEEP_MS = 1000;
const REAP_MS = 5000;
const IDLE_MS = 60_000;

let unexpected: unknown[] = [];
let previousSink: UnexpectedErrorListener;
beforeEach(() => {
  unexpected = [];
  previousSink = setUnexpectedErrorListener((e) => unexpected.push(e));
  mock.timers.enable({ apis: ['setInterval', 'setTimeout', 'Date'] });
});
afterEach(() => {
  mock.timers.reset();
  setUnexpectedErrorListener(previousSink);
});

async function managerWithLab() {
  const backend = new FakeBackend();
  const lines: string[] = [];
  const lab = fakeLab();
  const manager = new SessionManager({
    runnerName: 'unit', labs: new Map([[lab.id, lab]]), backends: { container: backend },
    resolveImage: async () => 'image:test', sweepIntervalMs: SWEEP_MS, reapIntervalMs: REAP_MS, idleTimeoutMs: IDLE_MS,
    log: (l) => lines.push(l),
  });
  await manager.init();
  const created = manager.create(lab.id);
  assert.ok(created.ok);
  assert.equal((await created.value.ready).ok, true);
  return { manager, backend, lines, session: created.value.session };
}

async function tick(ms: number): Promise<void> {
  mock.timers.tick(ms);
  await settle(50);
}

test('the sweep never overlaps itself', async () => {
  const { manager, backend } = await managerWithLab();
  const probe = backend.hold('isAlive');
  await tick(SWEEP_MS);
  await probe.entered;
  await tick(SWEEP_MS);
  await tick(SWEEP_MS);
  assert.equal(backend.count('isAlive'), 1, 'no second sweep while the first waits');
  probe.release();
  await settle(50);
  await tick(SWEEP_MS);
  assert.equal(backend.count('isAlive'), 2);
  await manager.shutdown();
});

test('Docker going away degrades the session instead of crashing the runner; it recovers when Docker is back', async () => {
  const { manager, backend, session } = await managerWithLab();
  backend.reachable = false;
  await tick(SWEEP_MS);
  assert.equal(session.phase, 'degraded');
  assert.equal(manager.get(session.id), session, 'the session is kept');
  await tick(SWEEP_MS * 3);
  assert.equal(session.phase, 'degraded');
  backend.reachable = true;
  await tick(SWEEP_MS);
  assert.equal(session.phase, 'running');
  assert.deepEqual(unexpected, []);
  await manager.shutdown();
});

test('stop during an outage keeps the session until its container is removed', async () => {
  const { manager, backend, session } = await managerWithLab();
  backend.reachable = false;
  const r = await manager.stop(session.id);
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.error.code, 'backend-unavailable');
  assert.equal(manager.get(session.id)?.phase, 'stopping', 'still listed, removal pending');
  await tick(SWEEP_MS);
  assert.equal(manager.get(session.id)?.phase, 'stopping');
  backend.reachable = true;
  await tick(SWEEP_MS);
  assert.equal(manager.get(session.id), undefined, 'forgotten only once its container is gone');
  assert.equal(backend.existing.size, 0);
  assert.deepEqual(unexpected, []);
  await manager.shutdown();
});

test('orphans are reaped periodically; environments of live sessions are kept', async () => {
  const { manager, backend, session } = await managerWithLab();
  const orphan = backend.addOrphan('s-left-behind-by-an-outage');
  backend.reachable = false;
  await tick(REAP_MS);
  assert.ok(backend.existing.has(orphan), 'nothing is reaped while Docker is away');
  backend.reachable = true;
  await tick(REAP_MS);
  assert.equal(backend.existing.has(orphan), false, 'the orphan was removed');
  assert.ok(session.labHandle && backend.existing.has(session.labHandle.ref), "the live session's container is kept");
  assert.deepEqual(unexpected, []);
  await manager.shutdown();
});

test('init removes what an earlier runner left', async () => {
  const backend = new FakeBackend();
  backend.addOrphan('s-earlier');
  const lab = fakeLab();
  const manager = new SessionManager({ runnerName: 'unit', labs: new Map([[lab.id, lab]]), backends: { container: backend }, resolveImage: async () => 'x' });
  assert.equal(await manager.init(), 1);
  assert.equal(backend.existing.size, 0);
  await manager.shutdown();
});

test('an idle lab is stopped by the sweep', async () => {
  const { manager, backend, session } = await managerWithLab();
  await tick(IDLE_MS + SWEEP_MS);
  assert.equal(manager.get(session.id), undefined);
  assert.equal(backend.existing.size, 0);
  await manager.shutdown();
});

test('a late sweep still warns a watched idle lab before stopping it, and leaves time to press a key', async () => {
  const { manager, session } = await managerWithLab();
  const notices: Array<{ code: string; deadline: string | null }> = [];
  const attached = session.terminal.attach({
    sendOutput: () => {}, bufferedAmount: () => 0, pauseInput: () => {}, resumeInput: () => {},
    sendMessage: (m) => { if (m.type === 'notice') notices.push({ code: m.code, deadline: m.deadline }); },
  });
  assert.ok(attached.ok);
  // The whole idle time passes before a sweep runs (an event loop held up on a loaded host).
  session.lastActivity = Date.now() - IDLE_MS - 5000;
  await tick(SWEEP_MS);
  assert.deepEqual(notices.map((n) => n.code), ['idle-warning'], 'warned, not stopped');
  assert.ok(Date.parse(notices[0]!.deadline!) > Date.now());
  assert.equal(manager.get(session.id)?.phase, 'running');
  // A key keeps it.
  session.touch();
  await tick(SWEEP_MS);
  assert.equal(manager.get(session.id)?.phase, 'running');
  // Left alone: warned again at the usual time, stopped at the deadline (a sweep a second).
  for (let t = 0; t < IDLE_MS + 2 * SWEEP_MS; t += SWEEP_MS) await tick(SWEEP_MS);
  assert.deepEqual(notices.map((n) => n.code), ['idle-warning', 'idle-warning', 'idle-stopped']);
  assert.equal(manager.get(session.id), undefined);
  await manager.shutdown();
});

test('shutdown during an outage says which environments are left for the next runner', async () => {
  const { manager, backend, lines } = await managerWithLab();
  backend.reachable = false;
  await manager.shutdown();
  assert.ok(lines.some((l) => /could not be removed.*next runner/.test(l)), lines.join('\n'));
});

// test-budget: 8m
// Docker Engine becoming unreachable for 30 s while labs run. The runner talks to
// Docker through a socket proxy the test cuts and restores (the host's dockerd and
// the lab containers keep running). Meanwhile the runner keeps serving, sessions
// show `degraded`, DELETE answers 503 and keeps the session until its container is
// removed, reset fails cleanly; after the outage the lab recovers (terminal, checks)
// and nothing is left behind.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import Docker from 'dockerode';
import { startTestRunner, type TestRunner } from './helpers/runner-fixture.ts';
import { startDockerProxy, type DockerProxy } from './helpers/docker-proxy.ts';
import { okValue } from './helpers/backend-result.ts';
import { TerminalClient } from '../runner/src/node/cli/terminal-client.ts';
import { ContainerBackend, LABEL_SESSION } from '../runner/src/node/backends/container.ts';
import { REPO_ROOT } from '../runner/src/node/util/paths.ts';
import type { ServerMessage, SessionView } from '../runner/src/common/protocol.ts';

/** The outage the acceptance names: Docker gone for 30 s. */
const OUTAGE_MS = 30_000;
/** Sweeps this often, so the outage and the recovery are noticed within a second or two. */
const SWEEP_MS = 1000;
/** Longest any one thing here may take to happen (a sweep, a recovery, a shell prompt). */
const WAIT_MS = 30_000;
const LABS_CLI = join(REPO_ROOT, 'runner', 'bin', 'labs.mjs');

let proxy: DockerProxy;
/** The runner's log: an outage is expected, so nothing in it may be an unexpected error (a bug). */
const runnerLog: string[] = [];
let r: TestRunner;
/** The host's own client, for looking at containers behind the runner's back. */
const host = new Docker();

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + WAIT_MS;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

async function view(id: string): Promise<SessionView | undefined> {
  const all = (await r.call('GET', '/api/sessions')).json.sessions as SessionView[];
  return all.find((s) => s.id === id);
}

async function phaseOf(id: string, phase: SessionView['phase']): Promise<SessionView> {
  return waitFor(`session ${id} to be ${phase}`, async () => {
    const v = await view(id);
    return v?.phase === phase ? v : undefined;
  });
}

async function containersOf(sessionId: string): Promise<string[]> {
  const list = await host.listContainers({ all: true, filters: { label: [`${LABEL_SESSION}=${sessionId}`] } });
  return list.map((c) => c.Id);
}

/** The CLI against this runner; asynchronous, as the runner answers from this very process. */
function cli(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [LABS_CLI, ...args, '--url', r.url], {
    env: { ...process.env, KDLABS_DATA_DIR: r.dataDir }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '', stderr = '';
  child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
  return new Promise((resolve) => child.once('close', (status) => resolve({ status, stdout, stderr })));
}

async function prompt(t: TerminalClient): Promise<void> {
  await t.opened;
  t.input('\r');
  await t.waitFor(/# $/m, WAIT_MS);
}

before(async () => {
  proxy = await startDockerProxy();
  r = await startTestRunner({ docker: proxy.docker, sweepIntervalMs: SWEEP_MS, log: (line) => runnerLog.push(line) });
});

after(async () => {
  proxy?.restore();
  await r?.dispose();
  await proxy?.close();
});

test('a 30 s Docker outage: the runner keeps serving, sessions are degraded and kept, then recover; nothing leaks', { timeout: 6 * 60_000 }, async () => {
  const kept = await r.startLab('syscall-storm');
  const dropped = await r.startLab('syscall-storm');
  const keptId = kept.session.id, droppedId = dropped.session.id;
  assert.equal((await containersOf(droppedId)).length, 1);

  // A terminal attached before the outage: it is told, and gets a new shell after.
  const term = new TerminalClient({ url: r.url, sessionId: keptId, token: kept.token });
  const messages: ServerMessage[] = [];
  term.onMessage((m) => messages.push(m));
  await prompt(term);

  proxy.cut();
  const cutAt = Date.now();
  const degraded = await phaseOf(keptId, 'degraded');
  assert.match(degraded.error ?? '', /Docker Engine is unreachable/);
  assert.match(degraded.error ?? '', /the lab's container may still exist; the runner retries every 1 s/);
  assert.match(degraded.error ?? '', /dockerd/, 'it says what to run');
  await waitFor('the terminal to be told', async () => (messages.some((m) => m.type === 'notice' && m.code === 'backend-unavailable') ? true : undefined));

  const health = await r.call('GET', '/api/health');
  assert.equal(health.status, 200, 'the runner still answers');
  assert.equal(health.json.backends.container.ok, false);

  // DELETE during the outage: a clear 503, and the session is kept (stopping) with its container.
  const del = await r.call('DELETE', `/api/sessions/${droppedId}`);
  assert.equal(del.status, 503, JSON.stringify(del.json));
  assert.equal(del.json.error.code, 'backend-unavailable');
  assert.match(del.json.error.message, /will be removed once Docker Engine answers again/);
  assert.equal((await view(droppedId))?.phase, 'stopping');

  // Reset during the outage fails cleanly: 503, still degraded, not stuck in resetting.
  const reset = await r.call('POST', `/api/sessions/${keptId}/reset?wait=1`);
  assert.equal(reset.status, 503, JSON.stringify(reset.json));
  assert.equal((await view(keptId))?.phase, 'degraded');
  const check = await r.call('POST', `/api/sessions/${keptId}/tasks/batch-writes/check`);
  assert.equal(check.status, 503);

  // The CLI is told too: `sessions` shows why, `stop` exits 3 (runner or backend unavailable).
  const listed = await cli('sessions');
  assert.equal(listed.status, 0, listed.stderr);
  assert.match(listed.stdout, new RegExp(`${keptId}.*degraded[\\s\\S]*Docker Engine is unreachable`));
  const stop = await cli('stop', droppedId);
  assert.equal(stop.status, 3, stop.stderr);
  assert.match(stop.stderr, /Docker Engine is unreachable/);

  // The rest of the 30 s: the runner keeps answering throughout.
  while (Date.now() - cutAt < OUTAGE_MS) {
    assert.equal((await r.call('GET', '/api/health')).status, 200);
    assert.equal((await view(keptId))?.phase, 'degraded');
    await new Promise((res) => setTimeout(res, 1000));
  }
  assert.ok(proxy.refused > 0, 'the runner kept trying Docker during the outage');
  assert.equal((await containersOf(keptId)).length, 1, 'the lab container outlived the outage');

  proxy.restore();
  await phaseOf(keptId, 'running');
  assert.equal((await view(keptId))?.error, null);
  await waitFor('the stopped session to be removed', async () => ((await view(droppedId)) ? undefined : true));
  assert.deepEqual(await containersOf(droppedId), [], 'its container was removed once Docker was back');

  // The terminal that was attached gets a new shell; a new one opens too.
  await waitFor('the recovery notice', async () => (messages.some((m) => m.type === 'notice' && m.code === 'backend-recovered') ? true : undefined));
  await prompt(term);
  term.input('echo "back=$((40+2))"\r');
  await term.waitFor(/back=42/, WAIT_MS);
  term.close();
  const fresh = new TerminalClient({ url: r.url, sessionId: keptId, token: kept.token });
  await prompt(fresh);
  fresh.close();

  const after = await r.call('POST', `/api/sessions/${keptId}/tasks/batch-writes/check`);
  assert.equal(after.status, 200, JSON.stringify(after.json));
  assert.equal(after.json.passed, false, 'the fault still runs: the check ran in the lab');
  const resetAfter = await r.call('POST', `/api/sessions/${keptId}/reset?wait=1`);
  assert.equal(resetAfter.status, 202, JSON.stringify(resetAfter.json));

  assert.equal((await r.call('DELETE', `/api/sessions/${keptId}`)).status, 200);
  assert.deepEqual(okValue(await new ContainerBackend(host, r.name).listOwned(r.name)), [], 'no container is left');
  assert.deepEqual(runnerLog.filter((l) => /unexpected error/.test(l)), [], 'the outage raised no bug');
  assert.ok(runnerLog.some((l) => new RegExp(`session ${keptId}: running → degraded`).test(l)), 'the runner logged the outage');
});

test('a lab started during an outage fails with a clear message and leaves nothing once Docker is back', { timeout: 3 * 60_000 }, async () => {
  proxy.cut();
  try {
    const res = await r.call('POST', '/api/sessions?wait=1', { body: { labId: 'syscall-storm' } });
    assert.equal(res.status, 503, JSON.stringify(res.json));
    assert.equal(res.json.error.code, 'backend-unavailable');
    assert.match(res.json.error.message, /Docker Engine/);
  } finally {
    proxy.restore();
  }
  assert.deepEqual(okValue(await new ContainerBackend(host, r.name).listOwned(r.name)), []);
});

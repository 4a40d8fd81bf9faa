// test-budget: 20m
// Container labs on a real two-node Docker Swarm made on this machine
// (harness/swarm-pool.ts: two engines in network namespaces this test creates,
// mutual TLS on each node's endpoint, nothing leaving the machine). A runner
// started with the Swarm backend places learners' labs on both nodes; the
// terminal and the checks reach each lab through its node's own engine; draining
// a node tells its learner why the lab went and keeps their progress; a lab's
// whole self-test passes through the Swarm backend; and what an earlier runner
// left on any node is reaped. Skips, with the reason printed, only where a swarm
// cannot be made here.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { buildSite } from './helpers/site.ts';
import { launchChromium, screenshot } from './helpers/browser.ts';
import type { PoolStatusResponse } from '../runner/src/common/pool-status.ts';
import { makeSwarmPool, registerEngines, setAvailability, type SwarmPool } from './harness/swarm-pool.ts';
import { startTestRunner, type TestRunner } from './helpers/runner-fixture.ts';
import { TerminalClient } from '../runner/src/node/cli/terminal-client.ts';
import { detectSwarmPool, SwarmBackend } from '../runner/src/node/backends/swarm/index.ts';
import { createDocker } from '../runner/src/node/util/docker-client.ts';
import { checkToolsVolume, LABEL_RUNNER, LABEL_SESSION } from '../runner/src/node/backends/container.ts';
import { ImageBuilder } from '../runner/src/node/images/image-builder.ts';
import { VmImageBuilder } from '../runner/src/node/images/vm-image-builder.ts';
import { labImageResolver } from '../runner/src/node/images/resolve-image.ts';
import { selfTestLab } from '../runner/src/node/selftest/lab-selftest.ts';
import type { SessionView, StartSessionResponse } from '../runner/src/common/protocol.ts';
import { paramSweep } from '../runner/src/common/params.ts';

/** Two learners in the same lab: Swarm spreads them, and one image is copied per node. */
const LABS = ['syscall-storm', 'syscall-storm'];
let pool: SwarmPool | null = null;
let skip: string | false = false;
let r: TestRunner | null = null;
let siteDir = '';
let browser: Browser | null = null;
const docker = createDocker();

before(async () => {
  const made = await makeSwarmPool({ log: (l) => console.log(`  [pool] ${l}`) });
  if (!made.ok) { skip = made.skip; console.log(`# skipping: a swarm cannot be made here: ${made.skip}`); return; }
  pool = made.pool;
  await registerEngines(pool);
  siteDir = mkdtempSync(join(tmpdir(), 'kdlabs-site-'));
  const site = buildSite(siteDir);
  if (!site.ok) throw new Error(`site build failed:\n${site.output}`);
  r = await startTestRunner({ swarm: { manager: pool.manager.engine, tls: pool.manager.tls }, sweepIntervalMs: 500, siteDir });
});

after(async () => {
  await browser?.close();
  await r?.dispose();
  await pool?.dispose();
  if (siteDir) rmSync(siteDir, { recursive: true, force: true });
});

/** Which node's engine holds the session's container (asked of each node directly, not of the code under test). */
async function nodeOf(sessionId: string): Promise<string> {
  for (const n of pool!.nodes) {
    const found = await n.engine.listContainers({ filters: { label: [`kdlabs.session=${sessionId}`] } });
    if (found.length) return n.name;
  }
  return '(none)';
}

/** A Swarm backend under a runner name of its own (so its reaping touches nothing else), with syscall-storm and its image. */
async function backendOfItsOwn(prefix: string) {
  const name = `${prefix}-${process.pid}`;
  const backend = new SwarmBackend(pool!.manager.engine, { runnerName: name, imageSource: docker, tls: pool!.manager.tls });
  const lab = r!.manager.labs.get('syscall-storm')!;
  return { name, backend, lab, image: await new ImageBuilder(docker).ensureLabImage(lab) };
}

async function shellSays(sessionId: string, token: string, command: string, want: RegExp): Promise<string> {
  const t = new TerminalClient({ url: r!.url, sessionId, token });
  try {
    await t.opened;
    t.input('\r');
    await t.waitFor(/# $/m, 30_000);
    let seen = '';
    const off = t.onOutput((c) => { seen += c.toString('utf8'); });
    t.input(`${command}\r`);
    await t.waitFor(want, 30_000);
    off();
    return seen;
  } finally {
    t.close();
  }
}

test('learners\' labs land on both nodes; each terminal and check reaches its lab through that node\'s engine', { timeout: 600_000 }, async (t) => {
  if (skip) return t.skip(skip);
  const started: StartSessionResponse[] = [];
  for (const lab of LABS) started.push(await r!.startLab(lab));
  for (const s of started) assert.equal(s.session.phase, 'running', s.session.error ?? '');
  const nodes = await Promise.all(started.map((s) => nodeOf(s.session.id)));
  assert.deepEqual([...nodes].sort(), ['a', 'b'], `one lab on each node (Swarm spreads them): ${nodes.join(', ')}`);

  for (const s of started) {
    // The shell: the lab's own hostname, loopback only, and arithmetic that proves the round trip.
    const out = await shellSays(s.session.id, s.token, 'echo "$(hostname) links=$(ls /sys/class/net | tr "\\n" " ")sum=$((6*7))"', /sum=42/);
    assert.match(out, new RegExp(`${s.session.labId} links=lo sum=42`), out);
  }
  // `labs serve` without --swarm takes the manager of a labelled pool as one; a worker cannot place labs.
  assert.equal(await detectSwarmPool(pool!.manager.engine), 2);
  assert.equal(await detectSwarmPool(pool!.workers[0]!.engine), 0);
  // The pool as the owner sees it: both machines take labs, one lab each; a learner may not look.
  const seen = (await r!.call('GET', '/api/pool')).json as PoolStatusResponse;
  assert.ok(seen.mode === 'swarm' && seen.nodes, JSON.stringify(seen));
  assert.deepEqual(seen.nodes.map((n) => [n.name, n.takesLabs, n.labs]).sort(), [['a', true, 1], ['b', true, 1]], JSON.stringify(seen.nodes));
  for (const n of seen.nodes) assert.equal(n.reservedBytes, r!.manager.labs.get('syscall-storm')!.resources.memoryBytes, `${n.name}: one lab's memory reserved`);
  assert.equal((await r!.call('GET', '/api/pool', { headers: { authorization: `Bearer ${started[0]!.token}` } })).status, 401);
  // …and on the host page, in both languages.
  browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  for (const [path, summary] of [['/host', /Docker Swarm: 2 of 2 machines take labs/], ['/ko/host', /머신 2대 중 2대가 실습을 받습니다/]] as const) {
    await page.goto(`${r!.url}${path}`);
    const row = page.getByTestId('pool-node-b');
    await row.waitFor({ timeout: 30_000 });
    assert.match(await page.getByTestId('pool-summary').innerText(), summary);
    assert.equal(await row.getByTestId('pool-labs').innerText(), '1');
    await row.scrollIntoViewIfNeeded();
    await screenshot(page, `swarm-pool${path.replace(/\//g, '-')}`);
  }
  await page.close();

  // A check before the fix runs in the lab (on whichever node) and fails for the lab's reason; after the fix it
  // passes. The other lab goes first: its hot loop would take the CPU the fixed relay's throughput is measured on.
  for (const s of started.slice(1)) assert.equal((await r!.call('DELETE', `/api/sessions/${s.session.id}`)).status, 200);
  const storm = started[0]!;
  const before = await r!.call('POST', `/api/sessions/${storm.session.id}/tasks/batch-writes/check`);
  assert.equal(before.status, 200);
  assert.equal(before.json.passed, false, JSON.stringify(before.json));
  assert.ok(before.json.message.length > 10, before.json.message);
  // The fix, as the self-test applies it: the lab's solution script, run in the lab through its node's engine.
  const lab = r!.manager.labs.get('syscall-storm')!;
  const fixed = await r!.manager.get(storm.session.id)!.execScript(lab.solution.script, lab.solution.timeoutSeconds * 1000);
  assert.ok(fixed.ok && fixed.value.exitCode === 0, JSON.stringify(fixed));
  let last: { passed?: boolean; message?: string } = {};
  for (const until = Date.now() + 120_000; !last.passed && Date.now() < until;) {
    last = (await r!.call('POST', `/api/sessions/${storm.session.id}/tasks/batch-writes/check`)).json;
    if (!last.passed) await new Promise((res) => setTimeout(res, 3000));
  }
  assert.ok(last.passed, `the check passes after the fix: ${JSON.stringify(last)}`);
  assert.equal((await r!.call('DELETE', `/api/sessions/${storm.session.id}`)).status, 200);
  for (const s of started) assert.equal(await nodeOf(s.session.id), '(none)', 'the container went with its service');
});

test('draining a node ends its lab with the reason, and the learner\'s progress stays', { timeout: 300_000 }, async (t) => {
  if (skip) return t.skip(skip);
  const s = await r!.startLab('syscall-storm');
  assert.equal(s.session.phase, 'running', s.session.error ?? '');
  const answered = await r!.call('POST', `/api/sessions/${s.session.id}/tasks/find-process/answer`, { body: { answer: 'relayd' } });
  assert.equal(answered.json?.passed, true, JSON.stringify(answered.json));
  const where = await nodeOf(s.session.id);
  const node = pool!.nodes.find((n) => n.name === where)!;
  const term = new TerminalClient({ url: r!.url, sessionId: s.session.id, token: s.token });
  await term.opened;
  await setAvailability(pool!, node, 'drain');
  try {
    let view: SessionView = s.session;
    for (const until = Date.now() + 60_000; view.phase === 'running' && Date.now() < until;) {
      await new Promise((res) => setTimeout(res, 500));
      view = (await r!.call('GET', `/api/sessions/${s.session.id}`)).json as SessionView;
    }
    assert.equal(view.phase, 'failed');
    assert.match(view.error ?? '', /was drained by the instructor; your progress is kept/);
    assert.equal(view.tasks.find((x) => x.id === 'find-process')?.status, 'passed', 'the answer given before the drain still counts');
    const closed = await term.closed;
    assert.match(closed.reason, /drained/);
    const ko = (await r!.call('GET', `/api/sessions/${s.session.id}`, { headers: { 'accept-language': 'ko' } })).json as SessionView;
    assert.match(ko.error ?? '', /비웠습니다/);
  } finally {
    await setAvailability(pool!, node, 'active');
  }
  await r!.call('DELETE', `/api/sessions/${s.session.id}`);
});

test('a container lab\'s whole self-test passes through the Swarm backend', { timeout: 900_000 }, async (t) => {
  if (skip) return t.skip(skip);
  const lab = r!.manager.labs.get('syscall-storm')!;
  const report = await selfTestLab(lab, {
    backends: (runnerName) => ({ container: new SwarmBackend(pool!.manager.engine, { runnerName, imageSource: docker, tls: pool!.manager.tls }) }),
    resolveImage: labImageResolver(new ImageBuilder(docker), new VmImageBuilder()),
    params: paramSweep(lab.params)[0],
    onStep: (st) => console.log(`  ${st.ok ? '✔' : '✖'} ${st.name}: ${st.detail}`),
  });
  assert.ok(report.ok, report.steps.filter((st) => !st.ok).map((st) => `${st.name}: ${st.detail}`).join('\n'));
});

test('a lab that asks for a node label runs only where it is; one that no node carries is refused at once, naming each node', { timeout: 300_000 }, async (t) => {
  if (skip) return t.skip(skip);
  const { name, backend, lab: storm, image } = await backendOfItsOwn('swarm-placement');
  // The harness labels each node kdlabs.node=<its name>, as an instructor labels machines with what they have.
  const onB = { ...storm, placement: { nodeLabels: { 'kdlabs.node': 'b' } } };
  try {
    const handles = [];
    for (const id of ['placed1', 'placed2']) {
      const started = await backend.start(onB, { sessionId: `${id}-${process.pid}`, image });
      assert.ok(started.ok, started.ok ? '' : started.error.message);
      handles.push(started.value);
      assert.equal(await nodeOf(`${id}-${process.pid}`), 'b', 'both land on the labelled node, although a has room');
    }
    // What a refused first try leaves on another node (its check-tools volume) goes with the session's stop.
    const a = pool!.nodes.find((n) => n.name === 'a')!;
    const sid = `placed1-${process.pid}`;
    await a.engine.createVolume({ Name: checkToolsVolume(sid), Labels: { [LABEL_RUNNER]: name, [LABEL_SESSION]: sid } });
    assert.ok((await backend.stop(handles[0]!)).ok);
    const onA = await a.engine.listVolumes({ filters: { label: [`${LABEL_SESSION}=${sid}`] } });
    assert.deepEqual((onA.Volumes ?? []).map((v) => v.Name), [], 'the session left nothing on node a');
    assert.equal(await nodeOf(sid), '(none)');
    const asked = Date.now();
    const nowhere = await backend.start({ ...storm, placement: { nodeLabels: { 'kdlabs.node': 'z' } } }, { sessionId: `placed3-${process.pid}`, image });
    assert.ok(!nowhere.ok, 'no node is labelled kdlabs.node=z');
    assert.match(nowhere.error.message, /a lacks kdlabs\.node=z; b lacks kdlabs\.node=z/);
    assert.match(nowhere.error.message, /docker node update --label-add kdlabs\.node=z/);
    assert.ok(Date.now() - asked < 10_000, 'refused before any service is made, not after the pool-full wait');
  } finally {
    await backend.reapOrphans(name);
  }
});

test('what an earlier runner left on any node is reaped', { timeout: 300_000 }, async (t) => {
  if (skip) return t.skip(skip);
  const { name, backend: earlier, lab, image } = await backendOfItsOwn('swarm-orphans');
  for (const id of ['orphan1', 'orphan2']) {
    const started = await earlier.start(lab, { sessionId: `${id}-${process.pid}`, image });
    assert.ok(started.ok, started.ok ? '' : started.error.message);
  }
  const owned = await earlier.listOwned(name);
  assert.ok(owned.ok && owned.value.filter((x) => x.startsWith('service ')).length === 2, JSON.stringify(owned));
  const later = new SwarmBackend(pool!.manager.engine, { runnerName: name, imageSource: docker, tls: pool!.manager.tls });
  const reaped = await later.reapOrphans(name);
  assert.ok(reaped.ok && reaped.value === 2, JSON.stringify(reaped));
  let left: string[] = ['?'];
  for (const until = Date.now() + 30_000; left.length && Date.now() < until;) {
    await new Promise((res) => setTimeout(res, 1000));
    await later.reapOrphans(name);
    const o = await later.listOwned(name);
    left = o.ok ? o.value : ['(could not list)'];
  }
  assert.deepEqual(left, [], 'no service, container or volume of that runner on any node');
});

// test-budget: 10m
// The two-node swarm harness (test/harness/swarm-pool.ts) and the Swarm behaviours the Swarm
// backend (runner/src/node/backends/swarm/) relies on, on a tiny image made of host binaries:
// a pool that fails half-way leaves nothing behind; each engine's TCP endpoint takes only the
// pool's client certificate; a lab-like service (SYS_ADMIN, memory/cpu/pids limits, no network,
// pinned to node b) runs there with its limits and loopback only, reached through node b's own
// mutual-TLS endpoint; where Swarm puts an unpinned service; what a drained node does to a
// pinned task (the task says only "shutdown": the node's availability says why).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import Docker from 'dockerode';
import { makeSwarmPool, makeTinyRootfsTar, type PoolPhase, type SwarmNode, type SwarmPool } from './harness/swarm-pool.ts';

const IMAGE = 'kdsw-tiny:1';
const MEMORY_LIMIT = 64 * 1024 * 1024;
const MEMORY_RESERVATION = 32 * 1024 * 1024;
const NANO_CPUS = 500_000_000;
const PIDS_LIMIT = 64;
/** Longest a task may take to run, or to stop. */
const WAIT_MS = 60_000;
/** How long a task's pid 1 gets between SIGTERM and SIGKILL (ns, as the spec takes it). */
const STOP_GRACE_NS = 1_000_000_000;
/** CAP_SYS_ADMIN's bit in /proc/<pid>/status CapEff. */
const CAP_SYS_ADMIN_BIT = 21n;

let pool: SwarmPool | undefined;
let skip: string | undefined;
let workDir: string | undefined;
const findings: string[] = [];
const note = (line: string): void => { findings.push(line); console.log(`[spike] ${line}`); };

interface Task {
  ID: string; NodeID?: string; DesiredState: string; CreatedAt: string; UpdatedAt: string;
  Status: { State: string; Message?: string; Err?: string; ContainerStatus?: { ContainerID?: string; ExitCode?: number } };
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, ms = WAIT_MS): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function p(): SwarmPool { assert.ok(pool, 'no pool'); return pool; }
function nodeById(id: string | undefined): SwarmNode {
  const n = p().nodes.find((x) => x.swarmNodeId === id);
  assert.ok(n, `task on unknown node ${id}`);
  return n;
}

async function tasksOf(service: string): Promise<Task[]> {
  return await p().manager.engine.listTasks({ filters: { service: [service] } }) as Task[];
}

/** The service spec a Swarm backend would send for a lab (API 1.41). */
function labService(name: string, constraints: string[], restart: 'none' | 'any' = 'none'): Record<string, unknown> {
  return {
    Name: name,
    Labels: { 'kdlabs.owner': 'spike-learner' },
    TaskTemplate: {
      ContainerSpec: {
        Image: IMAGE,
        Command: ['/bin/sleep', 'infinity'],
        Labels: { 'kdlabs.owner': 'spike-learner', 'kdlabs.managed': 'swarm-spike' },
        CapabilityAdd: ['CAP_SYS_ADMIN'],
        // sleep as pid 1 ignores SIGTERM: without this every stop waits the default 10 s grace.
        StopGracePeriod: STOP_GRACE_NS,
      },
      Resources: {
        Limits: { MemoryBytes: MEMORY_LIMIT, NanoCPUs: NANO_CPUS, Pids: PIDS_LIMIT },
        Reservations: { MemoryBytes: MEMORY_RESERVATION },
      },
      RestartPolicy: { Condition: restart },
      Placement: { Constraints: constraints },
      // No Networks: with --bridge=none the task gets only loopback.
    },
    Mode: { Replicated: { Replicas: 1 } },
  };
}

/** Creates the service and waits for its task to run; returns the task and how long that took. */
async function runService(spec: Record<string, unknown>): Promise<{ serviceId: string; task: Task; ms: number }> {
  const t0 = Date.now();
  const created = await p().manager.engine.createService(spec as unknown as Docker.CreateServiceOptions) as { ID?: string; id?: string };
  const serviceId = created.ID ?? created.id;
  assert.ok(serviceId, `no service id in ${JSON.stringify(created)}`);
  const task = await waitFor(`a running task of ${String(spec.Name)}`, async () => (await tasksOf(serviceId)).find((x) => x.Status.State === 'running'));
  return { serviceId, task, ms: Date.now() - t0 };
}

async function execOut(c: Docker.Container, cmd: string[]): Promise<{ out: string; err: string; code: number | null }> {
  const ex = await c.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await ex.start({ hijack: true, stdin: false });
  const out = new PassThrough(), err = new PassThrough();
  let o = '', e = '';
  out.on('data', (d: Buffer) => { o += d.toString(); });
  err.on('data', (d: Buffer) => { e += d.toString(); });
  c.modem.demuxStream(stream, out, err);
  await new Promise<void>((resolve, reject) => { stream.on('end', resolve); stream.on('close', resolve); stream.on('error', reject); });
  const info = await ex.inspect();
  return { out: o, err: e, code: info.ExitCode };
}

async function noContainersLeft(): Promise<void> {
  await waitFor('no container on any node', async () => {
    for (const n of p().nodes) if ((await n.engine.listContainers({ all: true })).length) return undefined;
    return true;
  });
}

before(async () => {
  const t0 = Date.now();
  const r = await makeSwarmPool({ log: (l) => console.log(l) });
  if (!r.ok) { skip = r.skip; console.log(`[spike] skipped: ${skip}`); return; }
  pool = r.pool;
  note(`pool created in ${Date.now() - t0} ms (${JSON.stringify(pool.timings)})`);
  const t1 = Date.now();
  workDir = mkdtempSync(join(tmpdir(), 'kdsw-img-'));
  await pool.importImage(await makeTinyRootfsTar(workDir), IMAGE);
  note(`tiny image imported on a and copied to b in ${Date.now() - t1} ms`);
});

after(async () => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
  const t0 = Date.now();
  await pool?.dispose();
  if (pool) {
    note(`pool disposed in ${Date.now() - t0} ms`);
    await pool.dispose(); // a second call is harmless
    const left = poolResidue();
    note(`left after dispose: ${JSON.stringify(left)}`);
    assert.deepEqual(left, [], 'the pool left nothing behind');
  }
  console.log(`\n[spike] findings:\n  ${findings.join('\n  ')}`);
});

/** What of the pools' kind exists on the machine (namespaces, links, mounts, directories, processes), but for the pool `except`. */
function poolResidue(except?: string): string[] {
  const netns = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').filter((l) => l.startsWith('kdsw-')).map((l) => `netns ${l.split(' ')[0]}`);
  const links = readdirSync('/sys/class/net').filter((l) => l.startsWith('kdsw')).map((l) => `link ${l}`);
  const mounts = readFileSync('/proc/mounts', 'utf8').split('\n').map((l) => l.split(' ')[1] ?? '').filter((m) => m.startsWith('/tmp/kdsw/')).map((m) => `mount ${m}`);
  const dirs = existsSync('/tmp/kdsw') ? readdirSync('/tmp/kdsw').map((d) => `dir /tmp/kdsw/${d}`) : [];
  const procs: string[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try { const c = readFileSync(`/proc/${e}/cmdline`, 'utf8'); if (c.includes('/tmp/kdsw/') && !(except && c.includes(except))) procs.push(`process ${e} ${c.split('\0')[0]}`); } catch { /* gone */ }
  }
  return [...netns, ...links, ...mounts, ...dirs, ...procs].filter((x) => !except || !x.includes(except)).sort();
}

test('a pool that fails half-way leaves nothing behind', async (t) => {
  if (skip) return t.skip(skip);
  const before = poolResidue(pool?.id);
  for (const phase of ['engines', 'swarm'] satisfies PoolPhase[]) {
    const t0 = Date.now();
    await assert.rejects(makeSwarmPool({ failAfter: phase }), new RegExp(`failing after ${phase}`));
    note(`a pool failing after "${phase}" cleaned up in ${Date.now() - t0} ms (creation included)`);
    assert.deepEqual(poolResidue(pool?.id), before, `nothing left of the pool that failed after ${phase}`);
  }
});

test('each engine\'s TCP endpoint answers only a client with the pool\'s certificate', async (t) => {
  if (skip) return t.skip(skip);
  for (const n of p().nodes) {
    assert.equal(String(await n.tlsEngine().ping()), 'OK', `node ${n.name} answers the client certificate`);
    const anonymous = new Docker({ protocol: 'https', host: n.ip, port: 2376, ca: n.tls.ca, timeout: 10_000 });
    await assert.rejects(anonymous.ping(), `node ${n.name} refuses a client without a certificate`);
    const plain = new Docker({ protocol: 'http', host: n.ip, port: 2376, timeout: 10_000 });
    await assert.rejects(plain.ping(), `node ${n.name} refuses plain HTTP`);
  }
});

let pinned: { serviceId: string; task: Task; node: SwarmNode; container: Docker.Container } | undefined;

test('a lab service pinned to node b runs there with SYS_ADMIN, its limits and only loopback', async (t) => {
  if (skip) return t.skip(skip);
  const { serviceId, task, ms } = await runService(labService('kdlab-pinned', ['node.labels.kdlabs.node==b']));
  note(`pinned service: created → task running in ${ms} ms`);
  const node = nodeById(task.NodeID);
  assert.equal(node.name, 'b', 'the constraint node.labels.kdlabs.node==b put the task on b');
  const containerId = task.Status.ContainerStatus?.ContainerID;
  assert.ok(containerId, 'the running task names its container');
  // Everything from here goes through node b's mutual-TLS endpoint, as a backend would.
  const b = node.tlsEngine();
  const container = b.getContainer(containerId);
  pinned = { serviceId, task, node, container };

  const info = await container.inspect();
  note(`container on b: HostConfig CapAdd=${JSON.stringify(info.HostConfig.CapAdd)} Memory=${info.HostConfig.Memory} MemoryReservation=${info.HostConfig.MemoryReservation} NanoCpus=${info.HostConfig.NanoCpus} PidsLimit=${info.HostConfig.PidsLimit} NetworkMode=${info.HostConfig.NetworkMode}`);
  assert.equal(info.Config.Labels['kdlabs.owner'], 'spike-learner');
  assert.equal(info.Config.Labels['com.docker.swarm.service.id'], serviceId);

  const links = await execOut(container, ['/bin/ip', '-o', 'link']);
  assert.equal(links.code, 0, links.err);
  const names = links.out.trim().split('\n').map((l) => l.split(':')[1]!.trim().split('@')[0]);
  note(`ip -o link in the task: ${JSON.stringify(names)}`);
  assert.deepEqual(names, ['lo']);

  const read = async (file: string): Promise<string> => {
    const r = await execOut(container, ['/bin/cat', file]);
    assert.equal(r.code, 0, `cat ${file}: ${r.err}`);
    return r.out.trim();
  };
  const mem = await read('/sys/fs/cgroup/memory/memory.limit_in_bytes');
  const soft = await read('/sys/fs/cgroup/memory/memory.soft_limit_in_bytes');
  const pids = await read('/sys/fs/cgroup/pids/pids.max');
  const quota = await read('/sys/fs/cgroup/cpu/cpu.cfs_quota_us');
  const period = await read('/sys/fs/cgroup/cpu/cpu.cfs_period_us');
  note(`cgroup v1 in the task: memory.limit_in_bytes=${mem} memory.soft_limit_in_bytes=${soft} pids.max=${pids} cpu.cfs_quota_us=${quota}/cfs_period_us=${period}`);
  assert.equal(Number(mem), MEMORY_LIMIT);
  // Reservations are the scheduler's only: Swarm 20.10 sets no cgroup soft limit from them.
  assert.equal(info.HostConfig.MemoryReservation, 0);
  assert.ok(Number(soft) > MEMORY_RESERVATION * 1024, `no soft limit from the reservation (${soft})`);
  assert.equal(Number(pids), PIDS_LIMIT);
  assert.equal(Number(quota) / Number(period), NANO_CPUS / 1e9);

  const status = await read('/proc/1/status');
  const capEff = BigInt(`0x${/^CapEff:\s*([0-9a-f]+)/m.exec(status)![1]}`);
  note(`CapEff of the task's pid 1: 0x${capEff.toString(16)}`);
  assert.equal((capEff >> CAP_SYS_ADMIN_BIT) & 1n, 1n, 'CAP_SYS_ADMIN is in the effective set');
});

test('an interactive exec (Tty, stdin) round-trips through node b\'s TLS endpoint', async (t) => {
  if (skip) return t.skip(skip);
  assert.ok(pinned, 'the pinned service is running');
  const ex = await pinned.container.exec({ Cmd: ['/bin/bash', '--norc', '-i'], AttachStdin: true, AttachStdout: true, AttachStderr: true, Tty: true, Env: ['PS1=lab$ '] });
  const t0 = Date.now();
  const stream = await ex.start({ hijack: true, stdin: true, Tty: true });
  let out = '';
  stream.on('data', (d: Buffer) => { out += d.toString(); });
  const ended = new Promise<void>((resolve) => { stream.on('end', resolve); stream.on('close', resolve); });
  stream.write('echo round-$((20+22)) $$\n');
  await waitFor('the echo to come back', async () => (/round-42 \d+/.test(out) ? true : undefined), 15_000);
  note(`interactive round trip through TLS in ${Date.now() - t0} ms`);
  stream.write('exit 7\n');
  await ended;
  assert.equal((await ex.inspect()).ExitCode, 7);
});

test('a service without a constraint: where Swarm puts it', async (t) => {
  if (skip) return t.skip(skip);
  const { serviceId, task, ms } = await runService(labService('kdlab-free', []));
  const node = nodeById(task.NodeID);
  note(`unpinned service (while the pinned one runs on b): task on node ${node.name}, running in ${ms} ms`);
  await p().manager.engine.getService(serviceId).remove();
  await waitFor('the unpinned service\'s container to go', async () => ((await node.engine.listContainers({ all: true, filters: { label: [`com.docker.swarm.service.id=${serviceId}`] } })).length ? undefined : true));
});

test('draining node b shuts the pinned tasks down; they cannot be rescheduled', async (t) => {
  if (skip) return t.skip(skip);
  assert.ok(pinned, 'the pinned service is running');
  const { node } = pinned;
  const m = p().manager.engine;
  // A second pinned service that asks to be restarted, to see what Swarm says when it cannot place it.
  const again = await runService(labService('kdlab-pinned-any', ['node.labels.kdlabs.node==b'], 'any'));
  assert.equal(nodeById(again.task.NodeID).name, 'b');
  const watched = [
    { what: 'RestartPolicy none', serviceId: pinned.serviceId, taskId: pinned.task.ID },
    { what: 'RestartPolicy any', serviceId: again.serviceId, taskId: again.task.ID },
  ];
  const spec = await m.getNode(node.swarmNodeId).inspect() as { Version: { Index: number }; Spec: Record<string, unknown> };
  const t0 = Date.now();
  await m.getNode(node.swarmNodeId).update({ _query: { version: spec.Version.Index }, _body: { ...spec.Spec, Availability: 'drain' } });
  const stopped = ['shutdown', 'complete', 'failed', 'orphaned', 'rejected'];
  await waitFor('the pinned tasks to stop', async () => {
    for (const w of watched) {
      const old = (await tasksOf(w.serviceId)).find((x) => x.ID === w.taskId);
      if (!old || !stopped.includes(old.Status.State)) return undefined;
    }
    return true;
  });
  note(`drain → both pinned tasks stopped in ${Date.now() - t0} ms`);
  await new Promise((r) => setTimeout(r, 3000)); // time for the orchestrator to try a replacement
  const show = (x: Task): string => `DesiredState=${x.DesiredState} State=${x.Status.State} Message=${JSON.stringify(x.Status.Message)} Err=${JSON.stringify(x.Status.Err ?? null)} Node=${x.NodeID ? nodeById(x.NodeID).name : '(none)'}`;
  const services = await m.listServices({ status: true } as Docker.ServiceListOptions) as Array<{ ID: string; ServiceStatus?: unknown }>;
  const after: Record<string, Task[]> = {};
  for (const w of watched) {
    after[w.what] = await tasksOf(w.serviceId);
    for (const x of after[w.what]!) note(`${w.what}: ${x.ID === w.taskId ? 'drained task' : 'new task'}: ${show(x)}`);
    note(`${w.what}: ServiceStatus ${JSON.stringify(services.find((s) => s.ID === w.serviceId)?.ServiceStatus)}`);
    const old = after[w.what]!.find((x) => x.ID === w.taskId)!;
    assert.equal(old.DesiredState, 'shutdown');
    assert.equal(old.Status.State, 'shutdown');
  }
  assert.equal(after['RestartPolicy none']!.length, 1, 'no replacement for a task that may not restart');
  const replacement = after['RestartPolicy any']!.find((x) => x.ID !== again.task.ID);
  assert.ok(replacement, 'a replacement task for the restartable service');
  assert.equal(replacement.Status.State, 'pending');
  assert.match(replacement.Status.Err ?? '', /no suitable node/);
  const left = await node.engine.listContainers({ all: true });
  note(`containers on b after the drain: ${JSON.stringify(left.map((c) => `${c.Id.slice(0, 12)} ${c.State} ${c.Status}`))}`);
  const nodeAfter = await m.getNode(node.swarmNodeId).inspect() as { Spec: { Availability: string }; Status: { State: string } };
  note(`node b after the drain: Availability=${nodeAfter.Spec.Availability} State=${nodeAfter.Status.State}`);

  for (const w of watched) await m.getService(w.serviceId).remove();
  await noContainersLeft();
  note('services removed: no container left on a or b');
});

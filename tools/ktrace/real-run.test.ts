// Real tracing runs: each mode traces a workload this test starts itself; the
// lab filter is tried in a fresh pid namespace (unshare --pid --mount-proc, as
// a container would have) with a "neighbour" storming outside it.
// Skips (with the reason) where bpftrace, root, unshare or the tracepoints are
// missing, so the suite can run anywhere.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { evaluatePreflight, gatherFacts } from './preflight.ts';
import { trace } from './trace.ts';
import { syscallsMode, type SyscallsResult } from './modes/syscalls.ts';
import { memleakMode, type MemleakResult, type MemleakSitesResult } from './modes/memleak.ts';
import { kallsymsResolver } from './kallsyms.ts';
import { locksMode, type LocksResult } from './modes/locks.ts';
import { biolatencyMode, type BiolatencyResult } from './modes/biolatency.ts';
import type { ModeContext, ModeSpec } from './modes/types.ts';
import { readOwnPidNamespace, type TraceScope } from './scope.ts';

/** Short windows keep the suite fast; workloads outlive them (bpftrace needs ~1 s to attach). */
const TRACE_SECONDS = 2;
/** Calls in the window that make a storm: dd bs=1 makes >100k/s on an idle machine, far fewer on a loaded one, still far above background. */
const STORM_MIN = 10_000;

const ownNs = readOwnPidNamespace();
/** The default scope: this test's own pid namespace (the host's initial one when run on a host). */
const scope: TraceScope = { hostWide: false, pidNamespace: ownNs.ok ? ownNs.pidNamespace : 0 };

function skipReason(mode: ModeSpec): string | null {
  if (process.platform !== 'linux') return 'needs Linux';
  const issues = evaluatePreflight(gatherFacts(mode.tracepoints), mode.tracepoints, mode.missingHint);
  return issues.length === 0 ? null : issues.map((i) => i.message).join('; ');
}

function start(cmd: string, args: string[]): ChildProcess {
  return spawn(cmd, args, { stdio: 'ignore' });
}

async function run(t: TestContext, mode: ModeSpec, ctx: ModeContext): Promise<object | null> {
  const reason = skipReason(mode);
  if (reason !== null) {
    t.skip(`cannot trace here: ${reason}`);
    return null;
  }
  const outcome = await trace(mode, ctx);
  if (!outcome.ok) assert.fail(outcome.stage === 'preflight' ? outcome.issues.map((i) => i.message).join('; ') : `${outcome.message}\n${outcome.stderr}`);
  assert.ok(outcome.tracedSeconds >= TRACE_SECONDS * 0.9, `traced ${outcome.tracedSeconds} s`);
  assert.ok((outcome.attachedProbes ?? 0) >= mode.tracepoints.length);
  return outcome.analysis.data;
}

test('syscalls: dd bs=1 is dominated by read/write, a storm of writes from its pid', async (t) => {
  const dd = start('dd', ['if=/dev/zero', 'of=/dev/null', 'bs=1', 'count=100000000']);
  try {
    await sleep(200);
    const r = (await run(t, syscallsMode, { durationSeconds: TRACE_SECONDS, filter: { pid: dd.pid ?? 0 }, scope, top: 5 })) as SyscallsResult | null;
    if (r === null) return;
    assert.deepEqual(r.top.slice(0, 2).map((s) => s.name).sort(), ['read', 'write']);
    const write = r.top.find((s) => s.name === 'write');
    assert.ok((write?.count ?? 0) > STORM_MIN, `write count ${write?.count}`);
    assert.ok(Math.abs((write?.ratePerSec ?? 0) * r.tracedSeconds - (write?.count ?? 0)) < 1, 'rate = count / traced window');
    assert.ok((write?.hist.length ?? 0) > 0);
  } finally {
    dd.kill();
  }
});

test('memleak: file create/delete burst shows allocations matched with frees', async (t) => {
  const dir = mkdtempSync('/var/tmp/ktrace-memleak-');
  const loop = start('sh', ['-c', `while :; do touch ${dir}/a ${dir}/b; rm -f ${dir}/a ${dir}/b; done`]);
  try {
    const r = (await run(t, memleakMode, { durationSeconds: TRACE_SECONDS, filter: {}, scope, top: 50 })) as MemleakResult | null;
    if (r === null) return;
    assert.ok(r.totalAllocs > 1000, `allocs ${r.totalAllocs}`);
    assert.ok(r.suspects.some((s) => ['touch', 'rm', 'sh'].includes(s.comm)), r.suspects.map((s) => s.comm).join(','));
    for (const s of r.suspects) assert.ok(s.frees <= s.allocs && s.outstandingBytes >= 0);
  } finally {
    loop.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('memleak --by call-site: a file create/delete burst is named by kernel function, e.g. the dentry allocation', async (t) => {
  const dir = mkdtempSync('/var/tmp/ktrace-memleak-');
  const loop = start('sh', ['-c', `while :; do touch ${dir}/a ${dir}/b; rm -f ${dir}/a ${dir}/b; done`]);
  try {
    const ctx: ModeContext = { durationSeconds: TRACE_SECONDS, filter: {}, scope, top: 1000, memleak: { by: 'call-site', maxLive: 16384 }, kernelSymbols: kallsymsResolver() };
    const r = (await run(t, memleakMode, ctx)) as MemleakSitesResult | null;
    if (r === null) return;
    assert.equal(r.by, 'call-site');
    assert.ok(r.totalAllocs > 1000, `allocs ${r.totalAllocs}`);
    if (!r.symbolised) return t.skip('/proc/kallsyms hides addresses here');
    assert.ok(r.sites.every((s) => s.sizeClass > 0 && s.frees <= s.allocs));
    // Creating a file allocates a dentry wherever the kernel version names it.
    assert.ok(r.sites.some((s) => /d_alloc/.test(s.function ?? '')), r.sites.slice(0, 10).map((s) => s.symbol).join(', '));
  } finally {
    loop.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

// 4 threads creating and removing directories in one parent directory contend on its inode rwsem.
const CONTENTION_SCRIPT = `
const { Worker } = require('node:worker_threads');
const dir = require('node:fs').mkdtempSync('/var/tmp/ktrace-locks-');
const body = "const fs = require('node:fs'); const p = require('node:worker_threads').workerData; for (;;) { try { fs.mkdirSync(p); fs.rmdirSync(p); } catch {} }";
for (let i = 0; i < 4; i++) new Worker(body, { eval: true, workerData: dir + '/d' + i });
process.on('SIGTERM', () => { require('node:fs').rmSync(dir, { recursive: true, force: true }); process.exit(0); });
`;

test('locks: multi-threaded mkdir/rmdir workload yields a well-formed result', async (t) => {
  const workload = start(process.execPath, ['-e', CONTENTION_SCRIPT]);
  try {
    await sleep(300);
    const r = (await run(t, locksMode, { durationSeconds: TRACE_SECONDS, filter: {}, scope, top: 5 })) as LocksResult | null;
    if (r === null) return;
    assert.equal(r.totalContentions, r.byType.reduce((n, x) => n + x.count, 0));
    for (const row of [...r.byType, ...r.byComm]) {
      assert.ok(row.count > 0 && row.totalNs >= 0 && row.maxNs * row.count >= row.totalNs - 1);
    }
    t.diagnostic(`contentions=${r.totalContentions} top=${r.byType[0]?.label ?? 'none'}`);
  } finally {
    workload.kill('SIGTERM');
  }
});

test('biolatency: direct-I/O dd on a temp file; the mode runs, percentiles are ordered', async (t) => {
  const dir = mkdtempSync('/var/tmp/ktrace-bio-');
  const dd = start('sh', ['-c', `while :; do dd if=/dev/zero of=${dir}/f bs=4k count=256 oflag=direct 2>/dev/null || sleep 0.1; done`]);
  try {
    const r = (await run(t, biolatencyMode, { durationSeconds: TRACE_SECONDS, filter: {}, scope, top: 5 })) as BiolatencyResult | null;
    if (r === null) return;
    // Virtual or memory-backed disks may show no requests at all: that is still a valid result.
    for (const d of r.devices) {
      assert.ok(d.count > 0);
      assert.ok((d.p50Ns ?? 0) <= (d.p95Ns ?? 0) && (d.p95Ns ?? 0) <= (d.p99Ns ?? 0) && (d.p99Ns ?? 0) <= d.maxNs);
    }
    t.diagnostic(`devices=${r.devices.map((d) => `${d.name}:${d.count}`).join(',') || 'none'}`);
  } finally {
    dd.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

// --- The lab filter (scope) ---

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
/** The neighbour writes with pwrite64 (a positioned write): a call nothing in the namespace makes. */
const NEIGHBOUR = `const fs = require('node:fs'); const fd = fs.openSync('/dev/null', 'w'); for (;;) fs.writeSync(fd, 'x', 0);`;

function nsSkipReason(): string | null {
  if (process.platform === 'linux' && spawnSync('unshare', ['--version']).status !== 0) return 'needs unshare (util-linux)';
  return skipReason(syscallsMode) ?? skipReason(memleakMode);
}

/** Runs `script` as pid 1's child in a new pid namespace; resolves with its stdout. */
function inNewPidNs(script: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('unshare', ['--pid', '--fork', '--mount-proc', 'sh', '-c', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`namespace script exited ${String(code)}: ${out}`))));
  });
}

const ktrace = (args: string) => `${JSON.stringify(process.execPath)} --import tsx ${JSON.stringify(MAIN)} ${args} --json`;
const jsonOf = (out: string) => JSON.parse(out.slice(out.indexOf('{'))) as { ok: boolean; scope: { kind: string; pidNamespace: number }; result: unknown };

async function withNeighbour(t: TestContext, body: (neighbourPid: number) => Promise<void>): Promise<void> {
  const reason = nsSkipReason();
  if (reason !== null) {
    t.skip(`cannot trace here: ${reason}`);
    return;
  }
  const neighbour: ChildProcess = spawn(process.execPath, ['-e', NEIGHBOUR], { stdio: 'ignore' });
  try {
    await body(neighbour.pid ?? -1);
  } finally {
    neighbour.kill();
  }
}

test("syscalls: by default only the namespace's own storm; --all-host shows the neighbour's", async (t) => {
  await withNeighbour(t, async () => {
    // Inside: dd bs=1 (read + write, one byte each); both traces run while both storms do.
    const out = await inNewPidNs(
      `dd if=/dev/zero of=/dev/null bs=1 count=1000000000 2>/dev/null & echo "ns=$(readlink /proc/self/ns/pid)"; ` +
        `${ktrace('syscalls --duration 2 --top 1000')} > /tmp/.ktrace-scope-lab.$$; ${ktrace('syscalls --duration 2 --top 1000 --all-host')}; ` +
        `echo; cat /tmp/.ktrace-scope-lab.$$; rm -f /tmp/.ktrace-scope-lab.$$; kill $!`,
    );
    const ns = Number(/ns=pid:\[(\d+)\]/.exec(out)?.[1]);
    const [hostText, labText] = out.slice(out.indexOf('{')).split(/\n(?=\{)/);
    const host = jsonOf(hostText ?? '');
    const lab = jsonOf(labText ?? '');
    const count = (r: unknown, name: string) => (r as SyscallsResult).top.find((s) => s.name === name)?.count ?? 0;
    t.diagnostic(`lab: write ${count(lab.result, 'write')}, pwrite64 ${count(lab.result, 'pwrite64')}; host-wide: write ${count(host.result, 'write')}, pwrite64 ${count(host.result, 'pwrite64')}`);
    assert.equal(lab.scope.kind, 'lab');
    assert.equal(lab.scope.pidNamespace, ns);
    assert.equal(host.scope.kind, 'host');
    assert.ok(count(lab.result, 'write') > STORM_MIN, 'the namespace sees its own storm');
    assert.equal(count(lab.result, 'pwrite64'), 0, "the neighbour's storm is not counted");
    assert.ok(count(host.result, 'pwrite64') > STORM_MIN, 'host-wide, the neighbour storms at the same time');
  });
});

test('memleak: processes are shown with the pids the namespace sees', async (t) => {
  await withNeighbour(t, async (neighbourPid) => {
    const dir = mkdtempSync('/var/tmp/ktrace-scope-');
    try {
      const out = await inNewPidNs(`while :; do touch ${dir}/a; rm -f ${dir}/a; done & echo "loop=$!"; ${ktrace('memleak --duration 2 --top 1000')}; kill $!`);
      const loop = Number(/loop=(\d+)/.exec(out)?.[1]);
      const r = jsonOf(out).result as MemleakResult;
      const sh = r.suspects.find((s) => s.pid === loop);
      assert.ok(sh, `pid ${loop} (the loop, as the namespace sees it) among ${JSON.stringify(r.suspects.map((s) => [s.pid, s.comm]))}`);
      assert.equal(sh.comm, 'sh');
      assert.notEqual(sh.hostPid, loop, 'its host pid is another number');
      assert.ok(r.suspects.every((s) => s.pid !== null && s.hostPid !== neighbourPid), 'nothing from outside the namespace');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// Real tracing runs: each mode traces a workload this test starts itself.
// Skips (with the reason) where bpftrace, root or the tracepoints are missing,
// so the suite can run anywhere.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { evaluatePreflight, gatherFacts } from './preflight.ts';
import { trace } from './trace.ts';
import { syscallsMode, type SyscallsResult } from './modes/syscalls.ts';
import { memleakMode, type MemleakResult } from './modes/memleak.ts';
import { locksMode, type LocksResult } from './modes/locks.ts';
import { biolatencyMode, type BiolatencyResult } from './modes/biolatency.ts';
import type { ModeContext, ModeSpec } from './modes/types.ts';

/** Short windows keep the suite fast; workloads outlive them (bpftrace needs ~1 s to attach). */
const TRACE_SECONDS = 2;

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

test('syscalls: dd bs=1 is dominated by read/write, >100k writes from its pid', async (t) => {
  const dd = start('dd', ['if=/dev/zero', 'of=/dev/null', 'bs=1', 'count=100000000']);
  try {
    await sleep(200);
    const r = (await run(t, syscallsMode, { durationSeconds: TRACE_SECONDS, filter: { pid: dd.pid ?? 0 }, top: 5 })) as SyscallsResult | null;
    if (r === null) return;
    assert.deepEqual(r.top.slice(0, 2).map((s) => s.name).sort(), ['read', 'write']);
    const write = r.top.find((s) => s.name === 'write');
    assert.ok((write?.count ?? 0) > 100_000, `write count ${write?.count}`);
    assert.ok((write?.ratePerSec ?? 0) > 50_000);
    assert.ok((write?.hist.length ?? 0) > 0);
  } finally {
    dd.kill();
  }
});

test('memleak: file create/delete burst shows allocations matched with frees', async (t) => {
  const dir = mkdtempSync('/var/tmp/ktrace-memleak-');
  const loop = start('sh', ['-c', `while :; do touch ${dir}/a ${dir}/b; rm -f ${dir}/a ${dir}/b; done`]);
  try {
    const r = (await run(t, memleakMode, { durationSeconds: TRACE_SECONDS, filter: {}, top: 50 })) as MemleakResult | null;
    if (r === null) return;
    assert.ok(r.totalAllocs > 1000, `allocs ${r.totalAllocs}`);
    assert.ok(r.suspects.some((s) => ['touch', 'rm', 'sh'].includes(s.comm)), r.suspects.map((s) => s.comm).join(','));
    for (const s of r.suspects) assert.ok(s.frees <= s.allocs && s.outstandingBytes >= 0);
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
    const r = (await run(t, locksMode, { durationSeconds: TRACE_SECONDS, filter: {}, top: 5 })) as LocksResult | null;
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
    const r = (await run(t, biolatencyMode, { durationSeconds: TRACE_SECONDS, filter: {}, top: 5 })) as BiolatencyResult | null;
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

// Interprets real bpftrace outputs recorded on the dev VM (see ../fixtures/README.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { plainStyle } from '../../common/style.ts';
import { parseOutput } from '../bpftrace/output.ts';
import { syscallNamer } from '../syscall-names.ts';
import { interpretSyscalls, renderSyscalls, syscallsProgram } from './syscalls.ts';
import { interpretMemleak, memleakProgram, renderMemleak } from './memleak.ts';
import { interpretLocks, locksProgram, renderLocks } from './locks.ts';
import { biolatencyProgram, interpretBiolatency, renderBiolatency } from './biolatency.ts';
import { decodeLockFlags, lockKind } from '../lockflags.ts';
import { splitDevT } from '../blockdev.ts';
import type { ModeContext } from './types.ts';

const fixture = (name: string) => parseOutput(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8'));
const ctx: ModeContext = { durationSeconds: 1, filter: {}, top: 5 };

test('syscalls: dd bs=1 makes read and write dominate', () => {
  const r = interpretSyscalls(fixture('syscalls.jsonl'), 1.2, ctx, syscallNamer('x64'));
  assert.deepEqual(r.top.slice(0, 2).map((s) => s.name).sort(), ['read', 'write']);
  const write = r.top.find((s) => s.name === 'write');
  assert.ok((write?.count ?? 0) > 100_000);
  assert.ok(Math.abs((write?.ratePerSec ?? 0) - (write?.count ?? 0) / 1.2) < 1e-6);
  // Every syscall that returned has a histogram whose total is <= its count (in-flight calls at exit).
  for (const s of r.top) assert.ok(s.hist.reduce((n, b) => n + b.count, 0) <= s.count);
  const text = renderSyscalls(r, plainStyle).join('\n');
  assert.match(text, /latency, all syscalls:/);
  assert.match(text, /^ {2}write\s+[\d,]+/m);
});

test('syscall names: x86_64 table, unknown ids and other arches fall back to numbers', () => {
  const name = syscallNamer('x64');
  assert.equal(name(0), 'read');
  assert.equal(name(231), 'exit_group');
  assert.equal(name(9999), 'syscall_9999');
  assert.equal(syscallNamer('arm64')(0), 'syscall_0');
});

test('memleak: per-process allocs/frees and outstanding bytes are consistent', () => {
  const r = interpretMemleak(fixture('memleak.jsonl'), 1, { ...ctx, top: 1000 });
  assert.ok(r.totalAllocs > 0);
  assert.ok(r.unmatchedFrees > 0);
  for (const s of r.suspects) {
    assert.ok(s.frees <= s.allocs, `${s.comm}: frees ${s.frees} <= allocs ${s.allocs}`);
    assert.ok(s.outstandingBytes <= s.allocBytes && s.outstandingBytes >= 0);
  }
  const sorted = r.suspects.map((s) => s.outstandingBytes);
  assert.deepEqual(sorted, [...sorted].sort((a, b) => b - a));
  assert.match(renderMemleak(r, plainStyle).join('\n'), /leak suspects/);
});

test('locks: the 4-thread mkdir/rmdir workload shows rwsem write contention by node', () => {
  const r = interpretLocks(fixture('locks.jsonl'), 1, ctx);
  assert.ok(r.totalContentions > 100);
  assert.equal(r.byType[0]?.label, 'rwsem write [WRITE]');
  assert.equal(r.byComm[0]?.label, 'node');
  assert.ok(r.overallHist.length > 0);
  assert.match(renderLocks(r, plainStyle).join('\n'), /wait time, node:/);
});

test('lock flags decode', () => {
  assert.equal(decodeLockFlags(0x22), 'READ|MUTEX');
  assert.equal(lockKind(1), 'spinlock');
  assert.equal(lockKind(0x21), 'mutex (optimistic spin)');
  assert.equal(decodeLockFlags(0), 'none');
});

test('biolatency: dd oflag=direct on vda gives ordered percentiles', () => {
  const r = interpretBiolatency(fixture('biolatency.jsonl'), 1, ctx, (dev) => `${splitDevT(dev).major}:${splitDevT(dev).minor}`);
  const [d] = r.devices;
  assert.equal(d?.name, '254:0'); // vda on the recording VM
  assert.ok((d?.count ?? 0) > 100);
  const [p50Ns, p95Ns, p99Ns, maxNs] = [d?.p50Ns ?? 0, d?.p95Ns ?? 0, d?.p99Ns ?? 0, d?.maxNs ?? 0];
  assert.ok(p50Ns > 0 && p50Ns <= p95Ns && p95Ns <= p99Ns && p99Ns <= maxNs, `${p50Ns} ${p95Ns} ${p99Ns} ${maxNs}`);
  assert.match(renderBiolatency(r, plainStyle).join('\n'), /p50\s+p95\s+p99\s+max/);
  assert.match(renderBiolatency({ ...r, devices: [] }, plainStyle).join('\n'), /no block I\/O completed/);
});

test('programs use tracepoints only, apply filters, and exclude bpftrace itself', () => {
  const f: ModeContext = { durationSeconds: 3, filter: { pid: 42, comm: 'dd' }, top: 5 };
  for (const prog of [syscallsProgram(f), memleakProgram(f), locksProgram(f), biolatencyProgram(f)]) {
    assert.doesNotMatch(prog, /kprobe|kretprobe|kfunc/);
    assert.match(prog, /comm != "bpftrace" && .*pid == 42 && comm == "dd"/);
    assert.match(prog, /interval:s:3 \{ exit\(\); \}/);
    assert.match(prog, /@traced_ns = nsecs - @trace_start_ns/);
  }
});

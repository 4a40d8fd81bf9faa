// Interprets real bpftrace outputs recorded on the dev VM (see ../fixtures/README.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { plainStyle } from '../../common/style.ts';
import { parseOutput } from '../bpftrace/output.ts';
import { syscallNamer } from '../syscall-names.ts';
import { interpretSyscalls, renderSyscalls, syscallsProgram } from './syscalls.ts';
import { PID_BITS, interpretMemleak, memleakProgram, renderMemleak, unpackProcessKey } from './memleak.ts';
import { FUTEX_WAIT_OPS, interpretLocks, locksProgram, renderLocks } from './locks.ts';
import { biolatencyProgram, interpretBiolatency, renderBiolatency } from './biolatency.ts';
import { decodeLockFlags, lockKind } from '../lockflags.ts';
import { splitDevT } from '../blockdev.ts';
import type { ModeContext } from './types.ts';
import { pidNamespaceMismatch } from '../bpftrace/pidns.ts';

const fixture = (name: string) => parseOutput(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8'));
/** A container's pid namespace inode, as /proc/self/ns/pid shows it there. */
const LAB_NS = 4026532179;
const labScope = { hostWide: false, pidNamespace: LAB_NS };
const ctx: ModeContext = { durationSeconds: 1, filter: {}, scope: labScope, top: 5 };

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
  // Recorded in the initial namespace: every process's lab pid is its host pid.
  assert.ok(r.suspects.every((s) => s.pid === s.hostPid), JSON.stringify(r.suspects.slice(0, 3)));
  assert.ok(r.suspects.some((s) => ['touch', 'rm', 'sh', 'bash'].includes(s.comm)));
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

test('locks: pthread mutex waits of tallyd show up per thread and per futex address, in hex', () => {
  const r = interpretLocks(fixture('locks-futex.jsonl'), 1.3, ctx);
  assert.equal(r.totalContentions, 0);
  assert.ok(r.futex.totalWaits > 500);
  const [top] = r.futex.byAddress;
  assert.equal(top?.comm, 'tallyd');
  assert.equal(top?.pid, 23166);
  assert.equal(top?.address, '0x556bddbf53a0'); // 93921770165152 in the recording
  assert.equal(r.futex.totalWaitNs, top?.totalNs);
  assert.equal(r.futex.byComm.length, 5, 'top 5 of the 8 worker threads');
  assert.ok(r.futex.byComm.every((c) => c.label.startsWith('tally-w')));
  const text = renderLocks(r, plainStyle).join('\n');
  assert.match(text, /no kernel lock contention observed/);
  assert.match(text, /^ +23166 +tallyd +0x556bddbf53a0 +862 +7\.66s/m);
  assert.match(text, /wait time, futex 0x556bddbf53a0 of tallyd:/);
  assert.match(text, /gdb -p 23166 -batch -ex 'info symbol 0x556bddbf53a0'/);
  const json = JSON.parse(JSON.stringify(r)) as typeof r;
  assert.equal(json.futex.byAddress[0]?.address, '0x556bddbf53a0');
});

test('locks: futex rows keep lab and host pids apart; an outside process has no lab pid and no gdb hint', () => {
  const out = parseOutput(
    [
      '{"type": "map", "data": {"@faddr_count": {"31337,12,4096": 3, "4242,0,8192": 9}}}',
      '{"type": "map", "data": {"@faddr_total_ns": {"31337,12,4096": 3000, "4242,0,8192": 90000}}}',
      '{"type": "map", "data": {"@fproc_comm": {"31337,12": "tallyd", "4242,0": "containerd"}}}',
    ].join('\n'),
  );
  const host = interpretLocks(out, 1, { ...ctx, scope: { ...labScope, hostWide: true } });
  assert.deepEqual(host.futex.byAddress.map((a) => [a.pid, a.hostPid, a.comm, a.address]), [[null, 4242, 'containerd', '0x2000'], [12, 31337, 'tallyd', '0x1000']]);
  const text = renderLocks(host, plainStyle).join('\n');
  assert.match(text, /lab pid +host pid +process +futex address/);
  assert.match(text, /^ +- +4242 +containerd +0x2000/m);
  assert.doesNotMatch(text, /gdb -p/);
  const lab = renderLocks(interpretLocks(parseOutput(''), 1, ctx), plainStyle).join('\n');
  assert.match(lab, /no futex waits observed/);
});

test('locks: the futex probe is scoped like the rest and counts only waiting ops, private or not', () => {
  const prog = locksProgram({ ...ctx, filter: { pid: 42 } });
  const futex = /^tracepoint:syscalls:sys_enter_futex (\/[^\n]*\/) \{\n(.*?)\n\}/ms.exec(prog);
  assert.ok(futex, prog);
  assert.match(futex[1] ?? '', NS_TEST);
  assert.match(futex[1] ?? '', /->nr == 42\b/);
  assert.match(futex[2] ?? '', /\$op = args->op & 127;/, 'FUTEX_PRIVATE_FLAG and FUTEX_CLOCK_REALTIME masked off');
  for (const op of FUTEX_WAIT_OPS) assert.match(futex[2] ?? '', new RegExp(`\\$op == ${op}\\b`));
  assert.doesNotMatch(futex[2] ?? '', /\$op == 1\b/, 'FUTEX_WAKE is not a wait');
  assert.match(prog, /^tracepoint:syscalls:sys_exit_futex \/@fstart\[tid\]\/ \{$/m);
  assert.match(prog, /clear\(@fstart\); clear\(@faddr\);/);
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

const PROGRAMS = [syscallsProgram, memleakProgram, locksProgram, biolatencyProgram];
/** The first probe's predicate (the one that decides what is counted). */
const firstPredicate = (prog: string) => /^tracepoint:[^\n]*?(\/.*\/) \{$/m.exec(prog)?.[1] ?? '';
const NS_TEST = new RegExp(`->ns->ns\\.inum == ${LAB_NS}\\)`);

test('programs use tracepoints only, apply filters, and exclude bpftrace itself', () => {
  const f: ModeContext = { durationSeconds: 3, filter: { pid: 42, comm: 'dd' }, scope: labScope, top: 5 };
  for (const prog of PROGRAMS.map((p) => p(f))) {
    assert.doesNotMatch(prog, /kprobe|kretprobe|kfunc/);
    assert.match(firstPredicate(prog), /^\/comm != "bpftrace" && .*->nr == 42 && comm == "dd"\/$/);
    assert.match(prog, /interval:s:3 \{ exit\(\); \}/);
    assert.match(prog, /^BEGIN \{ @ktrace\[0\] = nsecs;/m);
    assert.match(prog, /^END \{ printf\("ktrace-window-ns=%llu\\n", nsecs - @ktrace\[0\]\);/m);
  }
});

test("by default every mode counts only the lab's pid namespace; --all-host drops that test", () => {
  for (const p of PROGRAMS) {
    const lab = p(ctx);
    assert.match(firstPredicate(lab), NS_TEST, 'lab scope: namespace test on the counting probe');
    assert.match(lab, /^BEGIN \{.*\$level = \(uint64\)curtask->thread_pid->level;.*@ktrace\[1\] = /m, 'the level is learned from bpftrace itself');
    const host = p({ ...ctx, scope: { ...labScope, hostWide: true } });
    assert.doesNotMatch(firstPredicate(host), NS_TEST, 'host-wide: no namespace test');
    // A --pid is a lab pid: host-wide it still needs the task to be in the lab.
    const hostPid = p({ ...ctx, filter: { pid: 7 }, scope: { ...labScope, hostWide: true } });
    assert.match(firstPredicate(hostPid), NS_TEST);
    assert.doesNotMatch(firstPredicate(hostPid), /[^>]\bpid == 7/, 'never compared with the host pid');
  }
});

test('pid namespace self-check: agreement, no BEGIN, and a mismatch that names both views', () => {
  const report = (pid: number, ns: number) => ['other output\n', `ktrace-self pid=${pid} pidns=${ns}\n`];
  assert.equal(pidNamespaceMismatch(report(13, LAB_NS), 13, LAB_NS), null);
  assert.equal(pidNamespaceMismatch([], 13, LAB_NS), null);
  assert.match(pidNamespaceMismatch(report(0, 0), 13, LAB_NS) ?? '', /pid 0 in pid namespace 0, but it is pid 13 in namespace 4026532179/);
  assert.notEqual(pidNamespaceMismatch(report(99, LAB_NS), 13, LAB_NS), null);
});

test('the lab filter costs memleak one map, not one per value (each map gets LIVE_MAP_ENTRIES slots there)', () => {
  const maps = new Set(memleakProgram(ctx).match(/@[a-z_]+/g));
  assert.deepEqual([...maps].filter((m) => m.startsWith('@ktrace')), ['@ktrace']);
  assert.ok(![...maps].some((m) => /^@(trace_start_ns|traced_ns)$/.test(m)), 'the window is kept in @ktrace and printed, not in maps of its own');
});

test('memleak shows lab pids; host pids only host-wide, in their own column', () => {
  // Keys pack the host pid and the lab pid (0: outside the lab), as the program makes them.
  const key = (host: number, lab: number) => String(host * 2 ** PID_BITS + lab);
  const [relayd, kworker] = [key(31337, 12), key(4242, 0)];
  const out = parseOutput(
    [
      `{"type": "map", "data": {"@allocs": {"${relayd}": 10, "${kworker}": 5}}}`,
      `{"type": "map", "data": {"@alloc_bytes": {"${relayd}": 1000, "${kworker}": 500}}}`,
      `{"type": "map", "data": {"@outstanding": {"${relayd}": 600, "${kworker}": 100}}}`,
      `{"type": "map", "data": {"@comm": {"${relayd}": "relayd", "${kworker}": "kworker/0:1"}}}`,
    ].join('\n'),
  );
  const lab = interpretMemleak(out, 1, ctx);
  assert.deepEqual(lab.suspects.map((s) => [s.pid, s.hostPid, s.comm]), [[12, 31337, 'relayd'], [null, 4242, 'kworker/0:1']]);
  const labText = renderMemleak(lab, plainStyle).join('\n');
  assert.match(labText, /^ +pid +comm/m);
  assert.match(labText, /^ +12 +relayd/m);
  assert.doesNotMatch(labText, /31337/, 'no host pid in lab output');
  const host = renderMemleak(interpretMemleak(out, 1, { ...ctx, scope: { ...labScope, hostWide: true } }), plainStyle).join('\n');
  assert.match(host, /lab pid +host pid +comm/);
  assert.match(host, /^ +12 +31337 +relayd/m);
  assert.match(host, /^ +- +4242 +kworker/m);
  // The largest pids survive the packing exactly.
  assert.deepEqual(unpackProcessKey(Number(key(4_194_303, 4_194_303))), { hostPid: 4_194_303, labPid: 4_194_303 });
});

// Interprets real bpftrace outputs recorded on the dev VM (see ../fixtures/README.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { plainStyle } from '../../common/style.ts';
import { parseOutput } from '../bpftrace/output.ts';
import { syscallNamer } from '../syscall-names.ts';
import { interpretSyscalls, renderSyscalls, syscallsProgram } from './syscalls.ts';
import { PID_BITS, callSiteCoverage, defaultMaxLive, interpretMemleak, interpretMemleakSites, memleakMode, memleakProgram, renderMemleak, renderMemleakSites, unpackProcessKey } from './memleak.ts';
import { resolveFromKallsyms, type SymbolResolver } from '../kallsyms.ts';
import { INITIAL_PID_NS_INODE } from '../scope.ts';
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

// --by call-site: recorded with `find / -xdev` and a touch/rm loop running (see ../fixtures/README.md).
const excerpt = readFileSync(new URL('../fixtures/kallsyms-excerpt.txt', import.meta.url), 'utf8');
const excerptResolver: SymbolResolver = (addresses) => resolveFromKallsyms(excerpt, addresses);
const sitesCtx: ModeContext = { ...ctx, scope: { hostWide: false, pidNamespace: INITIAL_PID_NS_INODE }, memleak: { by: 'call-site', maxLive: 32768 } };
/** bpftrace 0.17 prints an unsigned long map key as a signed 64-bit number: kernel addresses come out negative. */
const siteKey = (address: bigint, size: number) => `${BigInt.asIntN(64, address)},${size}`;

test('memleak by call site: real recording, named with function+offset and the slab size class', () => {
  const r = interpretMemleakSites(fixture('memleak-sites.jsonl'), 4.25, { ...sitesCtx, top: 1000 }, excerptResolver);
  assert.equal(r.by, 'call-site');
  assert.ok(r.totalAllocs > 50_000, String(r.totalAllocs));
  const dirent = r.sites.find((s) => s.callSite === '0xffffffff817bf764' && s.sizeClass === 64);
  assert.equal(dirent?.symbol, 'ext4_htree_store_dirent+0x34');
  assert.equal(dirent?.function, 'ext4_htree_store_dirent');
  assert.equal(dirent?.module, null);
  assert.ok((dirent?.allocs ?? 0) > 50_000);
  for (const s of r.sites) {
    assert.ok(s.frees <= s.allocs);
    assert.equal(s.outstandingBytes, s.outstandingAllocs * s.sizeClass);
    assert.equal(s.allocBytes, s.allocs * s.sizeClass);
  }
  // One call site with two size classes (kmalloc of a variable length) stays two rows.
  assert.ok(r.sites.filter((s) => s.callSite === '0xffffffff817bf764').length >= 2);
  const sorted = r.sites.map((s) => s.outstandingBytes);
  assert.deepEqual(sorted, [...sorted].sort((a, b) => b - a));
  assert.equal(r.untrackedAllocs, 0);
  assert.equal(r.symbolised, true);
});

test('memleak by call site: a module leaking kmalloc-192 is named with its module; JSON keeps the address exact', () => {
  const leak = 0xffffffffc0a0102an; // kvc_req_new+0x2a [kvcache]
  const free = 0xffffffffc0a01108n; // kvc_req_free+0x8
  const out = parseOutput(
    [
      `{"type": "map", "data": {"@allocs": {"${siteKey(leak, 192)}": 500, "${siteKey(free, 64)}": 10}}}`,
      `{"type": "map", "data": {"@frees": {"${siteKey(leak, 192)}": 20, "${siteKey(free, 64)}": 10}}}`,
      '{"type": "map", "data": {"@unmatched_frees": 7}}',
      '{"type": "map", "data": {"@untracked": 0}}',
    ].join('\n'),
  );
  const r = interpretMemleakSites(out, 5, sitesCtx, excerptResolver);
  assert.deepEqual(
    r.sites.map((s) => [s.symbol, s.module, s.sizeClass, s.allocs, s.frees, s.outstandingAllocs, s.outstandingBytes]),
    [['kvc_req_new+0x2a [kvcache]', 'kvcache', 192, 500, 20, 480, 480 * 192], ['kvc_req_free+0x8 [kvcache]', 'kvcache', 64, 10, 10, 0, 0]],
  );
  const json = JSON.parse(JSON.stringify(r)) as typeof r;
  assert.equal(json.sites[0]?.callSite, '0xffffffffc0a0102a');
  const text = renderMemleakSites(r, plainStyle).join('\n');
  assert.match(text, /^ {2}call sites: kernel-wide \(this VM\)/m);
  assert.match(text, /^ +call site +size +allocs +frees +outstanding +outstanding bytes$/m);
  assert.match(text, /^ +kvc_req_new\+0x2a \[kvcache\] +192 +500 +20 +480 +90\.0 KiB$/m);
  // Without readable symbols the rows keep raw addresses, and say how to look them up.
  const raw = renderMemleakSites(interpretMemleakSites(out, 5, sitesCtx, () => null), plainStyle).join('\n');
  assert.match(raw, /^ +0xffffffffc0a0102a +192 +500/m);
  assert.match(raw, /kptr_restrict/);
});

test('memleak by call site: the header says whose allocations were counted', () => {
  const cov = (c: Partial<ModeContext>) => callSiteCoverage({ ...sitesCtx, ...c });
  assert.match(cov({}), /kernel-wide \(this VM\)/);
  assert.match(cov({ scope: labScope }), /only allocations made while this lab's tasks ran.*--all-host/);
  assert.match(cov({ scope: { ...labScope, hostWide: true } }), /WHOLE HOST/);
  assert.match(cov({ filter: { pid: 42 } }), /only allocations made while pid 42 ran/);
  assert.match(cov({ memleak: { by: 'call-site', size: 192, maxLive: 8192 } }), /only the 192-byte size class/);
});

test('memleak by call site: program keys by call_site and bytes_alloc, matches frees through the pointer, keeps scope', () => {
  const prog = memleakProgram({ ...sitesCtx, scope: labScope, memleak: { by: 'call-site', size: 192, maxLive: 8192 } });
  assert.match(firstPredicate(prog), NS_TEST);
  assert.match(firstPredicate(prog), /args->bytes_alloc == 192/);
  assert.match(prog, /@allocs\[args->call_site, args->bytes_alloc\] = count\(\);/);
  assert.match(prog, /@site\[\$p\] = args->call_site;/);
  assert.match(prog, /@frees\[@site\[\$p\], \$size\] = count\(\);/);
  assert.match(prog, /^tracepoint:kmem:kfree, tracepoint:kmem:kmem_cache_free \/args->ptr != 0\/ \{$/m, 'frees are matched whoever frees');
  assert.match(prog, /if \(@live\[\$p\] == 0\) \{ @untracked = count\(\); \}/);
  assert.match(prog, /clear\(@live\); clear\(@site\);/);
  assert.doesNotMatch(prog, /@owner|@comm/);
  assert.deepEqual(memleakMode.env?.({ ...ctx, memleak: { by: 'call-site', maxLive: 8192 } }), { BPFTRACE_MAP_KEYS_MAX: '8192' });
  // The default view is unchanged apart from --size and the overflow counter.
  const proc = memleakProgram({ ...ctx, memleak: { by: 'process', size: 64, maxLive: 8192 } });
  assert.match(proc, /@owner\[\$p\] = \$k;/);
  assert.match(firstPredicate(proc), /args->bytes_alloc == 64/);
  assert.doesNotMatch(memleakProgram(ctx), /bytes_alloc ==/);
});

test('memleak: a full live map is reported, with what to do about it', () => {
  const out = parseOutput(['{"type": "map", "data": {"@allocs": {"4194316": 3}}}', '{"type": "map", "data": {"@untracked": 1234}}'].join('\n'));
  const r = interpretMemleak(out, 1, { ...ctx, memleak: { by: 'process', maxLive: 8192 } });
  assert.equal(r.untrackedAllocs, 1234);
  assert.match(renderMemleak(r, plainStyle).join('\n'), /1,234 allocations found the live map full \(--max-live 8192\).*larger --max-live/);
  assert.doesNotMatch(renderMemleak({ ...r, untrackedAllocs: 0 }, plainStyle).join('\n'), /live map full/);
});

test('memleak: --max-live default follows the memory the maps are charged to', () => {
  const MiB = 2 ** 20;
  assert.equal(defaultMaxLive(256 * MiB, null), 8192);
  assert.equal(defaultMaxLive(1024 * MiB, null), 32768);
  assert.equal(defaultMaxLive(24 * 1024 * MiB, null), 131072, 'capped');
  assert.equal(defaultMaxLive(24 * 1024 * MiB, 512 * MiB), 16384, "a container's cgroup limit wins when lower");
  assert.equal(defaultMaxLive(64 * MiB, null), 8192, 'floor');
  assert.equal(defaultMaxLive(null, null), 16384);
});

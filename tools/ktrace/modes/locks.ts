// ktrace locks: lock contention, kernel and user space.
//   - kernel locks from lock:contention_begin/end (Linux >= 5.19), per task
//     name and per lock type;
//   - user-space locks (pthread mutexes, condition variables, any futex-based
//     lock) from syscalls:sys_enter_futex/sys_exit_futex: an uncontended
//     pthread_mutex_lock never enters the kernel, a contended one sleeps in
//     futex(FUTEX_WAIT…). Per task name and per (process, futex address), so a
//     learner can map the address to the variable behind it.
import { formatCount, formatNs, table } from '../../common/format.ts';
import type { Style } from '../../common/style.ts';
import { keyedHists, keyedNumbers, keyedStrings, type BpftraceOutput, type HistBucket } from '../bpftrace/output.ts';
import { predicate, wrapProgram, type TraceFilter } from '../bpftrace/program.ts';
import { LAB_TGID, inPidNamespace } from '../bpftrace/pidns.ts';
import { mergeHists, renderHist } from '../hist.ts';
import { decodeLockFlags, lockKind } from '../lockflags.ts';
import type { Analysis, ModeContext, ModeSpec } from './types.ts';

/** Per-comm histograms drawn in human output. */
export const HISTS_SHOWN = 3;
/** Futex-address histograms drawn in human output. */
export const FUTEX_HISTS_SHOWN = 1;

/**
 * futex(2) operations that put the caller to sleep until another thread wakes
 * it (include/uapi/linux/futex.h): FUTEX_WAIT 0, FUTEX_LOCK_PI 6,
 * FUTEX_WAIT_BITSET 9, FUTEX_WAIT_REQUEUE_PI 11, FUTEX_LOCK_PI2 13.
 */
export const FUTEX_WAIT_OPS: readonly number[] = [0, 6, 9, 11, 13];
/** FUTEX_CMD_MASK: the op without FUTEX_PRIVATE_FLAG (128) and FUTEX_CLOCK_REALTIME (256). */
export const FUTEX_CMD_MASK = 0x7f;

export interface LockRow {
  readonly key: string;
  readonly label: string;
  readonly count: number;
  readonly totalNs: number;
  readonly maxNs: number;
  /** Wait time in ns, log2 buckets. */
  readonly hist: HistBucket[];
}

/** Waits on one futex word of one process. */
export interface FutexRow {
  /** The process id as the lab sees it; null outside the lab (only with --all-host). */
  readonly pid: number | null;
  readonly hostPid: number;
  /** The process's name (its main thread's comm). */
  readonly comm: string;
  /** The futex word's address in that process, e.g. "0x55d0c3a4e0a0". */
  readonly address: string;
  readonly count: number;
  readonly totalNs: number;
  readonly maxNs: number;
  readonly hist: HistBucket[];
}

export interface LocksResult {
  readonly mode: 'locks';
  readonly tracedSeconds: number;
  readonly filter: TraceFilter;
  readonly hostWide: boolean;
  /** Kernel locks (lock:contention_*). */
  readonly totalContentions: number;
  readonly totalWaitNs: number;
  readonly byComm: LockRow[];
  readonly byType: LockRow[];
  readonly overallHist: HistBucket[];
  /** User-space locks: futex waits that returned inside the window. */
  readonly futex: {
    readonly totalWaits: number;
    readonly totalWaitNs: number;
    readonly byComm: LockRow[];
    readonly byAddress: FutexRow[];
  };
}

/** bpftrace 0.17 warns "Addrspace mismatch" when a syscall argument sits in a predicate, so the op is tested in the body. */
const futexWaitTest = (op: string) => FUTEX_WAIT_OPS.map((n) => `${op} == ${n}`).join(' || ');

export function locksProgram(ctx: ModeContext): string {
  // The lab pid of the waiting process (0 outside the lab, only seen with --all-host).
  const labPid = ctx.scope.hostWide
    ? `$lab = (uint64)0; if (${inPidNamespace(ctx.scope.pidNamespace)}) { $lab = (uint64)${LAB_TGID}; }`
    : `$lab = (uint64)${LAB_TGID};`;
  return wrapProgram(
    `
tracepoint:lock:contention_begin ${predicate(ctx.filter, ctx.scope)} {
  @start[tid] = nsecs;
  @flags[tid] = args->flags;
}
tracepoint:lock:contention_end /@start[tid]/ {
  $ns = nsecs - @start[tid];
  $f = @flags[tid];
  @comm_wait_ns[comm] = hist($ns);
  @comm_count[comm] = count();
  @comm_total_ns[comm] = sum($ns);
  @comm_max_ns[comm] = max($ns);
  @type_wait_ns[$f] = hist($ns);
  @type_count[$f] = count();
  @type_total_ns[$f] = sum($ns);
  @type_max_ns[$f] = max($ns);
  delete(@start[tid]);
  delete(@flags[tid]);
}
tracepoint:syscalls:sys_enter_futex ${predicate(ctx.filter, ctx.scope)} {
  $op = args->op & ${FUTEX_CMD_MASK};
  if (${futexWaitTest('$op')}) {
    @fstart[tid] = nsecs;
    @faddr[tid] = (uint64)args->uaddr;
  }
}
tracepoint:syscalls:sys_exit_futex /@fstart[tid]/ {
  $ns = nsecs - @fstart[tid];
  $a = @faddr[tid];
  ${labPid}
  @fcomm_wait_ns[comm] = hist($ns);
  @fcomm_count[comm] = count();
  @fcomm_total_ns[comm] = sum($ns);
  @fcomm_max_ns[comm] = max($ns);
  @faddr_wait_ns[pid, $lab, $a] = hist($ns);
  @faddr_count[pid, $lab, $a] = count();
  @faddr_total_ns[pid, $lab, $a] = sum($ns);
  @faddr_max_ns[pid, $lab, $a] = max($ns);
  @fproc_comm[pid, $lab] = curtask->group_leader->comm;
  delete(@fstart[tid]);
  delete(@faddr[tid]);
}
`,
    ctx.durationSeconds,
    ['@start', '@flags', '@fstart', '@faddr'],
  );
}

function rows(out: BpftraceOutput, prefix: 'comm' | 'type' | 'fcomm', label: (key: string) => string): LockRow[] {
  const counts = keyedNumbers(out, `@${prefix}_count`);
  const totals = keyedNumbers(out, `@${prefix}_total_ns`);
  const maxes = keyedNumbers(out, `@${prefix}_max_ns`);
  const hists = keyedHists(out, `@${prefix}_wait_ns`);
  return [...counts]
    .map(([key, count]) => ({ key, label: label(key), count, totalNs: totals.get(key) ?? 0, maxNs: maxes.get(key) ?? 0, hist: [...(hists.get(key) ?? [])] }))
    .sort((a, b) => b.totalNs - a.totalNs || b.count - a.count);
}

/** bpftrace joins a multi-key with ','; addresses are below 2^47, exact as JSON numbers. */
function futexRows(out: BpftraceOutput): FutexRow[] {
  const counts = keyedNumbers(out, '@faddr_count');
  const totals = keyedNumbers(out, '@faddr_total_ns');
  const maxes = keyedNumbers(out, '@faddr_max_ns');
  const hists = keyedHists(out, '@faddr_wait_ns');
  const comms = keyedStrings(out, '@fproc_comm');
  return [...counts]
    .map(([key, count]) => {
      const [hostPid = 0, lab = 0, addr = 0] = key.split(',').map(Number);
      return {
        pid: lab === 0 ? null : lab,
        hostPid,
        comm: comms.get(`${hostPid},${lab}`) ?? '?',
        address: `0x${addr.toString(16)}`,
        count,
        totalNs: totals.get(key) ?? 0,
        maxNs: maxes.get(key) ?? 0,
        hist: [...(hists.get(key) ?? [])],
      };
    })
    .sort((a, b) => b.totalNs - a.totalNs || b.count - a.count);
}

export function interpretLocks(out: BpftraceOutput, tracedSeconds: number, ctx: ModeContext): LocksResult {
  const byComm = rows(out, 'comm', (k) => k);
  const byType = rows(out, 'type', (k) => `${lockKind(Number(k))} [${decodeLockFlags(Number(k))}]`);
  const futexByComm = rows(out, 'fcomm', (k) => k);
  const byAddress = futexRows(out);
  return {
    mode: 'locks',
    tracedSeconds,
    filter: ctx.filter,
    hostWide: ctx.scope.hostWide,
    totalContentions: byType.reduce((s, r) => s + r.count, 0),
    totalWaitNs: byType.reduce((s, r) => s + r.totalNs, 0),
    byComm: byComm.slice(0, ctx.top),
    byType,
    overallHist: mergeHists(keyedHists(out, '@type_wait_ns').values()),
    futex: {
      totalWaits: byAddress.reduce((s, r) => s + r.count, 0),
      totalWaitNs: byAddress.reduce((s, r) => s + r.totalNs, 0),
      byComm: futexByComm.slice(0, ctx.top),
      byAddress: byAddress.slice(0, ctx.top),
    },
  };
}

function rowTable(title: string, list: readonly LockRow[]): string {
  return table(
    [title, 'count', 'total wait', 'avg', 'max'],
    list.map((r) => [r.label, formatCount(r.count), formatNs(r.totalNs), formatNs(r.count > 0 ? r.totalNs / r.count : 0), formatNs(r.maxNs)]),
    ['left', 'right', 'right', 'right', 'right'],
  );
}

function futexTable(list: readonly FutexRow[], hostWide: boolean): string {
  const pidCols = hostWide ? ['lab pid', 'host pid'] : ['pid'];
  const pids = (r: FutexRow) => (hostWide ? [r.pid === null ? '-' : String(r.pid), String(r.hostPid)] : [String(r.pid ?? '-')]);
  return table(
    [...pidCols, 'process', 'futex address', 'waits', 'total wait', 'avg', 'max'],
    list.map((r) => [...pids(r), r.comm, r.address, formatCount(r.count), formatNs(r.totalNs), formatNs(r.count > 0 ? r.totalNs / r.count : 0), formatNs(r.maxNs)]),
    [...pidCols.map(() => 'right' as const), 'left', 'left', 'right', 'right', 'right', 'right'],
  );
}

function renderKernel(r: LocksResult, st: Style): string[] {
  const lines = [st.bold('  kernel locks (lock:contention_begin/end)'), `  ${formatCount(r.totalContentions)} contended acquisitions, ${formatNs(r.totalWaitNs)} total wait`];
  if (r.totalContentions === 0) return [...lines, st.green('  no kernel lock contention observed (uncontended locks never hit these tracepoints)')];
  lines.push('', rowTable('lock type', r.byType), '', rowTable('comm', r.byComm));
  lines.push('', st.bold('  wait time, all contentions:'), ...renderHist(r.overallHist));
  for (const c of r.byComm.slice(0, HISTS_SHOWN)) lines.push('', st.bold(`  wait time, ${c.label}:`), ...renderHist(c.hist));
  return lines;
}

function renderFutex(r: LocksResult, st: Style): string[] {
  const f = r.futex;
  const lines = [st.bold('  user-space locks (futex waits: pthread mutexes, condition variables)'), `  ${formatCount(f.totalWaits)} futex waits, ${formatNs(f.totalWaitNs)} total wait`];
  if (f.totalWaits === 0) return [...lines, st.green('  no futex waits observed (an uncontended pthread mutex never enters the kernel)')];
  lines.push('', futexTable(f.byAddress, r.hostWide), '', rowTable('thread (comm)', f.byComm));
  for (const a of f.byAddress.slice(0, FUTEX_HISTS_SHOWN)) lines.push('', st.bold(`  wait time, futex ${a.address} of ${a.comm}:`), ...renderHist(a.hist));
  const top = f.byAddress[0];
  if (top !== undefined && top.pid !== null) lines.push('', st.dim(`  which variable is it? gdb -p ${top.pid} -batch -ex 'info symbol ${top.address}'`));
  return lines;
}

export function renderLocks(r: LocksResult, st: Style): string[] {
  return [`  traced ${r.tracedSeconds.toFixed(1)} s`, '', ...renderKernel(r, st), '', ...renderFutex(r, st)];
}

export const locksMode: ModeSpec = {
  name: 'locks',
  summary: 'lock contention: kernel locks per comm and lock type; futex (pthread) waits per thread and address',
  tracepoints: [
    { category: 'lock', name: 'contention_begin' },
    { category: 'lock', name: 'contention_end' },
    { category: 'syscalls', name: 'sys_enter_futex' },
    { category: 'syscalls', name: 'sys_exit_futex' },
  ],
  missingHint:
    'lock:contention_* tracepoints exist from Linux 5.19 and syscalls:* need CONFIG_FTRACE_SYSCALLS; without them use `perf lock record/report` (needs CONFIG_LOCK_STAT), /proc/lock_stat, or `strace -f -c -e trace=futex -p PID` for futex waits',
  caveat:
    'only contended acquisitions are traced; kernel waits include spinning and sleeping; a futex wait is also how a thread sleeps on a condition variable (an idle worker waiting for work), so check which variable an address is before blaming it',
  program: locksProgram,
  analyze(out, tracedSeconds, ctx): Analysis {
    const data = interpretLocks(out, tracedSeconds, ctx);
    return { data, render: (st) => renderLocks(data, st) };
  },
};

// ktrace locks: kernel lock contention from lock:contention_begin/end
// (Linux >= 5.19), per task name and per lock type.
import { formatCount, formatNs, table } from '../../common/format.ts';
import type { Style } from '../../common/style.ts';
import { keyedHists, keyedNumbers, type BpftraceOutput, type HistBucket } from '../bpftrace/output.ts';
import { predicate, wrapProgram, type TraceFilter } from '../bpftrace/program.ts';
import { mergeHists, renderHist } from '../hist.ts';
import { decodeLockFlags, lockKind } from '../lockflags.ts';
import type { Analysis, ModeContext, ModeSpec } from './types.ts';

/** Per-comm histograms drawn in human output. */
export const HISTS_SHOWN = 3;

export interface LockRow {
  readonly key: string;
  readonly label: string;
  readonly count: number;
  readonly totalNs: number;
  readonly maxNs: number;
  /** Wait time in ns, log2 buckets. */
  readonly hist: HistBucket[];
}

export interface LocksResult {
  readonly mode: 'locks';
  readonly tracedSeconds: number;
  readonly filter: TraceFilter;
  readonly totalContentions: number;
  readonly totalWaitNs: number;
  readonly byComm: LockRow[];
  readonly byType: LockRow[];
  readonly overallHist: HistBucket[];
}

export function locksProgram(ctx: ModeContext): string {
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
`,
    ctx.durationSeconds,
    ['@start', '@flags'],
  );
}

function rows(out: BpftraceOutput, prefix: 'comm' | 'type', label: (key: string) => string): LockRow[] {
  const counts = keyedNumbers(out, `@${prefix}_count`);
  const totals = keyedNumbers(out, `@${prefix}_total_ns`);
  const maxes = keyedNumbers(out, `@${prefix}_max_ns`);
  const hists = keyedHists(out, `@${prefix}_wait_ns`);
  return [...counts]
    .map(([key, count]) => ({ key, label: label(key), count, totalNs: totals.get(key) ?? 0, maxNs: maxes.get(key) ?? 0, hist: [...(hists.get(key) ?? [])] }))
    .sort((a, b) => b.totalNs - a.totalNs || b.count - a.count);
}

export function interpretLocks(out: BpftraceOutput, tracedSeconds: number, ctx: ModeContext): LocksResult {
  const byComm = rows(out, 'comm', (k) => k);
  const byType = rows(out, 'type', (k) => `${lockKind(Number(k))} [${decodeLockFlags(Number(k))}]`);
  return {
    mode: 'locks',
    tracedSeconds,
    filter: ctx.filter,
    totalContentions: byType.reduce((s, r) => s + r.count, 0),
    totalWaitNs: byType.reduce((s, r) => s + r.totalNs, 0),
    byComm: byComm.slice(0, ctx.top),
    byType,
    overallHist: mergeHists(keyedHists(out, '@type_wait_ns').values()),
  };
}

function rowTable(title: string, list: readonly LockRow[]): string {
  return table(
    [title, 'count', 'total wait', 'avg', 'max'],
    list.map((r) => [r.label, formatCount(r.count), formatNs(r.totalNs), formatNs(r.count > 0 ? r.totalNs / r.count : 0), formatNs(r.maxNs)]),
    ['left', 'right', 'right', 'right', 'right'],
  );
}

export function renderLocks(r: LocksResult, st: Style): string[] {
  const lines = [`  ${formatCount(r.totalContentions)} contended acquisitions, ${formatNs(r.totalWaitNs)} total wait in ${r.tracedSeconds.toFixed(1)} s`];
  if (r.totalContentions === 0) return [...lines, st.green('  no lock contention observed (uncontended locks never hit these tracepoints)')];
  lines.push('', rowTable('lock type', r.byType), '', rowTable('comm', r.byComm));
  lines.push('', st.bold('  wait time, all contentions:'), ...renderHist(r.overallHist));
  for (const c of r.byComm.slice(0, HISTS_SHOWN)) lines.push('', st.bold(`  wait time, ${c.label}:`), ...renderHist(c.hist));
  return lines;
}

export const locksMode: ModeSpec = {
  name: 'locks',
  summary: 'kernel lock contention: wait-time histogram, count and total per comm and lock type',
  tracepoints: [
    { category: 'lock', name: 'contention_begin' },
    { category: 'lock', name: 'contention_end' },
  ],
  missingHint: 'lock:contention_* tracepoints exist from Linux 5.19; on older kernels use `perf lock record/report` (needs CONFIG_LOCK_STAT) or /proc/lock_stat, or futex waits via `ktrace syscalls`',
  caveat: 'only contended acquisitions are traced; waits include spinning and sleeping; user-space locks (pthread mutexes) show up as futex syscalls instead',
  program: locksProgram,
  analyze(out, tracedSeconds, ctx): Analysis {
    const data = interpretLocks(out, tracedSeconds, ctx);
    return { data, render: (st) => renderLocks(data, st) };
  },
};

// ktrace syscalls: per-syscall counts and latency from raw_syscalls:sys_enter/sys_exit.
import os from 'node:os';
import { formatCount, formatNs, table } from '../../common/format.ts';
import type { Style } from '../../common/style.ts';
import { keyedHists, keyedNumbers, type BpftraceOutput, type HistBucket } from '../bpftrace/output.ts';
import { predicate, wrapProgram, type TraceFilter } from '../bpftrace/program.ts';
import { mergeHists, renderHist } from '../hist.ts';
import { syscallNamer, type SyscallNamer } from '../syscall-names.ts';
import type { Analysis, ModeContext, ModeSpec } from './types.ts';

/** Per-syscall histograms drawn in human output; the rest are in --json. */
export const HISTS_SHOWN = 2;

export interface SyscallRow {
  readonly id: number;
  readonly name: string;
  readonly count: number;
  readonly ratePerSec: number;
  readonly totalNs: number;
  readonly avgNs: number;
  /** Latency in ns, log2 buckets. */
  readonly hist: HistBucket[];
}

export interface SyscallsResult {
  readonly mode: 'syscalls';
  readonly tracedSeconds: number;
  readonly filter: TraceFilter;
  readonly totalCalls: number;
  readonly distinctSyscalls: number;
  readonly top: SyscallRow[];
  readonly overallHist: HistBucket[];
}

export function syscallsProgram(ctx: ModeContext): string {
  return wrapProgram(
    `
tracepoint:raw_syscalls:sys_enter ${predicate(ctx.filter, ctx.scope)} {
  @start[tid] = nsecs;
  @count[args->id] = count();
}
tracepoint:raw_syscalls:sys_exit /@start[tid]/ {
  $ns = nsecs - @start[tid];
  @lat_ns[args->id] = hist($ns);
  @total_ns[args->id] = sum($ns);
  delete(@start[tid]);
}
`,
    ctx.durationSeconds,
    ['@start'],
  );
}

export function interpretSyscalls(out: BpftraceOutput, tracedSeconds: number, ctx: ModeContext, name: SyscallNamer): SyscallsResult {
  const counts = keyedNumbers(out, '@count');
  const totals = keyedNumbers(out, '@total_ns');
  const hists = keyedHists(out, '@lat_ns');
  const rows: SyscallRow[] = [...counts].map(([key, count]) => {
    const totalNs = totals.get(key) ?? 0;
    return {
      id: Number(key),
      name: name(Number(key)),
      count,
      ratePerSec: tracedSeconds > 0 ? count / tracedSeconds : 0,
      totalNs,
      avgNs: count > 0 ? totalNs / count : 0,
      hist: [...(hists.get(key) ?? [])],
    };
  });
  rows.sort((a, b) => b.count - a.count || a.id - b.id);
  return {
    mode: 'syscalls',
    tracedSeconds,
    filter: ctx.filter,
    totalCalls: rows.reduce((s, r) => s + r.count, 0),
    distinctSyscalls: rows.length,
    top: rows.slice(0, ctx.top),
    overallHist: mergeHists(hists.values()),
  };
}

export function renderSyscalls(r: SyscallsResult, st: Style): string[] {
  const lines = [`  ${formatCount(r.totalCalls)} syscalls (${r.distinctSyscalls} distinct) in ${r.tracedSeconds.toFixed(1)} s`];
  if (r.top.length === 0) return [...lines, st.yellow('  no syscalls matched the filter')];
  lines.push(
    table(
      ['syscall', 'count', 'rate/s', 'total time', 'avg'],
      r.top.map((s) => [s.name, formatCount(s.count), formatCount(s.ratePerSec), formatNs(s.totalNs), formatNs(s.avgNs)]),
      ['left', 'right', 'right', 'right', 'right'],
    ),
  );
  lines.push('', st.bold('  latency, all syscalls:'), ...renderHist(r.overallHist));
  for (const s of r.top.slice(0, HISTS_SHOWN)) lines.push('', st.bold(`  latency, ${s.name}:`), ...renderHist(s.hist));
  return lines;
}

export const syscallsMode: ModeSpec = {
  name: 'syscalls',
  summary: 'per-syscall count, rate, total time and latency histogram',
  tracepoints: [
    { category: 'raw_syscalls', name: 'sys_enter' },
    { category: 'raw_syscalls', name: 'sys_exit' },
  ],
  missingHint: 'raw_syscalls tracepoints need CONFIG_FTRACE_SYSCALLS; without them use `strace -c -f -p PID` or `perf trace -s`',
  caveat: 'latency is kernel entry to exit per call; blocking calls (read on a pipe, futex, poll) include their sleep time',
  program: syscallsProgram,
  analyze(out, tracedSeconds, ctx): Analysis {
    const data = interpretSyscalls(out, tracedSeconds, ctx, syscallNamer(os.arch()));
    return { data, render: (st) => renderSyscalls(data, st) };
  },
};

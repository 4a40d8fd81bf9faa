// ktrace biolatency: block request latency (issue to completion) per device,
// with percentiles estimated from log2 histograms.
import { formatCount, formatNs, table } from '../../common/format.ts';
import type { Style } from '../../common/style.ts';
import { keyedHists, keyedNumbers, type BpftraceOutput, type HistBucket } from '../bpftrace/output.ts';
import { predicate, wrapProgram, type TraceFilter } from '../bpftrace/program.ts';
import { percentile, renderHist } from '../hist.ts';
import { blockDevName } from '../blockdev.ts';
import type { Analysis, ModeContext, ModeSpec } from './types.ts';

export interface DeviceLatency {
  readonly dev: number;
  readonly name: string;
  readonly count: number;
  readonly iops: number;
  readonly bytes: number;
  /** Percentiles in ns, interpolated inside log2 buckets (within a factor of 2). */
  readonly p50Ns: number | null;
  readonly p95Ns: number | null;
  readonly p99Ns: number | null;
  /** Exact maximum. */
  readonly maxNs: number;
  readonly hist: HistBucket[];
}

export interface BiolatencyResult {
  readonly mode: 'biolatency';
  readonly tracedSeconds: number;
  readonly filter: TraceFilter;
  readonly devices: DeviceLatency[];
}

export function biolatencyProgram(ctx: ModeContext): string {
  // Keyed by (dev, sector): the identity a request keeps from issue to completion.
  return wrapProgram(
    `
tracepoint:block:block_rq_issue ${predicate(ctx.filter, ctx.scope)} {
  @start[args->dev, args->sector] = nsecs;
  @bytes_issued[args->dev, args->sector] = args->bytes;
}
tracepoint:block:block_rq_complete /@start[args->dev, args->sector]/ {
  $ns = nsecs - @start[args->dev, args->sector];
  @lat_ns[args->dev] = hist($ns);
  @count[args->dev] = count();
  @max_ns[args->dev] = max($ns);
  @bytes[args->dev] = sum(@bytes_issued[args->dev, args->sector]);
  delete(@start[args->dev, args->sector]);
  delete(@bytes_issued[args->dev, args->sector]);
}
`,
    ctx.durationSeconds,
    ['@start', '@bytes_issued'],
  );
}

export function interpretBiolatency(out: BpftraceOutput, tracedSeconds: number, ctx: ModeContext, devName: (dev: number) => string): BiolatencyResult {
  const counts = keyedNumbers(out, '@count');
  const maxes = keyedNumbers(out, '@max_ns');
  const bytes = keyedNumbers(out, '@bytes');
  const hists = keyedHists(out, '@lat_ns');
  const devices = [...counts].map(([key, count]): DeviceLatency => {
    const hist = [...(hists.get(key) ?? [])];
    const maxNs = maxes.get(key) ?? 0;
    return {
      dev: Number(key),
      name: devName(Number(key)),
      count,
      iops: tracedSeconds > 0 ? count / tracedSeconds : 0,
      bytes: bytes.get(key) ?? 0,
      p50Ns: percentile(hist, 50, maxNs),
      p95Ns: percentile(hist, 95, maxNs),
      p99Ns: percentile(hist, 99, maxNs),
      maxNs,
      hist,
    };
  });
  devices.sort((a, b) => b.count - a.count);
  return { mode: 'biolatency', tracedSeconds, filter: ctx.filter, devices };
}

export function renderBiolatency(r: BiolatencyResult, st: Style): string[] {
  if (r.devices.length === 0) {
    return [st.yellow(`  no block I/O completed in ${r.tracedSeconds.toFixed(1)} s (idle disks, page-cache hits, or a filter that matched nothing)`)];
  }
  const ns = (v: number | null) => (v === null ? '-' : formatNs(v));
  const lines = [
    table(
      ['device', 'I/Os', 'IOPS', 'p50', 'p95', 'p99', 'max'],
      r.devices.map((d) => [d.name, formatCount(d.count), formatCount(d.iops), ns(d.p50Ns), ns(d.p95Ns), ns(d.p99Ns), ns(d.maxNs)]),
      ['left', 'right', 'right', 'right', 'right', 'right', 'right'],
    ),
  ];
  for (const d of r.devices) lines.push('', st.bold(`  latency, ${d.name}:`), ...renderHist(d.hist));
  return lines;
}

export const biolatencyMode: ModeSpec = {
  name: 'biolatency',
  summary: 'block I/O latency p50/p95/p99/max per device (issue to completion)',
  tracepoints: [
    { category: 'block', name: 'block_rq_issue' },
    { category: 'block', name: 'block_rq_complete' },
  ],
  missingHint: 'block tracepoints are missing: use `iostat -x 1` (await columns) or `blktrace`',
  caveat:
    'percentiles are interpolated inside log2 buckets (accurate to a factor of 2); max is exact. Time is spent in the device and driver queue, after the I/O scheduler. ' +
    "A request counts for the task that issues it: buffered writes are issued later by kernel writeback threads, which belong to no lab (--all-host shows them).",
  program: biolatencyProgram,
  analyze(out, tracedSeconds, ctx): Analysis {
    const data = interpretBiolatency(out, tracedSeconds, ctx, blockDevName);
    return { data, render: (st) => renderBiolatency(data, st) };
  },
};

// Each ktrace mode's result as charts for the lab page: the same numbers the
// text view prints, as bars (largest first) and log2 histograms.
import type { Chart } from '../../../runner/src/common/pictures.ts';
import type { HistBucket } from '../bpftrace/output.ts';
import { mergeHists } from '../hist.ts';
import type { BiolatencyResult } from '../modes/biolatency.ts';
import type { LocksResult } from '../modes/locks.ts';
import type { MemleakResult, MemleakSitesResult } from '../modes/memleak.ts';
import type { SyscallsResult } from '../modes/syscalls.ts';
import { MAX_CHART_ROWS, MAX_CHARTS, clampLabel } from './limits.ts';

/** Per-syscall latency histograms after the overall one: the text view draws as many. */
const SYSCALL_HISTS = 2;

type BarsUnit = Extract<Chart, { kind: 'bars' }>['unit'];

const text = clampLabel;

function finite(n: number): number {
  return Number.isFinite(n) && n > 0 ? n : 0;
}

function bars(title: string, unit: BarsUnit, rows: readonly { label: string; value: number }[]): Chart {
  const sorted = rows.map((r) => ({ label: text(r.label), value: finite(r.value) })).sort((a, b) => b.value - a.value);
  return { kind: 'bars', title: text(title), unit, rows: sorted.slice(0, MAX_CHART_ROWS) };
}

/** Leading and trailing empty buckets dropped, as the text view does. */
function histogram(title: string, unit: 'ns' | 'bytes', h: readonly HistBucket[]): Chart {
  const first = h.findIndex((b) => b.count > 0);
  let last = h.length - 1;
  while (last > first && (h[last]?.count ?? 0) === 0) last--;
  const buckets = first < 0 ? [] : h.slice(first, last + 1).map((b) => ({ min: b.min, max: b.max, count: finite(b.count) }));
  return { kind: 'histogram', title: text(title), unit, buckets: buckets.slice(0, MAX_CHART_ROWS) };
}

const hasData = (c: Chart) => (c.kind === 'bars' ? c.rows.length > 0 : c.buckets.length > 0);

/** The first chart always stays (even empty: it says what was measured); empty others go. */
function keep(charts: Chart[]): Chart[] {
  const [first, ...rest] = charts;
  return first === undefined ? [] : [first, ...rest.filter(hasData)].slice(0, MAX_CHARTS);
}

export function syscallsCharts(r: SyscallsResult): Chart[] {
  return keep([
    bars('syscalls per second', 'per-second', r.top.map((s) => ({ label: s.name, value: s.ratePerSec }))),
    histogram('latency, all syscalls', 'ns', r.overallHist),
    bars('time in each syscall (total)', 'ns', r.top.map((s) => ({ label: s.name, value: s.totalNs }))),
    ...r.top.slice(0, SYSCALL_HISTS).map((s) => histogram(`latency, ${s.name}`, 'ns', s.hist)),
  ]);
}

export function locksCharts(r: LocksResult): Chart[] {
  const futexWord = (f: LocksResult['futex']['byAddress'][number]) => `${f.comm} (pid ${f.pid ?? `host ${f.hostPid}`}) futex ${f.address}`;
  const futexFirst = r.futex.totalWaitNs > r.totalWaitNs;
  const futex = [
    bars('futex wait time per lock word', 'ns', r.futex.byAddress.map((f) => ({ label: futexWord(f), value: f.totalNs }))),
    histogram('futex wait, all lock words', 'ns', mergeHists(r.futex.byAddress.map((f) => f.hist))),
    bars('futex wait time per process', 'ns', r.futex.byComm.map((c) => ({ label: c.label, value: c.totalNs }))),
  ];
  const kernel = [
    bars('kernel lock wait time per lock type', 'ns', r.byType.map((t) => ({ label: t.label, value: t.totalNs }))),
    histogram('kernel lock wait, all locks', 'ns', r.overallHist),
    bars('kernel lock wait time per process', 'ns', r.byComm.map((c) => ({ label: c.label, value: c.totalNs }))),
  ];
  // Lead with whichever kind of lock the program actually waited on.
  return keep(futexFirst ? [...futex, ...kernel] : [...kernel, ...futex]);
}

export function memleakCharts(r: MemleakResult): Chart[] {
  const who = (s: MemleakResult['suspects'][number]) => `${s.comm} (pid ${s.pid ?? `host ${s.hostPid}`})`;
  return keep([
    bars('bytes still allocated at the end, per process', 'bytes', r.suspects.map((s) => ({ label: who(s), value: s.outstandingBytes }))),
    bars('bytes allocated, per process', 'bytes', r.suspects.map((s) => ({ label: who(s), value: s.allocBytes }))),
    bars('allocations not freed, per process', 'count', r.suspects.map((s) => ({ label: who(s), value: s.outstandingAllocs }))),
  ]);
}

/** By call site: the same three charts, labelled "kvc_req_new+0x2a [kvcache] (192 B)". */
export function memleakSitesCharts(r: MemleakSitesResult): Chart[] {
  const where = (s: MemleakSitesResult['sites'][number]) => `${s.symbol} (${s.sizeClass} B)`;
  return keep([
    bars('bytes still allocated at the end, per kernel call site', 'bytes', r.sites.map((s) => ({ label: where(s), value: s.outstandingBytes }))),
    bars('bytes allocated, per kernel call site', 'bytes', r.sites.map((s) => ({ label: where(s), value: s.allocBytes }))),
    bars('allocations not freed, per kernel call site', 'count', r.sites.map((s) => ({ label: where(s), value: s.outstandingAllocs }))),
  ]);
}

export function biolatencyCharts(r: BiolatencyResult): Chart[] {
  const busiest = [...r.devices].sort((a, b) => b.count - a.count);
  return keep([
    bars('I/O per second, per device', 'per-second', busiest.map((d) => ({ label: d.name, value: d.iops }))),
    ...busiest.slice(0, MAX_CHARTS - 1).map((d) => histogram(`I/O latency, ${d.name}`, 'ns', d.hist)),
  ]);
}

/** A mode's --json `result` as charts; null for a mode without charts. */
export function chartsFor(mode: string, result: object): Chart[] | null {
  switch (mode) {
    case 'syscalls': return syscallsCharts(result as SyscallsResult);
    case 'locks': return locksCharts(result as LocksResult);
    case 'memleak': return (result as { by?: string }).by === 'call-site' ? memleakSitesCharts(result as MemleakSitesResult) : memleakCharts(result as MemleakResult);
    case 'biolatency': return biolatencyCharts(result as BiolatencyResult);
    default: return null;
  }
}

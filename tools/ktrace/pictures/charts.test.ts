// Each mode's result (from the real bpftrace fixtures) as charts the page accepts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { pictureSchema, type Chart } from '../../../runner/src/common/pictures.ts';
import { parseOutput } from '../bpftrace/output.ts';
import { syscallNamer } from '../syscall-names.ts';
import { interpretSyscalls } from '../modes/syscalls.ts';
import { interpretMemleak, interpretMemleakSites } from '../modes/memleak.ts';
import { resolveFromKallsyms } from '../kallsyms.ts';
import { interpretLocks } from '../modes/locks.ts';
import { interpretBiolatency, type BiolatencyResult } from '../modes/biolatency.ts';
import type { ModeContext } from '../modes/types.ts';
import { chartsFor } from './charts.ts';
import { chartsPicture, chartsTitle } from './save-charts.ts';
import { MAX_CHARTS, MAX_CHART_ROWS } from './limits.ts';

const fixture = (name: string) => parseOutput(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8'));
const ctx: ModeContext = { durationSeconds: 1, filter: {}, scope: { hostWide: false, pidNamespace: 4026532179 }, top: 10 };

/** The picture ktrace would save, checked with the schema the runner uses. */
function picture(mode: string, result: object): Chart[] {
  const p = chartsPicture({ mode, result, tracedSeconds: 5, filter: {}, hostWide: false, argv: [mode, '--json'] }, 1_764_000_000_000);
  assert.ok(p !== null);
  const parsed = pictureSchema.parse(p);
  assert.equal(parsed.kind, 'charts');
  assert.equal(p.title, `ktrace ${mode} — 5 s, this lab`);
  assert.equal(p.command, `ktrace ${mode} --json`);
  return p.charts;
}

const bars = (c: Chart | undefined) => (c?.kind === 'bars' ? c : assert.fail(`not bars: ${JSON.stringify(c)}`));
const hist = (c: Chart | undefined) => (c?.kind === 'histogram' ? c : assert.fail(`not a histogram: ${JSON.stringify(c)}`));

test('syscalls: rates per syscall, largest first, and the latency histograms', () => {
  const r = interpretSyscalls(fixture('syscalls.jsonl'), 1.2, ctx, syscallNamer('x64'));
  const charts = picture('syscalls', r);
  const rates = bars(charts[0]);
  assert.equal(rates.unit, 'per-second');
  assert.deepEqual(rates.rows.slice(0, 2).map((x) => x.label).sort(), ['read', 'write']);
  assert.deepEqual(rates.rows.map((x) => x.value), [...rates.rows.map((x) => x.value)].sort((a, b) => b - a));
  const overall = hist(charts[1]);
  assert.equal(overall.unit, 'ns');
  assert.equal(overall.buckets.reduce((n, b) => n + b.count, 0), r.overallHist.reduce((n, b) => n + b.count, 0));
  assert.ok((overall.buckets[0]?.count ?? 0) > 0, 'leading empty buckets dropped');
  assert.ok(charts.some((c) => c.title === `latency, ${r.top[0]?.name ?? ''}`));
});

test('locks: kernel rwsem waits and futex words, whichever waited most leads', () => {
  const kernel = picture('locks', interpretLocks(fixture('locks.jsonl'), 1, ctx));
  assert.match(bars(kernel[0]).title, /kernel lock wait time per lock type/);
  assert.ok(bars(kernel[0]).rows.length > 0);
  assert.ok(kernel.some((c) => c.kind === 'histogram' && c.buckets.length > 0));
  const futex = picture('locks', interpretLocks(fixture('locks-futex.jsonl'), 1.3, { ...ctx, filter: { pid: 1 } }));
  const words = bars(futex[0]);
  assert.match(words.title, /futex wait time per lock word/);
  assert.match(words.rows[0]?.label ?? '', /tallyd \(pid .*\) futex 0x[0-9a-f]+/);
  assert.equal(words.unit, 'ns');
});

test('memleak: outstanding bytes per process', () => {
  const r = interpretMemleak(fixture('memleak.jsonl'), 1, { ...ctx, top: 1000 });
  const charts = picture('memleak', r);
  const out = bars(charts[0]);
  assert.equal(out.unit, 'bytes');
  assert.ok(out.rows.length <= MAX_CHART_ROWS);
  assert.equal(out.rows[0]?.value, r.suspects[0]?.outstandingBytes);
});

test('memleak by call site: outstanding bytes per call site, labelled with the size class', () => {
  const excerpt = readFileSync(new URL('../fixtures/kallsyms-excerpt.txt', import.meta.url), 'utf8');
  const r = interpretMemleakSites(fixture('memleak-sites.jsonl'), 4, { ...ctx, top: 1000, memleak: { by: 'call-site', maxLive: 32768 } }, (a) => resolveFromKallsyms(excerpt, a));
  const charts = picture('memleak', r);
  const out = bars(charts[0]);
  assert.match(out.title, /per kernel call site/);
  assert.equal(out.rows[0]?.value, r.sites[0]?.outstandingBytes);
  assert.ok(charts.some((c) => c.kind === 'bars' && c.rows.some((row) => /^ext4_htree_store_dirent\+0x34 \(64 B\)$/.test(row.label))));
});

test('biolatency: IOPS per device and one histogram per device, at most MAX_CHARTS', () => {
  const r = interpretBiolatency(fixture('biolatency.jsonl'), 1, ctx, () => 'vda');
  const charts = picture('biolatency', r);
  assert.equal(bars(charts[0]).rows[0]?.label, 'vda');
  assert.equal(hist(charts[1]).title, 'I/O latency, vda');
  const many: BiolatencyResult = { ...r, devices: Array.from({ length: 30 }, (_, i) => ({ ...(r.devices[0] ?? assert.fail('no device')), name: `sd${i}`, count: i })) };
  const lots = picture('biolatency', many);
  assert.equal(lots.length, MAX_CHARTS);
  assert.equal(hist(lots[1]).title, 'I/O latency, sd29', 'the busiest devices get the histograms');
});

test('an empty trace still names what it measured; odd values are made safe', () => {
  const empty = picture('syscalls', interpretSyscalls(parseOutput(''), 2, ctx, syscallNamer('x64')));
  assert.equal(empty.length, 1);
  assert.deepEqual(bars(empty[0]).rows, []);
  const r = interpretSyscalls(fixture('syscalls.jsonl'), 1.2, ctx, syscallNamer('x64'));
  const odd = { ...r, top: [{ ...(r.top[0] ?? assert.fail('no row')), name: '', ratePerSec: Number.NaN }, ...Array.from({ length: 300 }, (_, i) => ({ ...(r.top[0] ?? assert.fail('no row')), name: `s${i}`.repeat(100) }))] };
  const charts = picture('syscalls', odd);
  assert.equal(bars(charts[0]).rows.length, MAX_CHART_ROWS);
  assert.equal(chartsFor('flame', {}), null);
});

test('titles say how long and whose processes', () => {
  assert.equal(chartsTitle({ mode: 'locks', tracedSeconds: 2.96, filter: {}, hostWide: true }), 'ktrace locks — 3 s, whole host');
  assert.equal(chartsTitle({ mode: 'locks', tracedSeconds: 2.2, filter: { pid: 7, comm: 'dd' }, hostWide: false }), 'ktrace locks — 2 s, this lab, pid 7, dd');
  assert.equal(chartsTitle({ mode: 'locks', tracedSeconds: 0.4, filter: {}, hostWide: false }), 'ktrace locks — 0.4 s, this lab');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { decidePerf } from './perf-events.ts';

const okStderr = readFileSync(new URL('./fixtures/perf-stat-ok.stderr.txt', import.meta.url), 'utf8');
const VM_PMUS = ['breakpoint', 'msr', 'software', 'tracepoint', 'uprobe'];

test('perf stat works, but a VM without a PMU: degraded, hardware counters named', () => {
  const o = decidePerf({ paranoid: 2, pmus: VM_PMUS, perfStat: { ok: true, value: { code: 0, stdout: '', stderr: okStderr, timedOut: false } }, uid: 0 });
  assert.equal(o.status, 'degraded');
  assert.match(o.detail, /perf_event_open works/);
  assert.match(o.why ?? '', /no hardware PMU/);
  assert.equal(o.facts.hardwarePmu, null);
});

test('with a cpu PMU: ok', () => {
  const o = decidePerf({ paranoid: 2, pmus: ['cpu', ...VM_PMUS], perfStat: { ok: true, value: { code: 0, stdout: '', stderr: okStderr, timedOut: false } }, uid: 0 });
  assert.equal(o.status, 'ok');
  assert.equal(o.facts.hardwarePmu, 'cpu');
});

test('no perf on the host: not tried, still judged from the kernel', () => {
  const o = decidePerf({ paranoid: 3, pmus: ['cpu', 'software'], perfStat: null, uid: 0 });
  assert.equal(o.status, 'ok');
  assert.match(o.detail, /not tried/);
});

test('perf_event_open refused as root: missing, with perf\'s own words', () => {
  // SYNTHETIC: perf's message when a seccomp policy blocks the call.
  const stderr = 'Error:\nNo permission to enable cpu-clock event.\n';
  const o = decidePerf({ paranoid: 2, pmus: ['cpu'], perfStat: { ok: true, value: { code: 255, stdout: '', stderr, timedOut: false } }, uid: 0 });
  assert.equal(o.status, 'missing');
  assert.match(o.why ?? '', /No permission to enable cpu-clock event/);
});

test("Debian's perf wrapper without a matching perf is not a kernel problem", () => {
  // SYNTHETIC: /usr/bin/perf's wrapper text on a kernel it has no perf for.
  const stderr = 'WARNING: perf not found for kernel 6.18.44\n\n  You may need to install the following packages for this specific kernel:\n    linux-perf-6.18\n';
  const o = decidePerf({ paranoid: 2, pmus: ['cpu'], perfStat: { ok: true, value: { code: 2, stdout: '', stderr, timedOut: false } }, uid: 0 });
  assert.equal(o.status, 'ok');
  assert.match(o.detail, /does not match this kernel/);
});

test('no perf_event_paranoid: the kernel has no perf events', () => {
  assert.equal(decidePerf({ paranoid: null, pmus: null, perfStat: null, uid: 0 }).status, 'missing');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { keyedHists, keyedNumbers, keyedStrings, parseOutput } from './output.ts';
import { filterStderr } from './run.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');

test('real bpftrace 0.17 output: attached probes, keyed maps, keyed hists, blank lines', () => {
  const out = parseOutput(fixture('biolatency.jsonl'));
  assert.equal(out.attachedProbes, 5);
  assert.deepEqual(out.unparsed, []);
  assert.equal(typeof out.maps.get('@traced_ns'), 'number');
  const counts = keyedNumbers(out, '@count');
  assert.ok(counts.size >= 1);
  const hist = keyedHists(out, '@lat_ns');
  const [dev] = counts.keys();
  assert.ok(hist.get(dev ?? '')?.every((b) => b.min !== null && b.max !== null && b.count >= 0));
});

test('string-valued maps', () => {
  const out = parseOutput(fixture('memleak.jsonl'));
  const comms = keyedStrings(out, '@comm');
  assert.ok(comms.size > 0);
  assert.ok([...comms.values()].every((c) => c.length > 0 && c.length <= 15));
});

test('scalar hist, printf, lost events, unknown types and junk lines', () => {
  const out = parseOutput(
    [
      '{"type": "hist", "data": {"@h": [{"max": -1, "count": 2}, {"min": 0, "max": 0, "count": 3}]}}',
      '{"type": "printf", "data": "hello\\n"}',
      '{"type": "lost_events", "data": {"events": 7}}',
      '{"type": "time", "data": "12:00:00\\n"}',
      'WARNING: something not json',
      '',
    ].join('\n'),
  );
  assert.deepEqual(out.hists.get('@h'), [
    { min: null, max: -1, count: 2 },
    { min: 0, max: 0, count: 3 },
  ]);
  assert.deepEqual(out.printf, ['hello\n']);
  assert.equal(out.lostEvents, 7);
  assert.deepEqual(out.unparsed, ['WARNING: something not json']);
  assert.deepEqual(keyedNumbers(out, '@missing'), new Map());
});

test('the RLIMIT_MEMLOCK warning of bpftrace 0.17 is filtered as harmless', () => {
  const raw = `ERROR: Unknown error -1: couldn't set RLIMIT_MEMLOCK for bpftrace. If your program is not loading, you can try "ulimit -l 8192" to fix the problem\nstdin:1:1-10: ERROR: real problem\n`;
  assert.equal(filterStderr(raw), 'stdin:1:1-10: ERROR: real problem');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../common/args.ts';
import { parseKtraceArgs } from './cli.ts';
import { parseFlameArgs } from './flame/cli.ts';

test('defaults and filters', () => {
  const o = parseKtraceArgs(['syscalls', '--pid', '42', '--comm', 'dd']);
  assert.equal(o.mode?.name, 'syscalls');
  assert.equal(o.durationSeconds, 5);
  assert.deepEqual(o.filter, { pid: 42, comm: 'dd' });
});

test('bad mode and bad values name the argument', () => {
  assert.throws(() => parseKtraceArgs(['sycalls']), (e: unknown) => e instanceof UsageError && /'sycalls'/.test(e.message) && /biolatency/.test(e.message));
  assert.throws(() => parseKtraceArgs([]), /missing mode/);
  assert.throws(() => parseKtraceArgs(['locks', '--duration', '0']), /'--duration' must be between 1/);
  assert.throws(() => parseKtraceArgs(['locks', '--comm', 'a"b']), /'--comm'/);
  assert.throws(() => parseKtraceArgs(['locks', '--comm', 'a-very-long-command-name']), /at most 15/);
});

test("this lab's processes by default; --all-host widens to the whole host", () => {
  assert.equal(parseKtraceArgs(['syscalls']).hostWide, false);
  assert.equal(parseKtraceArgs(['syscalls', '--all-host']).hostWide, true);
  assert.throws(() => parseKtraceArgs(['syscalls', '--all-host=yes']), /takes no value/);
});

test('flame: options, conflicts and the hint for a missing pid', () => {
  const o = parseFlameArgs(['--pid', '7', '--duration', '3', '--output', 'f.svg']);
  assert.deepEqual([o.pid, o.durationSeconds, o.frequency, o.output, o.svg], [7, 3, 99, 'f.svg', false]);
  assert.throws(() => parseFlameArgs(['--svg', '--folded']), /not both/);
  assert.throws(() => parseFlameArgs(['--duration', '3']), /need --pid/);
  assert.throws(() => parseFlameArgs(['perf.data']), /pipe perf script/);
});

test('--json saves charts unless --no-save; --save saves with the text view', () => {
  const pick = (argv: string[]) => { const o = parseKtraceArgs(argv); return [o.json, o.save, o.saveAsked]; };
  assert.deepEqual(pick(['syscalls']), [false, false, false]);
  assert.deepEqual(pick(['syscalls', '--json']), [true, true, false]);
  assert.deepEqual(pick(['syscalls', '--json', '--no-save']), [true, false, false]);
  assert.deepEqual(pick(['syscalls', '--save']), [false, true, true]);
  assert.throws(() => parseKtraceArgs(['syscalls', '--save', '--no-save']), /not both/);
});

test('flame: --lab records the lab, alone; --save and --title', () => {
  const o = parseFlameArgs(['--lab', '--duration', '3', '--save', '--title', 'mine']);
  assert.deepEqual([o.lab, o.pid, o.durationSeconds, o.save, o.title], [true, undefined, 3, true, 'mine']);
  assert.throws(() => parseFlameArgs(['--lab', '--pid', '7']), (e: unknown) => e instanceof UsageError && /--pid and --lab/.test(e.message));
  assert.throws(() => parseFlameArgs(['--lab', '--input', 'perf.data']), /not --lab and --input/);
  assert.throws(() => parseFlameArgs(['--pid', '1', '--input', 'f']), /one of --pid, --lab and --input/);
  assert.equal(parseFlameArgs(['--input', 'perf.data']).save, false);
});

test('memleak: --by, --size and --max-live; only for memleak', () => {
  const o = parseKtraceArgs(['memleak']);
  assert.deepEqual(o.memleak, { by: 'process' });
  const s = parseKtraceArgs(['memleak', '--by', 'call-site', '--size', '192', '--max-live', '16384']);
  assert.deepEqual(s.memleak, { by: 'call-site', size: 192, maxLive: 16384 });
  assert.throws(() => parseKtraceArgs(['memleak', '--by', 'callsite']), /'--by' must be process or call-site/);
  assert.throws(() => parseKtraceArgs(['memleak', '--max-live', '10']), /'--max-live' must be between 1024/);
  assert.throws(() => parseKtraceArgs(['syscalls', '--by', 'call-site']), /'--by' is for memleak only/);
  assert.throws(() => parseKtraceArgs(['locks', '--size', '192']), /'--size' is for memleak only/);
});

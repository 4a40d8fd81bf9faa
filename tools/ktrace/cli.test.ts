import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../common/args.ts';
import { parseKtraceArgs } from './cli.ts';

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

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError, numberInRange, parseArgs, type FlagSpecs } from './args.ts';

const specs: FlagSpecs = {
  json: { kind: 'boolean', help: '' },
  duration: { kind: 'integer', help: '' },
  interval: { kind: 'number', help: '' },
  comm: { kind: 'string', help: '' },
};

test('parses flags in both --x=v and --x v forms, keeps positionals', () => {
  const r = parseArgs(['cpu', '--duration', '3', '--interval=0.5', '--json', '--comm=dd'], specs);
  assert.deepEqual(r.positionals, ['cpu']);
  assert.equal(r.flags.get('duration'), 3);
  assert.equal(r.flags.get('interval'), 0.5);
  assert.equal(r.flags.get('json'), true);
  assert.equal(r.flags.get('comm'), 'dd');
});

test('unknown option names the option and lists valid ones', () => {
  assert.throws(() => parseArgs(['--durtion', '3'], specs), (e: unknown) => e instanceof UsageError && /'--durtion'/.test(e.message) && /--duration/.test(e.message));
});

test('bad values are rejected with the option name', () => {
  assert.throws(() => parseArgs(['--duration', 'abc'], specs), /'--duration' expects a non-negative integer/);
  assert.throws(() => parseArgs(['--duration'], specs), /needs a value/);
  assert.throws(() => parseArgs(['--json=1'], specs), /takes no value/);
  const { flags } = parseArgs(['--duration', '0'], specs);
  assert.throws(() => numberInRange(flags, 'duration', 5, 1, 10), /between 1 and 10/);
});

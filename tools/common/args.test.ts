import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError, flagSet, flagString, flagStrings, numberInRange, parseArgs, type FlagSpecs } from './args.ts';

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

test('a repeatable option keeps every value in order; a single one given twice is an error', () => {
  const r = parseArgs(['--origin', 'http://a', '--origin=http://b', 'x'], { origin: { kind: 'string', multiple: true }, json: { kind: 'boolean' } });
  assert.deepEqual(flagStrings(r.flags, 'origin'), ['http://a', 'http://b']);
  assert.equal(flagString(r.flags, 'origin'), 'http://b');
  assert.deepEqual(r.positionals, ['x']);
  assert.deepEqual(flagStrings(parseArgs([], { origin: { kind: 'string', multiple: true } }).flags, 'origin'), []);
  assert.throws(() => parseArgs(['--comm', 'a', '--comm', 'b'], specs), /'--comm' is given more than once/);
});

test('--help and -h are options only where options are: after -- they are words', () => {
  const withHelp: FlagSpecs = { ...specs, help: { kind: 'boolean' } };
  assert.equal(flagSet(parseArgs(['cpu', '--help'], withHelp).flags, 'help'), true);
  assert.equal(flagSet(parseArgs(['-h'], withHelp).flags, 'help'), true);
  const after = parseArgs(['answer', '--', '--help', '-h'], withHelp);
  assert.equal(flagSet(after.flags, 'help'), false);
  assert.deepEqual(after.positionals, ['answer', '--help', '-h']);
  // Another option's value is not taken for an option: the value is missing instead.
  assert.throws(() => parseArgs(['--comm', '--help'], withHelp), /'--comm' needs a value .* --comm=<value>/);
  assert.equal(flagString(parseArgs(['--comm=-x'], withHelp).flags, 'comm'), '-x', 'an inline value may start with -');
});

test('a word starting with - is an unknown option, with the way to pass it as a value', () => {
  assert.throws(() => parseArgs(['-1'], specs), /unknown option '-1' .*goes after '--'/);
  assert.deepEqual(parseArgs(['--', '-1'], specs).positionals, ['-1']);
  assert.deepEqual(parseArgs(['-'], specs).positionals, ['-'], 'a lone dash is a word (stdin)');
});

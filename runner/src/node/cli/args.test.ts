import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flagValue, flagValues, parseCliArgs, UsageError } from './args.ts';

test('parses positionals, booleans and values in both spellings', () => {
  const a = parseCliArgs(['start', 'x', '--json', '--port', '80', '--host=::1'], { json: 'bool', port: 'value', host: 'value' });
  assert.deepEqual(a.positionals, ['start', 'x']);
  assert.equal(a.flags.get('json'), true);
  assert.equal(flagValue(a, 'port'), '80');
  assert.equal(flagValue(a, 'host'), '::1');
  assert.equal(a.help, false);
});

test('unknown flags and missing values are usage errors naming the flag', () => {
  assert.throws(() => parseCliArgs(['--nope'], { json: 'bool' }), (e: unknown) => e instanceof UsageError && /--nope.*--json/.test(e.message));
  assert.throws(() => parseCliArgs(['--port'], { port: 'value' }), /'--port' needs a value/);
  assert.throws(() => parseCliArgs(['--port', '--json'], { port: 'value', json: 'bool' }), /'--port' needs a value/);
  assert.throws(() => parseCliArgs(['--json=1'], { json: 'bool' }), /takes no value/);
});

test('a repeatable flag keeps every value (serve --allow-origin A --allow-origin B)', () => {
  const a = parseCliArgs(['--allow-origin', 'http://a:1', '--allow-origin=http://b:2'], { 'allow-origin': 'values' });
  assert.deepEqual(flagValues(a, 'allow-origin'), ['http://a:1', 'http://b:2']);
  assert.deepEqual(flagValues(parseCliArgs([], { 'allow-origin': 'values' }), 'allow-origin'), []);
  assert.throws(() => parseCliArgs(['--port', '1', '--port', '2'], { port: 'value' }), /given more than once/);
});

test('--help is help only in option position: an answer after -- may say --help', () => {
  assert.equal(parseCliArgs(['lab', 'task', '--help'], {}).help, true);
  assert.equal(parseCliArgs(['-h'], {}).help, true);
  const answer = parseCliArgs(['lab', 'task', '--', 'run', '--help'], {});
  assert.equal(answer.help, false);
  assert.deepEqual(answer.positionals, ['lab', 'task', 'run', '--help']);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs, UsageError } from './args.ts';

test('parses positionals, booleans and values in both spellings', () => {
  const a = parseArgs(['start', 'x', '--json', '--port', '80', '--host=::1'], { json: 'bool', port: 'value', host: 'value' });
  assert.deepEqual(a.positionals, ['start', 'x']);
  assert.equal(a.flags.get('json'), true);
  assert.equal(a.flags.get('port'), '80');
  assert.equal(a.flags.get('host'), '::1');
});

test('unknown flags and missing values are usage errors naming the flag', () => {
  assert.throws(() => parseArgs(['--nope'], { json: 'bool' }), (e: unknown) => e instanceof UsageError && /--nope.*--json/.test(e.message));
  assert.throws(() => parseArgs(['--port'], { port: 'value' }), /--port needs a value/);
  assert.throws(() => parseArgs(['--json=1'], { json: 'bool' }), /takes no value/);
});

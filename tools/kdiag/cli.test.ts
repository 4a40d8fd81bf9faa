import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../common/args.ts';
import { parseKdiagArgs } from './cli.ts';
import { SECTION_NAMES } from './report.ts';

test('no section or "all" means every section, in canonical order', () => {
  assert.deepEqual(parseKdiagArgs([]).sections, [...SECTION_NAMES]);
  assert.deepEqual(parseKdiagArgs(['all']).sections, [...SECTION_NAMES]);
  assert.deepEqual(parseKdiagArgs(['cpu', 'kernel', '--json']).sections, ['kernel', 'cpu']);
});

test('bad section names the argument and lists valid ones', () => {
  assert.throws(
    () => parseKdiagArgs(['memroy']),
    (e: unknown) => e instanceof UsageError && e.message.includes("'memroy'") && e.message.includes('memory') && e.message.includes('all'),
  );
});

test('--interval accepts decimals within range', () => {
  assert.equal(parseKdiagArgs(['cpu', '--interval', '0.5']).intervalSeconds, 0.5);
  assert.throws(() => parseKdiagArgs(['--interval', '0']), /--interval/);
});

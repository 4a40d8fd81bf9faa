import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePrepareRecords, recordsEnv } from './prepare-records.ts';

test('records are the kdlabs-record lines of prepare\'s output; the rest is ignored', () => {
  const out = 'make: Entering directory\nkdlabs-record commitq_srcversion=6A1B2C3D4E5F\r\nbuilt\nkdlabs-record  bad=space\nkdlabs-record 9x=digit\n';
  assert.deepEqual(parsePrepareRecords(out), { commitq_srcversion: '6A1B2C3D4E5F' });
  assert.deepEqual(recordsEnv({ commitq_srcversion: 'X' }), { KDLABS_RECORD_commitq_srcversion: 'X' });
});

test('a later record replaces an earlier one; a runaway loop keeps only the first few names', () => {
  assert.deepEqual(parsePrepareRecords('kdlabs-record a=1\nkdlabs-record a=2\n'), { a: '2' });
  const many = Array.from({ length: 100 }, (_, i) => `kdlabs-record r${i}=${i}`).join('\n');
  assert.equal(Object.keys(parsePrepareRecords(many)).length, 32);
});

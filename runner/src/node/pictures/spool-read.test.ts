import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseChunkReply, parseSpoolListing } from './spool-read.ts';

test('the listing keeps picture names only, newest first', () => {
  const out = [
    '120 1764650001 flame-1764650001000-a.json',
    '99 1764650003 charts-1764650003000-syscalls.json',
    '5 1764650009 flame-1764650009000-../x.json',
    'garbage',
    '7 1764650005 notes.json',
    '10 1764650003 charts-1764650003500-io.json',
    '',
  ].join('\n');
  assert.deepEqual(parseSpoolListing(out).map((e) => e.name), [
    'charts-1764650003500-io.json', 'charts-1764650003000-syscalls.json', 'flame-1764650001000-a.json',
  ]);
  assert.deepEqual(parseSpoolListing(out)[2], { name: 'flame-1764650001000-a.json', size: 120, mtime: 1764650001 });
  assert.deepEqual(parseSpoolListing(''), []);
});

test('a read slice is missing, too big, data or garbled', () => {
  assert.deepEqual(parseChunkReply('missing\n'), { kind: 'missing' });
  assert.deepEqual(parseChunkReply('too-big 9999999\n'), { kind: 'too-big', size: 9999999 });
  const d = parseChunkReply(`size 5\n${Buffer.from('hello').toString('base64')}\n`);
  assert.ok(d.kind === 'data' && d.size === 5 && d.bytes.toString() === 'hello');
  assert.equal(parseChunkReply('size 5\nnot base64!\n').kind, 'garbled');
  assert.equal(parseChunkReply('bash: stat: command not found\n').kind, 'garbled');
});

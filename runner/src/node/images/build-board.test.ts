import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BuildBoard } from './build-board.ts';

test('a build\'s lines move its lab\'s image and step counts; the end is stamped', () => {
  let t = 0;
  const board = new BuildBoard(() => t);
  const seen: string[] = [];
  board.onChange((s) => seen.push(`${s.state}:${s.image?.k ?? '-'}/${s.image?.n ?? '-'}:${s.step?.k ?? '-'}/${s.step?.n ?? '-'}`));
  board.set('syscall-storm', 'queued');
  const p = board.progress('syscall-storm');
  p('[image 1/2] kdlabs/base:1: building (bundled tools)');
  p('[image 1/2] kdlabs/base:1: Step 3/14 : RUN apt-get install');
  p('[image 2/2] kdlabs/lab-syscall-storm:2: building (lab layer)');
  assert.deepEqual(board.get('syscall-storm')!.step, null, 'a new image starts its steps again');
  p('[image 2/2] kdlabs/lab-syscall-storm:2: Step 1/9 : FROM kdlabs/base:1');
  t = 61_000;
  board.set('syscall-storm', 'ready');
  assert.deepEqual(seen, ['queued:-/-:-/-', 'building:-/-:-/-', 'building:1/2:-/-', 'building:1/2:3/14', 'building:2/2:-/-', 'building:2/2:1/9', 'ready:-/-:-/-']);
  const done = board.get('syscall-storm')!;
  assert.equal(done.startedAt, '1970-01-01T00:00:00.000Z');
  assert.equal(done.finishedAt, '1970-01-01T00:01:01.000Z');
});

test('a failed build keeps why, and a lab never set is not listed', () => {
  const board = new BuildBoard();
  board.progress('gc-stall')('[image 1/1] kdlabs/lab-gc-stall:9: Step 2/7 : RUN apt-get install openjdk');
  board.set('gc-stall', 'failed', 'E: Unable to locate package');
  assert.deepEqual(board.list().map((s) => [s.labId, s.state, s.error, s.step]), [['gc-stall', 'failed', 'E: Unable to locate package', { k: 2, n: 7 }]]);
  assert.equal(board.get('memory-leak'), null);
});

test('an image that was there already is ready without a build time', () => {
  const board = new BuildBoard(() => 0);
  board.set('x', 'building');
  board.set('x', 'ready');
  assert.deepEqual([board.get('x')!.state, board.get('x')!.startedAt, board.get('x')!.finishedAt], ['ready', null, null]);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ImageWarmer } from './image-warmer.ts';
import { BuildBoard } from './build-board.ts';
import { fakeLab } from '../sessions/fake-backend.test-support.ts';
import type { ResolvedLab } from '../../common/lab-schema.ts';

/** A build per lab that waits until the test lets it finish. */
function heldBuilds() {
  const started: string[] = [];
  const finish = new Map<string, (ok: boolean) => void>();
  const build = (lab: ResolvedLab, onProgress: (line: string) => void): Promise<string> => {
    started.push(lab.id);
    onProgress(`[image 1/1] kdlabs/lab-${lab.id}:1: Step 1/3 : FROM base`);
    return new Promise((resolve, reject) => finish.set(lab.id, (ok) => (ok ? resolve(`kdlabs/lab-${lab.id}:1`) : reject(new Error('apt failed')))));
  };
  return { started, build, done: (id: string, ok = true) => finish.get(id)!(ok) };
}
const tick = () => new Promise((r) => setImmediate(r));
const vm = (id: string): ResolvedLab => ({ ...fakeLab(id), backend: 'vm' });

test('the first build runs alone; then labs build two at a time in the order given; VM labs are left for their first start', async () => {
  const b = heldBuilds();
  const board = new BuildBoard();
  const w = new ImageWarmer(b.build, board, 2);
  w.warm([fakeLab('a'), vm('v'), fakeLab('b'), fakeLab('c'), fakeLab('d')]);
  assert.deepEqual(b.started, ['a'], 'the shared images are built once, by the first lab');
  assert.deepEqual(board.list().map((s) => [s.labId, s.state]), [['a', 'building'], ['b', 'queued'], ['c', 'queued'], ['d', 'queued']]);
  b.done('a');
  await tick();
  assert.deepEqual(b.started, ['a', 'b', 'c']);
  assert.equal(board.get('a')!.state, 'ready');
  b.done('b', false);
  await tick();
  assert.equal(board.get('b')!.state, 'failed');
  assert.equal(board.get('b')!.error, 'apt failed');
  assert.deepEqual(b.started, ['a', 'b', 'c', 'd'], 'a failure does not stop the others');
});

test('a start moves its lab to the front and shares the build; a running build is joined, not repeated', async () => {
  const b = heldBuilds();
  const w = new ImageWarmer(b.build, new BuildBoard(), 1);
  w.warm([fakeLab('a'), fakeLab('b'), fakeLab('c')]);
  const c = w.ensure(fakeLab('c'));
  assert.deepEqual(b.started, ['a', 'c'], 'c starts at once, beside the running build');
  const again = w.ensure(fakeLab('c'));
  b.done('c');
  assert.equal(await c, 'kdlabs/lab-c:1');
  assert.equal(await again, 'kdlabs/lab-c:1');
  assert.deepEqual(b.started, ['a', 'c'], 'joined, not built twice');
  b.done('a');
  await tick();
  assert.deepEqual(b.started, ['a', 'c', 'b'], 'and taken off the queue: b is next, c is not built again');
});

test('after stop nothing new starts', async () => {
  const b = heldBuilds();
  const w = new ImageWarmer(b.build, new BuildBoard(), 2);
  w.warm([fakeLab('a'), fakeLab('b')]);
  w.stop();
  b.done('a');
  await tick();
  assert.deepEqual(b.started, ['a']);
});

test('a lab whose image is ready is looked up without a new build on the board', async () => {
  const b = heldBuilds();
  const board = new BuildBoard();
  const w = new ImageWarmer(b.build, board, 1);
  const first = w.ensure(fakeLab('a'));
  b.done('a');
  await first;
  const changes: string[] = [];
  board.onChange((s) => changes.push(s.state));
  const again = w.ensure(fakeLab('a'));
  b.done('a');
  assert.equal(await again, 'kdlabs/lab-a:1');
  assert.deepEqual(changes, [], 'no "building" flash for a ready image');
});

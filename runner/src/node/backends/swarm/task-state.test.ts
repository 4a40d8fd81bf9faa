import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newestTask, readTask, type NodeInfo, type TaskInfo } from './task-state.ts';

const node = (availability = 'active', state = 'ready'): NodeInfo => ({ ID: 'n1', Description: { Hostname: 'lab-box-2' }, Spec: { Availability: availability }, Status: { State: state } });
const task = (state: string, extra: Partial<TaskInfo> = {}): TaskInfo => ({
  ID: 't', NodeID: 'n1', DesiredState: 'running', CreatedAt: '2026-12-04T12:00:00Z',
  Status: { State: state, ContainerStatus: { ContainerID: 'c1' } }, ...extra,
});

test('a running task gives its container and node; one still being placed waits with Swarm\'s reason', () => {
  assert.deepEqual(readTask(task('running'), node()), { kind: 'running', containerId: 'c1', nodeId: 'n1' });
  assert.equal(readTask(null, null).kind, 'pending');
  const full = readTask(task('pending', { NodeID: undefined, Status: { State: 'pending', Err: 'no suitable node (insufficient resources on 2 nodes)' } }), null);
  assert.deepEqual(full, { kind: 'pending', why: 'no suitable node (insufficient resources on 2 nodes)' });
});

test('a task shut down on a drained node says the machine was drained, in both languages', () => {
  const r = readTask(task('shutdown', { DesiredState: 'shutdown', Status: { State: 'shutdown', Message: 'shutdown' } }), node('drain'));
  assert.ok(r.kind === 'ended' && /lab-box-2\) was drained/.test(r.why.en) && /drain/.test(r.why.ko) && /progress is kept/.test(r.why.en));
  const stillRunning = readTask(task('running'), node('drain'));
  assert.equal(stillRunning.kind, 'ended', 'running on a machine being drained: as good as gone');
  const down = readTask(task('running'), node('active', 'down'));
  assert.ok(down.kind === 'ended' && /unreachable \(down\)/.test(down.why.en));
  const left = readTask(task('shutdown', { DesiredState: 'shutdown' }), null);
  assert.ok(left.kind === 'ended' && /left the workshop pool/.test(left.why.en));
});

test('a task the node refused is a start failure with the engine\'s reason; the newest task counts', () => {
  const r = readTask(task('rejected', { Status: { State: 'rejected', Err: 'setting rlimit type 8: operation not permitted' } }), node());
  assert.ok(r.kind === 'refused' && /rlimit/.test(r.why) && /lab-box-2/.test(r.why));
  assert.equal(newestTask([task('shutdown', { ID: 'old', CreatedAt: '2026-12-04T11:00:00Z' }), task('running', { ID: 'new' })])!.ID, 'new');
});

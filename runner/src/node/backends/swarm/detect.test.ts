import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labelledPoolNodes } from './detect.ts';

test('a workshop pool is a swarm manager with nodes labelled kdlabs.engine; a bare swarm or a worker is not', () => {
  const labelled: Array<Record<string, string>> = [{ 'kdlabs.engine': 'unix:///var/run/docker.sock' }, { 'kdlabs.engine': 'tcp://10.0.0.12:2376' }, {}];
  assert.equal(labelledPoolNodes({ manager: true, nodeLabels: labelled }), 2);
  assert.equal(labelledPoolNodes({ manager: true, nodeLabels: [{}, { other: 'x' }] }), 0, 'a swarm made for something else');
  assert.equal(labelledPoolNodes({ manager: true, nodeLabels: [{ 'kdlabs.engine': '' }] }), 0);
  assert.equal(labelledPoolNodes({ manager: false, nodeLabels: labelled }), 0, 'a worker cannot place services');
});

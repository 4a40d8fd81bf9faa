import { test } from 'node:test';
import assert from 'node:assert/strict';
import { START_DOCKER_HINT } from '../util/docker-client.ts';
import { decideDocker } from './docker.ts';

test('an answering engine: ok with its version', () => {
  const o = decideDocker({ ok: true, version: '20.10.24+dfsg1' });
  assert.equal(o.status, 'ok');
  assert.equal(o.facts.version, '20.10.24+dfsg1');
});

test('no engine: the preflight\'s reason and its start command, kept apart', () => {
  const o = decideDocker({ ok: false, message: `Docker Engine is not running: /var/run/docker.sock does not exist. ${START_DOCKER_HINT}` });
  assert.equal(o.status, 'missing');
  assert.equal(o.why, 'Docker Engine is not running: /var/run/docker.sock does not exist.');
  assert.equal(o.fix, START_DOCKER_HINT);
});

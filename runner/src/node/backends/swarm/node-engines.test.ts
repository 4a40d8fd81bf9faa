import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NodeEngines, parseEndpoint } from './node-engines.ts';

test('engine endpoints: tcp with a port, or a unix socket; anything else is named with what is expected', () => {
  assert.deepEqual(parseEndpoint('tcp://10.0.0.12:2376'), { ok: true, endpoint: { kind: 'tcp', host: '10.0.0.12', port: 2376 } });
  assert.deepEqual(parseEndpoint('tcp://[fd00::2]:2376'), { ok: true, endpoint: { kind: 'tcp', host: 'fd00::2', port: 2376 } });
  assert.deepEqual(parseEndpoint('unix:///var/run/docker.sock'), { ok: true, endpoint: { kind: 'unix', path: '/var/run/docker.sock' } });
  for (const bad of [undefined, 'http://10.0.0.1:2375', 'tcp://10.0.0.1', 'tcp://10.0.0.1:99999', '10.0.0.1:2376']) {
    const r = parseEndpoint(bad);
    assert.ok(!r.ok && /expected/.test(r.message), `${bad}: ${JSON.stringify(r)}`);
  }
});

test('a TCP endpoint is never used without the runner\'s client certificate', () => {
  const plain = new NodeEngines(null);
  const r = plain.client('tcp://10.0.0.12:2376');
  assert.ok(!r.ok && /never used without TLS/.test(r.message));
  assert.ok(plain.client('unix:///var/run/docker.sock').ok);
  const tls = new NodeEngines({ ca: 'CA', cert: 'C', key: 'K' });
  const a = tls.client('tcp://10.0.0.12:2376');
  assert.ok(a.ok && (a.docker.modem as { protocol?: string }).protocol === 'https');
  assert.ok(a.ok && tls.client('tcp://10.0.0.12:2376').ok && (tls.client('tcp://10.0.0.12:2376') as { docker: unknown }).docker === a.docker, 'one client per endpoint');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChannelError, QmpClient } from './qmp.ts';

/** A closed client end reaches the server at once; this only bounds the failing case. */
const CLOSE_WAIT_MS = 5000;

test('a QEMU that accepts the QMP connection but never greets: connect fails and the socket is closed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kdlabs-qmp-'));
  const path = join(dir, 'qmp.sock');
  let closed!: () => void;
  const peerClosed = new Promise<void>((r) => { closed = r; });
  const peers: Socket[] = [];
  const server = createServer((s: Socket) => { peers.push(s); s.on('close', closed); s.on('error', () => {}); });
  await new Promise<void>((r) => server.listen(path, r));
  try {
    await assert.rejects(QmpClient.connect(path, 300), (e: unknown) => e instanceof ChannelError && e.reason === 'timeout' && /no greeting/.test(e.message));
    let timer: NodeJS.Timeout | undefined;
    const kept = new Promise<'kept'>((r) => { timer = setTimeout(() => r('kept'), CLOSE_WAIT_MS); });
    assert.notEqual(await Promise.race([peerClosed, kept]), 'kept', 'the client closed its end');
    clearTimeout(timer);
  } finally {
    for (const p of peers) p.destroy();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('greeting, capabilities, a command and an event, matched by id', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kdlabs-qmp-'));
  const path = join(dir, 'qmp.sock');
  const server = createServer((s: Socket) => {
    s.write('{"QMP": {"version": {}, "capabilities": []}}\n');
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString();
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const msg = JSON.parse(buf.slice(0, nl)) as { execute: string; id: string };
        buf = buf.slice(nl + 1);
        if (msg.execute === 'query-status') s.write(`{"event": "RESET", "data": {"guest": true}}\n{"return": {"status": "running"}, "id": "${msg.id}"}\n`);
        else s.write(`{"return": {}, "id": "${msg.id}"}\n`);
      }
    });
    s.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(path, r));
  try {
    const qmp = await QmpClient.connect(path, 5000);
    const event = qmp.nextEvent('RESET', 5000);
    assert.deepEqual(await qmp.execute('query-status'), { status: 'running' });
    assert.deepEqual((await event)?.data, { guest: true });
    qmp.close();
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

// Requests no browser or CLI sends — raw bytes over a socket to a real runner —
// are refused with a clear error, and the runner still answers afterwards. Any
// one of them used to end the whole process (and every learner's lab with it).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { startTestRunner, type TestRunner } from './helpers/runner-fixture.ts';
import { setUnexpectedErrorListener, type UnexpectedErrorListener } from '../runner/src/node/util/unexpected-error.ts';

let r: TestRunner;
let host: string;
const unexpected: string[] = [];
let previousSink: UnexpectedErrorListener;

before(async () => {
  r = await startTestRunner();
  host = new URL(r.url).host;
  // Installed after the runner took the sink: anything that reaches it is a bug this file should see.
  previousSink = setUnexpectedErrorListener((e, context) => { unexpected.push(`${context}: ${String(e)}`); });
});
after(async () => {
  setUnexpectedErrorListener(previousSink);
  await r.dispose();
});

interface RawReply { status: number; headers: string; body: string; raw: string }

/** Writes bytes to the runner's port and reads until the runner closes the connection. */
function raw(bytes: string): Promise<RawReply> {
  const port = Number(new URL(r.url).port);
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => { text += d; });
    socket.on('error', reject);
    socket.on('close', () => {
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
      const split = text.indexOf('\r\n\r\n');
      resolve({ status: m ? Number(m[1]) : 0, headers: split >= 0 ? text.slice(0, split) : text, body: split >= 0 ? text.slice(split + 4) : '', raw: text });
    });
    socket.end(bytes);
  });
}

function errorOf(reply: RawReply): { code: string; message: string } {
  const parsed = JSON.parse(reply.body) as { error: { code: string; message: string } };
  return parsed.error;
}

async function assertHealthy(): Promise<void> {
  const h = await r.call('GET', '/api/health');
  assert.equal(h.status, 200, 'the runner still answers /api/health');
  assert.equal(h.json.ok, true);
}

test('request targets that are not a single-slash path get 400 naming what was wrong and what was expected', async () => {
  for (const target of ['//[/', '//evil.example/api/health', '/\\[/', 'http://x/', `http://${host}/api/health`, '*', 'api/health']) {
    const reply = await raw(`GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
    assert.equal(reply.status, 400, `GET ${target}: ${reply.raw}`);
    assert.match(reply.headers, /content-type: application\/json/i);
    const err = errorOf(reply);
    assert.equal(err.code, 'bad-request');
    assert.match(err.message, /request target .* is not a path: expected one starting with a single "\/"/, target);
    await assertHealthy();
  }
});

test('a malformed request line and oversized headers get a JSON error, not a crash', async () => {
  const garbage = await raw('NOT HTTP AT ALL\r\n\r\n');
  assert.equal(garbage.status, 400, garbage.raw);
  assert.match(errorOf(garbage).message, /not valid HTTP\/1\.1/);
  await assertHealthy();

  const huge = await raw(`GET /api/health HTTP/1.1\r\nHost: ${host}\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`);
  assert.equal(huge.status, 431, huge.raw.slice(0, 200));
  assert.equal(errorOf(huge).code, 'headers-too-large');
  await assertHealthy();

  const tunnel = await raw(`CONNECT ${host} HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
  assert.equal(tunnel.status, 400, tunnel.raw);
  await assertHealthy();
});

test('WebSocket upgrades to bad targets are refused with 400 and the socket closed', async () => {
  const upgrade = (target: string): string => [
    `GET ${target} HTTP/1.1`, `Host: ${host}`, 'Upgrade: websocket', 'Connection: Upgrade',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version: 13', '', '',
  ].join('\r\n');
  for (const target of ['//[/', 'http://x/api/sessions/s-aaaaaaaaaaaaaaaaaaaa/terminal', '*', '/\\[/terminal']) {
    const reply = await raw(upgrade(target));
    assert.equal(reply.status, 400, `upgrade ${target}: ${reply.raw}`);
    assert.match(errorOf(reply).message, /is not a path/);
    await assertHealthy();
  }
  // A good target still reaches the terminal endpoint (which refuses an unknown path itself).
  const notTerminal = await raw(upgrade('/api/nothing-here'));
  assert.equal(notTerminal.status, 404);
  await assertHealthy();
});

test('odd but valid paths are answered, not thrown on', async () => {
  for (const path of ['/api/labs/%E0%A4%A', '/api/sessions/%', '/%2e%2e/%2e%2e/etc/passwd', `/${'a'.repeat(8000)}`]) {
    const reply = await raw(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
    assert.ok(reply.status >= 400 && reply.status < 500, `GET ${path.slice(0, 40)}: ${reply.status}`);
  }
  await assertHealthy();
  assert.deepEqual(unexpected, [], 'no request reached the unexpected-error sink');
});

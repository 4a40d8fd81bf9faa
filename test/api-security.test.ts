// The HTTP API refuses what it must: no token, a foreign Origin or Host, bad ids, bad bodies.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startTestRunner, type TestRunner } from './helpers/runner-fixture.ts';

let r: TestRunner;
before(async () => { r = await startTestRunner(); });
after(async () => { await r.dispose(); });

test('the runner binds 127.0.0.1 and reports its backend to token holders only', async () => {
  assert.match(r.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const h = await r.call('GET', '/api/health');
  assert.equal(h.status, 200);
  assert.equal(h.json.backends.container.ok, true, JSON.stringify(h.json));
  const anonymous = await r.call('GET', '/api/health', { headers: { authorization: '' } });
  assert.equal(anonymous.status, 200);
  assert.deepEqual(anonymous.json, { ok: true }, 'without a token: up, and nothing about the host');
});

test('labs are listed without answers, scripts or solutions', async () => {
  const l = await r.call('GET', '/api/labs');
  assert.equal(l.status, 200);
  const lab = l.json.labs.find((x: { id: string }) => x.id === 'syscall-storm');
  assert.ok(lab, 'syscall-storm is listed');
  const text = JSON.stringify(lab);
  assert.doesNotMatch(text, /"pattern"|"example"|write_mode = batched|bash -s/, 'no answer pattern, script or solution leaks');
  assert.ok(lab.tasks.some((t: { question: unknown }) => t.question));
});

test('starting a session needs the owner token', async () => {
  const res = await r.call('POST', '/api/sessions', { body: { labId: 'syscall-storm' }, headers: { authorization: '' } });
  assert.equal(res.status, 401);
  assert.equal(res.json.error.code, 'unauthorized');
  const forged = await r.call('POST', '/api/sessions', { body: { labId: 'syscall-storm' }, headers: { authorization: `Bearer ${'x'.repeat(43)}` } });
  assert.equal(forged.status, 401);
});

test('a foreign Origin is refused even with the right token', async () => {
  const res = await r.call('POST', '/api/sessions', { body: { labId: 'syscall-storm' }, headers: { origin: 'https://evil.example' } });
  assert.equal(res.status, 403);
  assert.match(res.json.error.message, /Origin "https:\/\/evil\.example" is not allowed/);
  const same = await r.call('GET', '/api/labs', { headers: { origin: r.url } });
  assert.equal(same.status, 200);
});

test('a foreign Host (DNS rebinding) is refused', async () => {
  // fetch() may not set Host, so speak HTTP directly.
  const status = await new Promise<number>((resolve, reject) => {
    const req = request(`${r.url}/api/bootstrap`, { headers: { host: 'attacker.example' } }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
    req.on('error', reject);
    req.end();
  });
  assert.equal(status, 403);
  const page = await fetch(`${r.url}/api/bootstrap`, { method: 'POST', headers: { origin: r.url, 'sec-fetch-site': 'same-origin' } });
  assert.equal(page.status, 200);
  assert.equal(((await page.json()) as { ownerToken: string }).ownerToken, r.ownerToken, 'the runner\'s own page gets its token');
});

test('bad bodies name what was wrong and what was expected', async () => {
  const plain = await r.call('POST', '/api/sessions', { raw: '{"labId":"syscall-storm"}', headers: { 'content-type': 'text/plain' } });
  assert.equal(plain.status, 415);
  assert.equal(plain.json.error.code, 'unsupported-media-type', 'the code agrees with the status');
  assert.match(plain.json.error.message, /expected Content-Type: application\/json/);
  const broken = await r.call('POST', '/api/sessions', { raw: '{"labId":', headers: { 'content-type': 'application/json' } });
  assert.equal(broken.status, 400);
  assert.match(broken.json.error.message, /not valid JSON/);
  const extra = await r.call('POST', '/api/sessions', { body: { labId: 'syscall-storm', sudo: true } });
  assert.equal(extra.status, 400);
  assert.match(extra.json.error.message, /sudo/);
  const huge = await r.call('POST', '/api/sessions', { body: { labId: 'x'.repeat(20000) } });
  assert.equal(huge.status, 413);
  assert.equal(huge.json.error.code, 'payload-too-large');
});

test('ids are validated before use', async () => {
  const badLab = await r.call('POST', '/api/sessions', { body: { labId: '../../etc/passwd' } });
  assert.equal(badLab.status, 400);
  assert.match(badLab.json.error.message, /labId .* is not valid/);
  const unknown = await r.call('POST', '/api/sessions', { body: { labId: 'no-such-lab' } });
  assert.equal(unknown.status, 404);
  assert.match(unknown.json.error.message, /known labs: .*syscall-storm/);
  const badSession = await r.call('GET', '/api/sessions/NOT_AN_ID');
  assert.equal(badSession.status, 400);
  const noSession = await r.call('GET', '/api/sessions/s-aaaaaaaaaaaaaaaaaaaa');
  assert.equal(noSession.status, 404);
  const wrongMethod = await r.call('PUT', '/api/labs');
  assert.equal(wrongMethod.status, 405);
  assert.equal(wrongMethod.json.error.code, 'method-not-allowed');
});

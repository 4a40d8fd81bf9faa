// test-budget: 3m
// Joining and tokens against a real runner (no lab is started): failed joins
// are limited per client address, the owner token goes only to the runner's
// own pages, the data folder is private, /api/health tells strangers nothing,
// and every answer carries the security headers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { spawn } from 'node:child_process';
import { REPO_ROOT } from '../runner/src/node/util/paths.ts';
import { startTestRunner, type TestRunner } from './helpers/runner-fixture.ts';
import { MAX_FAILED_JOINS } from '../runner/src/node/workshops/join-limiter.ts';

const DARK_MODE = '(()=>{document.documentElement.classList.add("dark")})();';
const sha = (s: string): string => `sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}`;

let r: TestRunner;
let site: string;
let looseDataDir: string;

before(async () => {
  site = mkdtempSync(join(tmpdir(), 'kdlabs-site-'));
  writeFileSync(join(site, 'index.html'), `<!DOCTYPE html><html><head><script id="check-dark-mode">${DARK_MODE}</script></head><body>front</body></html>`);
  writeFileSync(join(site, '404.html'), '<html><head><script>window.lost=1</script></head><body>lost</body></html>');
  // A data folder an older runner (or a loose umask) left readable, with a readable token in it.
  looseDataDir = mkdtempSync(join(tmpdir(), 'kdlabs-loose-'));
  chmodSync(looseDataDir, 0o755);
  writeFileSync(join(looseDataDir, 'owner-token'), `${'t'.repeat(43)}\n`, { mode: 0o644 });
  chmodSync(join(looseDataDir, 'owner-token'), 0o644);
  r = await startTestRunner({ siteDir: site, dataDir: looseDataDir, allowHostRootLabs: true });
});
after(async () => {
  await r?.dispose();
  rmSync(site, { recursive: true, force: true });
  rmSync(looseDataDir, { recursive: true, force: true });
});

/** One request from a chosen loopback address (127.0.0.x are all this machine), with any Host. */
function send(method: string, path: string, opts: { from?: string; headers?: Record<string, string>; body?: unknown } = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; json: any; text: string }> {
  const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  return new Promise((resolve, reject) => {
    const req = request(`${r.url}${path}`, {
      method, localAddress: opts.from ?? '127.0.0.1',
      headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...opts.headers },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { text += d; });
      res.on('end', () => {
        let json: unknown = null;
        try { json = JSON.parse(text); } catch { /* a page */ }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, json, text });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const modeOf = (p: string): number => statSync(p).mode & 0o777;

test('the data folder, database, token and secret are the owner\'s alone; a looser folder was tightened', () => {
  assert.equal(modeOf(looseDataDir), 0o700);
  assert.equal(modeOf(join(looseDataDir, 'owner-token')), 0o600, 'the old token file was tightened');
  assert.equal(r.ownerToken, 't'.repeat(43), 'and kept');
  for (const f of ['progress.db', 'progress.db-wal', 'progress.db-shm', 'runner-secret']) assert.equal(modeOf(join(looseDataDir, f)), 0o600, f);
});

test('the owner token goes to the runner\'s own page only, never to curl', async () => {
  const curl = await send('GET', '/api/bootstrap');
  assert.equal(curl.status, 200);
  assert.equal(curl.json.ownerToken, undefined);
  assert.match(curl.json.withheld, /no Origin header.*\.data\/owner-token/);
  const curlPost = await send('POST', '/api/bootstrap');
  assert.equal(curlPost.json.ownerToken, undefined);
  const noFetchSite = await send('POST', '/api/bootstrap', { headers: { origin: r.url } });
  assert.equal(noFetchSite.json.ownerToken, undefined, 'an Origin alone is not enough');
  const crossSite = await send('POST', '/api/bootstrap', { headers: { origin: r.url, 'sec-fetch-site': 'cross-site' } });
  assert.equal(crossSite.status, 403);
  const page = await send('POST', '/api/bootstrap', { headers: { origin: r.url, 'sec-fetch-site': 'same-origin' } });
  assert.equal(page.json.ownerToken, r.ownerToken);
  const viaLocalhost = await send('POST', '/api/bootstrap', { headers: { host: `localhost:${r.port}`, origin: `http://localhost:${r.port}`, 'sec-fetch-site': 'same-origin' } });
  assert.equal(viaLocalhost.json.ownerToken, r.ownerToken, 'the page opened as localhost too');
  const spoofedHost = await send('POST', '/api/bootstrap', { headers: { host: 'attacker.example', origin: r.url, 'sec-fetch-site': 'same-origin' } });
  assert.equal(spoofedHost.status, 403, 'a rebinding Host is refused before anything else');
});

test('the CLI needs no bootstrap: it reads the token from the data folder', async () => {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'runner', 'bin', 'labs.mjs'), 'sessions', '--json', '--url', r.url], {
    env: { ...process.env, KDLABS_DATA_DIR: looseDataDir }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '', err = '';
  child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
  child.stderr.on('data', (c: Buffer) => { err += c.toString(); });
  const status = await new Promise<number | null>((resolve) => child.once('close', resolve));
  assert.equal(status, 0, err);
  assert.deepEqual(JSON.parse(out), { sessions: [] }, 'the owner\'s list (a call that needs the owner token)');
});

test('/api/health: a stranger learns only that the runner is up; a token holder gets the details', async () => {
  const stranger = await send('GET', '/api/health');
  assert.equal(stranger.status, 200);
  assert.deepEqual(stranger.json, { ok: true });
  const owner = await send('GET', '/api/health', { headers: { authorization: `Bearer ${r.ownerToken}` } });
  assert.equal(typeof owner.json.backends.container.ok, 'boolean');
  assert.equal(typeof owner.json.labs, 'number');
});

test('security headers on API answers, site pages, the 404 page and raw refusals', async () => {
  const expectFixed = (h: Record<string, unknown>, what: string): string => {
    assert.equal(h['x-frame-options'], 'DENY', what);
    assert.equal(h['referrer-policy'], 'no-referrer', what);
    assert.equal(h['x-content-type-options'], 'nosniff', what);
    const csp = String(h['content-security-policy']);
    for (const d of ["default-src 'self'", "object-src 'none'", "base-uri 'self'", "frame-ancestors 'none'"]) assert.ok(csp.includes(d), `${what}: ${d} in ${csp}`);
    return csp;
  };
  const host = `127.0.0.1:${r.port}`;
  const api = expectFixed((await send('GET', '/api/labs')).headers, 'API');
  assert.match(api, /script-src 'self';/);
  assert.match(api, new RegExp(`connect-src 'self' ws://${host} wss://${host}`));
  const front = await send('GET', '/');
  assert.equal(front.status, 200);
  assert.match(expectFixed(front.headers, 'front page'), new RegExp(`script-src 'self' '${sha(DARK_MODE).replace(/[+/]/g, '\\$&')}';`), 'its dark-mode script by hash');
  const lost = await send('GET', '/no/such/page');
  assert.equal(lost.status, 404);
  assert.ok(expectFixed(lost.headers, '404 page').includes(`'${sha('window.lost=1')}'`));
  const refused = await send('GET', '/api/labs', { headers: { origin: 'https://evil.example' } });
  assert.equal(refused.status, 403);
  expectFixed(refused.headers, 'a refusal');
  const raw = await new Promise<string>((resolve, reject) => {
    // CONNECT is refused on the socket itself, without a ServerResponse.
    const s = connect(r.port, '127.0.0.1', () => s.end(`CONNECT example.org:443 HTTP/1.1\r\nHost: example.org:443\r\n\r\n`));
    let text = '';
    s.on('data', (d) => { text += d.toString('latin1'); });
    s.on('end', () => resolve(text));
    s.on('error', reject);
  });
  assert.match(raw, /^HTTP\/1\.1 400/);
  assert.match(raw, /\r\nx-frame-options: DENY\r\n/);
  assert.match(raw, /\r\ncontent-security-policy: default-src 'self';/);
});

test('30 wrong join codes from one address do not stop another address, or a right code elsewhere', async () => {
  const inAnHour = new Date(Date.now() + 3600_000).toISOString();
  const owner = { authorization: `Bearer ${r.ownerToken}` };
  const a = (await send('POST', '/api/workshops', { headers: owner, body: { labs: ['syscall-storm'], seats: 5, endsAt: inAnHour } })).json;
  const b = (await send('POST', '/api/workshops', { headers: owner, body: { labs: ['syscall-storm'], seats: 5, endsAt: inAnHour } })).json;
  try {
    for (let i = 0; i < MAX_FAILED_JOINS; i++) {
      const wrong = await send('POST', '/api/workshops/join', { from: '127.0.0.2', body: { code: 'ZZZZ-ZZZZ', name: 'Guess' } });
      assert.equal(wrong.status, 404, `guess ${i}`);
    }
    const stopped = await send('POST', '/api/workshops/join', { from: '127.0.0.2', body: { code: a.joinCode, name: 'Guess' } });
    assert.equal(stopped.status, 429, JSON.stringify(stopped.json));
    assert.equal(stopped.headers['retry-after'], '60');
    const other = await send('POST', '/api/workshops/join', { from: '127.0.0.3', body: { code: a.joinCode, name: 'Ann' } });
    assert.equal(other.status, 201, JSON.stringify(other.json));
    const elsewhere = await send('POST', '/api/workshops/join', { from: '127.0.0.4', body: { code: b.joinCode, name: 'Bo' } });
    assert.equal(elsewhere.status, 201, JSON.stringify(elsewhere.json));
    const alike = await send('POST', '/api/workshops/join', { from: '127.0.0.3', body: { code: a.joinCode, name: 'ＡＮＮ' } });
    assert.equal(alike.status, 409, 'a full-width, upper-case "Ann" is the same name');
    const hidden = await send('POST', '/api/workshops/join', { from: '127.0.0.3', body: { code: a.joinCode, name: 'Ann\u202Eeel' } });
    assert.equal(hidden.status, 400);
    assert.match(hidden.json.error.message, /text-direction control character \(U\+202E at character 4\)/);
  } finally {
    for (const w of [a, b]) await send('POST', `/api/workshops/${w.id}/close`, { headers: owner });
  }
});

test('a workshop ending in the year 275760 is refused with what is wrong', async () => {
  const res = await send('POST', '/api/workshops', {
    headers: { authorization: `Bearer ${r.ownerToken}` },
    body: { labs: ['syscall-storm'], seats: 5, endsAt: '+275760-09-13T00:00:00.000Z' },
  });
  assert.equal(res.status, 400);
  assert.match(res.json.error.message, /\+275760-09-13T00:00:00\.000Z.*a workshop may last at most 14 days/);
});

test('a data folder created by the runner is 0700', async () => {
  const parent = mkdtempSync(join(tmpdir(), 'kdlabs-fresh-'));
  const dataDir = join(parent, 'nested', 'data');
  mkdirSync(join(parent, 'nested'));
  const fresh = await startTestRunner({ siteDir: site, dataDir, allowHostRootLabs: true });
  try {
    assert.equal(modeOf(dataDir), 0o700);
    assert.equal(modeOf(join(dataDir, 'owner-token')), 0o600);
    assert.equal(modeOf(join(dataDir, 'progress.db')), 0o600);
  } finally {
    await fresh.dispose();
    rmSync(parent, { recursive: true, force: true });
  }
});

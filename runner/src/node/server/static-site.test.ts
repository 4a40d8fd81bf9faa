import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStaticSite } from './static-site.ts';

let dir: string;
let site: string;
let server: Server;
let base: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kdlabs-static-'));
  site = join(dir, 'dist');
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x.invalid');
    if (!createStaticSite(site)(req, res, url)) { res.writeHead(405); res.end('not a site request'); }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  await new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); });
  rmSync(dir, { recursive: true, force: true });
});

/** A raw GET, so the path reaches the server exactly as written (fetch would normalise "..") */
function rawGet(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

test('without a built site only / answers, and says how to build it', async () => {
  const front = await fetch(`${base}/`);
  assert.equal(front.status, 200);
  assert.match(await front.text(), /not built yet: run `npm run docs:build`/);
  const other = await fetch(`${base}/labs/syscall-storm`);
  assert.equal(other.status, 404);
  assert.match(await other.text(), /nothing at \/labs\/syscall-storm/);
});

test('a built site: clean URLs, folder indexes, asset caching, its 404 page', async () => {
  mkdirSync(join(site, 'labs'), { recursive: true });
  mkdirSync(join(site, 'assets'), { recursive: true });
  writeFileSync(join(site, 'index.html'), '<h1>home</h1>');
  writeFileSync(join(site, 'labs', 'index.html'), '<h1>all labs</h1>');
  writeFileSync(join(site, 'labs', 'syscall-storm.html'), '<h1>storm</h1>');
  writeFileSync(join(site, 'assets', 'app.abc123.js'), 'console.log(1)');
  writeFileSync(join(site, '404.html'), '<h1>lost</h1>');
  writeFileSync(join(site, '.env'), 'SECRET=1');
  writeFileSync(join(dir, 'outside.txt'), 'outside the site');

  const home = await fetch(`${base}/`);
  assert.equal(home.status, 200);
  assert.equal(await home.text(), '<h1>home</h1>');
  assert.match(home.headers.get('content-type') ?? '', /^text\/html/);
  assert.equal(home.headers.get('cache-control'), 'no-cache');
  assert.equal(home.headers.get('x-content-type-options'), 'nosniff');

  assert.equal(await (await fetch(`${base}/labs/syscall-storm`)).text(), '<h1>storm</h1>', 'clean URL without .html');
  assert.equal(await (await fetch(`${base}/labs/syscall-storm.html`)).text(), '<h1>storm</h1>');
  assert.equal(await (await fetch(`${base}/labs/`)).text(), '<h1>all labs</h1>');
  assert.equal(await (await fetch(`${base}/labs`)).text(), '<h1>all labs</h1>');

  const asset = await fetch(`${base}/assets/app.abc123.js`);
  assert.equal(asset.status, 200);
  assert.match(asset.headers.get('content-type') ?? '', /javascript/);
  assert.match(asset.headers.get('cache-control') ?? '', /immutable/);
  const etag = asset.headers.get('etag');
  assert.ok(etag);
  await asset.text();
  const again = await fetch(`${base}/assets/app.abc123.js`, { headers: { 'if-none-match': etag } });
  assert.equal(again.status, 304);

  // Ranges are not served (sirv's parser throws on a start past the end): the whole file, always.
  const ranged = await fetch(`${base}/assets/app.abc123.js`, { headers: { range: 'bytes=9-2' } });
  assert.equal(ranged.status, 200);
  assert.equal(await ranged.text(), 'console.log(1)');

  const missing = await fetch(`${base}/no/such/page`);
  assert.equal(missing.status, 404);
  assert.equal(await missing.text(), '<h1>lost</h1>');

  for (const path of ['/.env', '/%2e%2e/outside.txt', '/../outside.txt', '/labs/%2e%2e/%2e%2e/outside.txt']) {
    const r = await rawGet(path);
    assert.equal(r.status, 404, path);
    assert.doesNotMatch(r.body, /SECRET|outside the site/, path);
  }

  const post = await fetch(`${base}/`, { method: 'POST' });
  assert.equal(post.status, 405, 'only GET and HEAD are site requests');
});

test('a file that fails while it is read closes that response; the server keeps serving', async () => {
  mkdirSync(site, { recursive: true });
  writeFileSync(join(site, 'index.html'), '<h1>home</h1>');
  // Exists and stats fine, but reading it fails (EIO at offset 0): the race of a
  // file removed by a rebuild between lookup and read, made deterministic.
  symlinkSync('/proc/self/mem', join(site, 'broken.html'));
  await assert.rejects(rawGet('/broken'));
  const home = await fetch(`${base}/`);
  assert.equal(home.status, 200);
  assert.equal(await home.text(), '<h1>home</h1>');
});

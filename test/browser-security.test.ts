// test-budget: 3m
// What the runner's security rests on in a real browser (Debian's Chromium),
// on a small hand-written site (no lab, no site build): a same-origin POST
// carries Origin and Sec-Fetch-Site, so the page gets the owner token while a
// GET (no Origin) does not; the page's own inline script runs by its hash and
// any other inline script is blocked; no other site can frame the page.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startTestRunner, type TestRunner } from './helpers/runner-fixture.ts';
import { launchChromium } from './helpers/browser.ts';

let site: string;
let r: TestRunner;
let browser: Browser;
let page: Page;
/** A page of another origin that tries to frame the runner. */
let framer: Server;
let framerUrl = '';

before(async () => {
  site = mkdtempSync(join(tmpdir(), 'kdlabs-site-'));
  writeFileSync(join(site, 'index.html'), [
    '<!DOCTYPE html><html><head>',
    // The same script on every page, like VitePress's dark-mode check: allowed by its hash.
    '<script id="own">document.documentElement.dataset.own = "ran"</script>',
    '</head><body>front',
    '<div id="injected"></div>',
    '</body></html>',
  ].join('\n'));
  r = await startTestRunner({ siteDir: site });
  framer = createServer((_q, res) => { res.writeHead(200, { 'content-type': 'text/html' }); res.end(`<iframe id="f" src="${r.url}/"></iframe>`); });
  await new Promise<void>((resolve) => framer.listen(0, '127.0.0.1', resolve));
  framerUrl = `http://localhost:${(framer.address() as { port: number }).port}/`;
  browser = await launchChromium();
  page = await browser.newPage();
  await page.goto(`${r.url}/`);
});

after(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => framer?.close(() => resolve()));
  await r?.dispose();
  rmSync(site, { recursive: true, force: true });
});

test('the page gets the owner token by POST; a GET, which carries no Origin, does not', async () => {
  const boot = await page.evaluate(async () => ({
    post: await (await fetch('/api/bootstrap', { method: 'POST' })).json() as { ownerToken?: string },
    get: await (await fetch('/api/bootstrap')).json() as { ownerToken?: string; withheld?: string },
  }));
  assert.equal(boot.post.ownerToken, r.ownerToken);
  assert.equal(boot.get.ownerToken, undefined);
  assert.match(boot.get.withheld ?? '', /no Origin header/);
});

test('the page\'s own inline script runs; one added later does not', async () => {
  assert.equal(await page.evaluate(() => document.documentElement.dataset.own), 'ran');
  const injected = await page.evaluate(async () => {
    const violations: string[] = [];
    document.addEventListener('securitypolicyviolation', (e) => violations.push(e.violatedDirective));
    const s = document.createElement('script');
    s.textContent = 'document.documentElement.dataset.injected = "ran"';
    document.getElementById('injected')!.append(s);
    await new Promise((resolve) => setTimeout(resolve, 200));
    return { ran: document.documentElement.dataset.injected ?? null, violations };
  });
  assert.equal(injected.ran, null, 'blocked');
  assert.ok(injected.violations.some((v) => v.startsWith('script-src')), JSON.stringify(injected.violations));
});

test('another origin cannot frame the runner\'s page', async () => {
  const other = await browser.newPage();
  try {
    await other.goto(framerUrl);
    await other.waitForTimeout(500);
    const frame = other.frames().find((f) => f !== other.mainFrame());
    const framed = frame ? await frame.evaluate(() => document.body?.textContent ?? '').catch(() => '') : '';
    assert.doesNotMatch(framed, /front/, 'the frame shows nothing of the runner');
  } finally {
    await other.close();
  }
});

// test-budget: 8m
// The runner answers before any image is built, and builds them in the
// background: a copy of syscall-storm whose lab layer has never been built
// (a slow last step added to its Dockerfile changes its recipe hash) is queued and
// built with its steps on GET /api/images; the lab's Start button (Debian's
// Chromium) says "building image: step k of n" and the host page lists the build;
// a learner pressing Start meanwhile joins that build, hears its steps in the
// start's progress, and gets a lab. The image it made is removed afterwards.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { buildSite } from './helpers/site.ts';
import { launchChromium, screenshot } from './helpers/browser.ts';
import { startTestRunner, type TestRunner } from './helpers/runner-fixture.ts';
import { LABS_DIR } from '../runner/src/node/util/paths.ts';
import type { ImageStatusResponse } from '../runner/src/common/image-status.ts';
import type { SessionView, StartSessionResponse } from '../runner/src/common/protocol.ts';
import { createDocker } from '../runner/src/node/util/docker-client.ts';

const LAB = 'syscall-storm';
let labsDir = '';
let siteDir = '';
let r: TestRunner;
let browser: Browser;
let page: Page;

before(async () => {
  siteDir = mkdtempSync(join(tmpdir(), 'kdlabs-site-'));
  const site = buildSite(siteDir);
  if (!site.ok) throw new Error(`site build failed:\n${site.output}`);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  labsDir = mkdtempSync(join(tmpdir(), 'kdlabs-warm-labs-'));
  cpSync(join(LABS_DIR, LAB), join(labsDir, LAB), { recursive: true });
  // A last step that takes 40 s: a recipe hash no image has yet, and a build slow enough to be seen on the
  // pages and joined (the layers before it come from Docker's cache).
  appendFileSync(join(labsDir, LAB, 'image', 'Dockerfile'), `\n# image-warming test ${process.pid} ${Date.now()}\nRUN sleep 40\n`);
  r = await startTestRunner({ labsDir, siteDir, warmImages: true });
});

after(async () => {
  const ref = await r.images.labImageIfPresent(r.manager.labs.get(LAB)!).catch(() => null);
  await browser?.close();
  await r.dispose();
  if (siteDir) rmSync(siteDir, { recursive: true, force: true });
  if (ref) await createDocker().getImage(ref).remove().catch(() => {});
  rmSync(labsDir, { recursive: true, force: true });
});

const images = async () => ((await r.call('GET', '/api/images', { headers: { authorization: '' } })).json as ImageStatusResponse).images;

test('the runner answers at once; the lab\'s image builds in the background with its steps, and a start joins it', { timeout: 300_000 }, async () => {
  const first = (await images()).find((i) => i.labId === LAB)!;
  assert.ok(first.state === 'queued' || first.state === 'building', `state ${first.state}`);
  let building = first;
  for (const until = Date.now() + 60_000; !building.step && Date.now() < until;) {
    await new Promise((res) => setTimeout(res, 200));
    building = (await images()).find((i) => i.labId === LAB)!;
  }
  assert.equal(building.state, 'building');
  assert.ok(building.step && building.step.n > 1, `a Docker step count: ${JSON.stringify(building)}`);

  // What a newcomer sees meanwhile: the Start button and the host page say how far the build is.
  await page.goto(`${r.url}/labs/${LAB}`);
  const label = page.locator('[data-testid="start"] [data-testid="image-status"]');
  await label.waitFor({ timeout: 20_000 });
  assert.match(await label.innerText(), /^building image( \d+ of \d+)?: step \d+ of \d+$/);
  await screenshot(page, 'image-building-start');
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, 'image-building-start-phone');
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(`${r.url}/host`);
  const row = page.locator(`[data-testid="image-row-${LAB}"]`);
  await row.waitFor({ timeout: 20_000 });
  assert.equal(await row.getAttribute('data-state'), 'building');
  assert.match(await row.innerText(), /building image.*step \d+ of \d+/);
  await row.scrollIntoViewIfNeeded();
  await screenshot(page, 'image-building-host');

  const started = await r.call('POST', '/api/sessions', { body: { labId: LAB } });
  assert.equal(started.status, 202);
  const { session } = started.json as StartSessionResponse;
  let view = session;
  const seen = new Set<string>();
  for (const until = Date.now() + 240_000; view.phase === 'starting' && Date.now() < until;) {
    await new Promise((res) => setTimeout(res, 250));
    view = (await r.call('GET', `/api/sessions/${session.id}`)).json as SessionView;
    for (const p of view.progress) seen.add(p.message);
  }
  assert.equal(view.phase, 'running', view.error ?? '');
  assert.ok([...seen].some((m) => /^building image: step \d+ of \d+$/.test(m)), `the start heard the build's steps: ${[...seen].join(' | ')}`);
  const done = (await images()).find((i) => i.labId === LAB)!;
  assert.equal(done.state, 'ready');
  assert.ok(done.startedAt && done.finishedAt && Date.parse(done.finishedAt) >= Date.parse(done.startedAt));
  // The host page, still open, looked again while the build ran and now shows it done.
  await page.waitForSelector(`[data-testid="image-row-${LAB}"][data-state="ready"]`, { timeout: 10_000 });
  assert.match(await row.innerText(), /built in \d+ s/);
  assert.equal((await r.call('DELETE', `/api/sessions/${session.id}`)).status, 200);
  // The same page's pool: a runner without --swarm runs every container lab here, and says where to read more.
  assert.deepEqual((await r.call('GET', '/api/pool')).json, { mode: 'single' });
  const pool = page.locator('[data-testid="pool"][data-mode="single"]');
  await pool.waitFor({ timeout: 10_000 });
  assert.match(await pool.innerText(), /One machine: container labs run on this runner's own Docker Engine\..*Scaling out/s);
});

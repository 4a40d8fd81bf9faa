// test-budget: 15m
// The Pictures pane in a real browser (Debian's Chromium) against a real runner
// and lab: in cpu-hotspot the learner types the step's `perf record` into the
// page's terminal, presses "Draw perf.data", and gets a flame graph of the
// service's own functions (the hot build_*_table among the widest); hover gives
// a share, search marks frames and says their share, a click zooms (the frame
// spans the width), Reset zoom goes back, and the SVG download is a standalone
// file with the frame names. `ktrace syscalls --json` typed in the terminal
// brings a chart into the open pane by itself (the OSC the tool writes), with
// bars named by syscalls; "Profile" makes a second flame graph. Screenshots:
// test-artifacts/browser/pictures-*.png (1280×800 light and dark, 390×844).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { buildSite } from './helpers/site.ts';
import { startTestRunner, type TestRunner } from './helpers/runner-fixture.ts';
import { launchChromium, screenshot, waitForTerminal } from './helpers/browser.ts';
import { injectAxe } from './helpers/axe.ts';

const LAB = 'cpu-hotspot';
const PERF_RECORD = 'perf record -F 99 -g -p "$(cat /run/ingestd.pid)" -o /root/perf.data -- sleep 5';

let siteDir: string;
let downloadDir: string;
let runner: TestRunner;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

before(async () => {
  siteDir = mkdtempSync(join(tmpdir(), 'kdlabs-site-'));
  downloadDir = mkdtempSync(join(tmpdir(), 'kdlabs-dl-'));
  const site = buildSite(siteDir);
  if (!site.ok) throw new Error(`site build failed:\n${site.output}`);
  runner = await startTestRunner({ siteDir });
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
});

after(async () => {
  await browser?.close();
  await runner?.dispose();
  if (siteDir) rmSync(siteDir, { recursive: true, force: true });
  if (downloadDir) rmSync(downloadDir, { recursive: true, force: true });
});

/** Types a command into the lab terminal as a learner does, and waits for the prompt to come back. */
async function typeCommand(p: Page, command: string, timeoutMs = 60_000): Promise<string> {
  const marker = `done${Math.random().toString(36).slice(2, 7)}`;
  await p.click('[data-testid="terminal"]');
  await p.keyboard.type(`${command}; echo ${marker}=$?`);
  await p.keyboard.press('Enter');
  return waitForTerminal(p, new RegExp(`^${marker}=\\d+`, 'm'), timeoutMs);
}


/** axe-core's serious and critical WCAG 2.1 A/AA findings inside the Pictures pane. */
async function paneViolations(p: Page): Promise<string[]> {
  await injectAxe(p);
  return p.evaluate(async () => {
    type Result = { violations: Array<{ id: string; impact: string | null; nodes: Array<{ target: string[] }> }> };
    const axe = (window as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<Result> } }).axe;
    const r = await axe.run({ include: [['#lab-pictures']] }, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
  });
}

interface Frame { name: string; width: number }
const frames = (p: Page): Promise<Frame[]> => p.$$eval('[data-testid="flame-frame"]', (els) =>
  els.map((e) => ({ name: e.getAttribute('data-name') ?? '', width: Number(e.getAttribute('data-width')) })));

test('a flame graph of the learner\'s own perf record: hover, search, zoom, reset, SVG download', { timeout: 420_000 }, async (t) => {
  await page.goto(`${runner.url}/labs/${LAB}`);
  await page.waitForSelector('[data-testid="start"]:not([disabled])');
  await page.click('[data-testid="start"]');
  await page.waitForSelector('[data-testid="terminal"] .xterm-rows', { timeout: 180_000 });
  await waitForTerminal(page, /lab:~# $/m, 60_000);

  const out = await typeCommand(page, PERF_RECORD);
  t.diagnostic(out.split('\n').filter((l) => /perf record|samples|woken/.test(l)).join(' | '));

  await page.click('[data-testid="pictures-toggle"]');
  await page.waitForSelector('[data-testid="pictures"]');
  assert.equal(await page.getAttribute('[data-testid="pictures-toggle"]', 'aria-pressed'), 'true');
  await page.click('[data-testid="pic-perf-data"]');
  await page.waitForSelector('[data-testid="pic-view"][data-kind="flame"] [data-testid="flame-frame"]', { timeout: 120_000 });
  const all = await frames(page);
  const widest = [...all].filter((f) => f.name !== 'all').sort((a, b) => b.width - a.width);
  t.diagnostic(`${all.length} frames; widest: ${widest.slice(0, 8).map((f) => `${f.name} ${f.width}`).join(', ')}`);
  const build = widest.find((f) => /^build_/.test(f.name));
  assert.ok(build, 'a build_* frame is drawn');
  // Among the widest: wider than all but a few frames (its callers: comm, main, *_record…).
  assert.ok(widest.indexOf(build) < 8, `build_* is among the widest frames (place ${widest.indexOf(build) + 1})`);
  await screenshot(page, 'pictures-01-flame-1280');
  assert.deepEqual(await paneViolations(page), [], 'no serious accessibility violation in the pane (flame graph)');

  // Hover: the frame's name, samples and share.
  const buildSel = `[data-testid="flame-frame"][data-name="${build.name}"]`;
  await page.hover(buildSel);
  const details = await page.textContent('[data-testid="flame-details"]');
  assert.match(details ?? '', new RegExp(`^${build.name} — [\\d,]+ samples?, [\\d.<]+% of all$`), `hover details: ${details}`);

  // Search: the matching frames are marked and their share shown.
  await page.fill('[data-testid="flame-search"]', 'build_');
  await page.waitForSelector('[data-testid="flame-frame"].match');
  const matched = await page.textContent('[data-testid="flame-matched"]');
  assert.match(matched ?? '', /matched \d+(\.\d+)?% of samples/);
  t.diagnostic(`search build_: ${matched}`);
  await screenshot(page, 'pictures-02-flame-search');

  // Zoom by click: the frame spans the full width; Reset zoom by keyboard brings the root back.
  const fullWidth = all.find((f) => f.name === 'all')!.width;
  await page.click(buildSel);
  await page.waitForFunction((sel) => Number(document.querySelector(sel)?.getAttribute('data-width')) > 0
    && document.querySelector(sel)?.classList.contains('zoomed'), buildSel);
  const zoomed = (await frames(page)).find((f) => f.name === build.name)!;
  assert.ok(await page.$eval(buildSel, (e) => e.classList.contains('match')), 'the search mark stays on a zoomed frame');
  assert.ok(Math.abs(zoomed.width - fullWidth) < 1, `zoomed frame ${zoomed.width}px vs full width ${fullWidth}px`);
  await screenshot(page, 'pictures-03-flame-zoomed');
  await page.focus('[data-testid="flame-reset"]');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('[data-testid="flame-reset"]')?.hasAttribute('disabled'));
  const back = (await frames(page)).find((f) => f.name === build.name)!;
  assert.ok(Math.abs(back.width - build.width) < 1, 'reset gives the first layout back');

  // Keyboard: the frames are one Tab stop; Enter zooms, Escape resets.
  await page.focus('[data-testid="flame-frame"][tabindex="0"]');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => !document.querySelector('[data-testid="flame-reset"]')?.hasAttribute('disabled'));
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => document.querySelector('[data-testid="flame-reset"]')?.hasAttribute('disabled'));

  // The SVG download: made in the page, a standalone file with the frame names.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="pic-view"] [data-testid="svg-download"]')]);
  const file = join(downloadDir, download.suggestedFilename());
  await download.saveAs(file);
  const svg = readFileSync(file, 'utf8');
  assert.match(download.suggestedFilename(), /\.svg$/);
  assert.match(svg, /^<\?xml[^>]*>\s*<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.ok(svg.includes(build.name), 'the file names the hot frame');
  assert.ok(!/class="/.test(svg), 'styles are inlined, not left to a stylesheet');
  assert.ok(/style="fill:/.test(svg));
  t.diagnostic(`download ${download.suggestedFilename()}: ${svg.length} bytes`);
  // The file on its own, as another program would show it: no page, no stylesheet.
  const viewer = await context.newPage();
  await viewer.goto(`file://${file}`);
  await screenshot(viewer, 'pictures-10-downloaded-svg');
  await viewer.close();
});

test('a ktrace chart arrives by itself; Profile makes a second flame graph', { timeout: 300_000 }, async (t) => {
  const before = await page.$$eval('[data-testid="pic-item"]', (els) => els.length);
  await typeCommand(page, 'ktrace syscalls --json --duration 2 > /dev/null', 90_000);
  // Nothing pressed: the tool's OSC refreshes the open pane, which shows the new chart.
  await page.waitForSelector('[data-testid="pic-view"][data-kind="charts"] [data-testid="chart-row"]', { timeout: 30_000 });
  assert.ok(await page.$$eval('[data-testid="pic-item"]', (els) => els.length) > before);
  const labels = await page.$$eval('[data-testid="pic-view"] [data-testid="chart-row"]', (els) => els.map((e) => e.getAttribute('data-label') ?? ''));
  t.diagnostic(`chart rows: ${labels.slice(0, 10).join(', ')}`);
  assert.ok(labels.some((l) => /^(read|write|futex|clock_nanosleep|nanosleep|epoll_wait|openat|close|lseek|pread64|pwrite64|getpid|fstat|newfstatat|sched_yield|poll|select|brk|mmap|munmap)$/.test(l)), `bars named by syscalls: ${labels.join(', ')}`);
  await screenshot(page, 'pictures-04-ktrace-chart');
  assert.deepEqual(await paneViolations(page), [], 'no serious accessibility violation in the pane (charts)');

  // Profile (the runner records the lab for a few seconds).
  const count = await page.$$eval('[data-testid="pic-item"]', (els) => els.length);
  await page.click('[data-testid="pic-profile"]');
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="pic-item"]').length > n, count, { timeout: 120_000 });
  await page.waitForSelector('[data-testid="pic-view"][data-kind="flame"] [data-testid="flame-frame"]', { timeout: 30_000 });
  const names = (await frames(page)).map((f) => f.name);
  assert.ok(names.some((n) => /^build_/.test(n)), 'the profile shows the hot function too');
  const flames = await page.$$eval('[data-testid="pic-item"] .kind', (els) => els.filter((e) => e.textContent === 'flame').length);
  assert.ok(flames >= 2, `two flame graphs in the list (${flames})`);
  await screenshot(page, 'pictures-05-profile-1280');

  // Dark theme, and the pane closed: a picture announced meanwhile shows as a badge on the toggle.
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.reload();
  await page.waitForSelector('[data-testid="terminal"] .xterm-rows');
  await waitForTerminal(page, /lab:~# $/m);
  await page.click('[data-testid="pictures-toggle"]');
  await page.waitForSelector('[data-testid="pic-view"] [data-testid="flame-frame"]', { timeout: 30_000 });
  await screenshot(page, 'pictures-06-dark-1280');
  assert.ok(!(await page.isVisible('.vp-doc h1')), 'the steps under the pane are hidden (out of the tab order)');
  await page.click('[data-testid="pictures-close"]');
  assert.ok(!(await page.isVisible('[data-testid="pictures"]')), 'closed');
  assert.ok(await page.isVisible('.vp-doc h1'), 'closed: the steps are back');
  assert.equal(await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.testid), 'pictures-toggle', 'focus back on the toggle');
  await typeCommand(page, 'ktrace syscalls --json --duration 1 > /dev/null', 90_000);
  await page.waitForSelector('[data-testid="pictures-badge"]', { timeout: 15_000 });
  await screenshot(page, 'pictures-07-badge');
  await page.emulateMedia({ colorScheme: 'light' });
});

test('phone: the pane sits above the terminal', { timeout: 120_000 }, async () => {
  const phone = await context.newPage();
  phone.on('pageerror', (e) => pageErrors.push(e.message));
  await phone.setViewportSize({ width: 390, height: 844 });
  await phone.goto(`${runner.url}/labs/${LAB}`);
  await phone.waitForSelector('[data-testid="terminal"] .xterm-rows', { timeout: 30_000 });
  await phone.click('[data-testid="pictures-toggle"]');
  await phone.waitForSelector('[data-testid="pic-view"] [data-testid="chart-row"], [data-testid="pic-view"] [data-testid="flame-frame"]', { timeout: 30_000 });
  const pane = (await phone.locator('[data-testid="pictures"]').boundingBox())!;
  const term = (await phone.locator('[data-testid="terminal"]').boundingBox())!;
  assert.ok(pane.y + pane.height <= term.y + 1, `the pane (${pane.y}+${pane.height}) is above the terminal (${term.y})`);
  assert.ok(pane.width <= 390 && pane.width > 300);
  await screenshot(phone, 'pictures-08-phone-390');
  await phone.close();
  assert.deepEqual(pageErrors, []);
});

test('gc-stall: the latency plot shows the lab\'s spikes, live', { timeout: 420_000 }, async (t) => {
  // One lab at a time on a small machine: stop cpu-hotspot first.
  const sessions = await runner.call('GET', '/api/sessions');
  for (const s of (sessions.json as { sessions: Array<{ id: string }> }).sessions) await runner.call('DELETE', `/api/sessions/${s.id}`);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(`${runner.url}/labs/gc-stall`);
  await page.waitForSelector('[data-testid="start"]:not([disabled])');
  await page.click('[data-testid="start"]');
  await page.waitForSelector('[data-testid="terminal"] .xterm-rows', { timeout: 300_000 });
  await page.click('[data-testid="pictures-toggle"]');
  await page.waitForSelector('[data-testid="timeline"] [data-testid="timeline-bar"]', { timeout: 120_000 });
  // A horizontal <line> has no height, so Playwright never calls it visible: ask that it is there.
  assert.equal(await page.locator('[data-testid="timeline-slow"]').count(), 1, 'the lab\'s slow line is drawn');
  // The stall comes every few seconds: wait for a second whose slowest request is over the line.
  await page.waitForFunction(() => Array.from(document.querySelectorAll('[data-testid="timeline-bar"].slow')).length > 0, undefined, { timeout: 120_000, polling: 1000 });
  const bars = await page.$$eval('[data-testid="timeline-bar"]', (els) => els.length);
  const summary = await page.textContent('[data-testid="timeline-summary"]');
  t.diagnostic(`${bars} seconds drawn; ${summary}`);
  // Live: more seconds arrive while the pane is open.
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="timeline-bar"]').length > n, bars, { timeout: 30_000 });
  await screenshot(page, 'pictures-09-gc-stall-timeline');
  assert.deepEqual(await paneViolations(page), [], 'no serious accessibility violation in the pane (latency plot)');
  assert.deepEqual(pageErrors, []);
});

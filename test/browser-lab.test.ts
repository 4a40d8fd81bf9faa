// test-budget: 25m
// A learner's whole path in a real browser (Debian's Chromium), against a real
// runner serving the built site and real lab containers: roadmap → syscall-storm
// page → Start → type in the terminal → Run button → answers → checks → every
// task green → reload finds the same shell and screen → roadmap says done →
// Reset → Stop. Screenshots of each state land in test-artifacts/browser/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { buildSite } from './helpers/site.ts';
import { startTestRunner, type TestRunner } from './helpers/runner-fixture.ts';
import { okValue } from './helpers/backend-result.ts';
import { launchChromium, screenshot, waitForTerminal } from './helpers/browser.ts';

const LAB = 'syscall-storm';
let siteDir: string;
let runner: TestRunner;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

before(async () => {
  siteDir = mkdtempSync(join(tmpdir(), 'kdlabs-site-'));
  const site = buildSite(siteDir);
  if (!site.ok) throw new Error(`site build failed:\n${site.output}`);
  runner = await startTestRunner({ siteDir });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('pageerror', (e) => pageErrors.push(e.message));
});

after(async () => {
  await browser?.close();
  await runner?.dispose();
  if (siteDir) rmSync(siteDir, { recursive: true, force: true });
});

const status = (testId: string): Promise<string | null> => page.getAttribute(`[data-testid="${testId}"]`, 'data-status');

async function waitForStatus(testId: string, want: string, timeoutMs = 20_000): Promise<void> {
  await page.waitForSelector(`[data-testid="${testId}"][data-status="${want}"]`, { timeout: timeoutMs });
}

async function typeInTerminal(text: string): Promise<void> {
  await page.click('[data-testid="terminal"]');
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
}

test('the roadmap leads to the lab, which starts with visible progress and a working shell', { timeout: 180_000 }, async () => {
  await page.goto(`${runner.url}/roadmap`);
  await page.waitForSelector(`[data-testid="status-${LAB}"]`);
  await screenshot(page, '01-roadmap-not-started');
  assert.equal(await status(`status-${LAB}`), 'not-started');

  await page.click(`a[href="/labs/${LAB}"]`);
  await page.waitForSelector('[data-testid="start"]:not([disabled])');
  await screenshot(page, '02-lab-page-idle');

  await page.click('[data-testid="start"]');
  await page.waitForSelector('[data-testid="progress"]', { timeout: 10_000 });
  await screenshot(page, '03-lab-starting');
  await page.waitForSelector('[data-testid="terminal"] .xterm-rows', { timeout: 120_000 });
  await waitForTerminal(page, /lab:~# $/m, 30_000);

  await typeInTerminal('uname -r');
  // The container shares the host's kernel: the learner sees this machine's release.
  await waitForTerminal(page, new RegExp(`^${release().replace(/[.+]/g, '\\$&')}$`, 'm'));
  await screenshot(page, '04-terminal-uname');
});

test('a Run button types its command block into the terminal', { timeout: 60_000 }, async () => {
  // The first Run button of the page belongs to step 1's `vmstat 1 5` (the CLI block above it has none).
  const block = page.locator('div[class*="language-"]:has(button.lab-run)').first();
  assert.match(await block.locator('pre').innerText(), /^vmstat 1 5\s*$/);
  await block.locator('button.lab-run').click();
  // vmstat's header, then one line a second; the sy column of the storm is not zero.
  await waitForTerminal(page, /procs -+memory/, 10_000);
  const text = await waitForTerminal(page, /vmstat 1 5\n[^]*?\nlab:~# $/m, 20_000);
  // Five samples of 17 numeric columns each (linear-time pattern: \s+ separates every number).
  assert.ok((text.match(/^ *\d+(?: +\d+){16} *$/gm) ?? []).length >= 5, `five vmstat samples in:\n${text.slice(-1200)}`);
  await screenshot(page, '05-run-button');
});

test('the terminal follows the size of its panel, and paste types into it', { timeout: 60_000 }, async (t) => {
  const size = async (): Promise<[number, number]> => {
    await typeInTerminal('echo "size=$(stty size)"');
    const text = await waitForTerminal(page, /^size=\d+ \d+$/m);
    const all = [...text.matchAll(/^size=(\d+) (\d+)$/gm)];
    const last = all[all.length - 1]!;
    return [Number(last[1]), Number(last[2])];
  };
  const [rows1, cols1] = await size();
  t.diagnostic(`terminal at 1280×800: ${rows1} rows × ${cols1} columns`);
  // A learner's laptop: wide tool output (top's COMMAND column, vmstat's sy, pidstat's Command) fits on one line.
  assert.ok(cols1 >= 100, `the terminal has ${cols1} columns at 1280×800; wide tool output would wrap`);
  await typeInTerminal('clear; top -b -n 1 -o %CPU | head -n 12');
  await waitForTerminal(page, /PID USER .* COMMAND\n(?:.*\n)*? *\d+ root .*relayd/);
  await screenshot(page, '05b-terminal-1280x800-top');
  await typeInTerminal('clear');
  await page.setViewportSize({ width: 1500, height: 900 });
  await page.waitForTimeout(400);
  const [rows2, cols2] = await size();
  assert.ok(cols2 > cols1 && rows2 > rows1, `bigger window, bigger terminal: ${rows1}x${cols1} → ${rows2}x${cols2}`);
  await page.setViewportSize({ width: 1280, height: 800 });

  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.evaluate(() => navigator.clipboard.writeText('echo pasted-$((3*14))'));
  await page.click('[data-testid="terminal"]');
  await page.keyboard.press('Control+V');
  await page.keyboard.press('Enter');
  await waitForTerminal(page, /^pasted-42$/m);

  // Copy: select in the terminal, Ctrl+Shift+C puts the selection on the clipboard.
  await page.evaluate(() => (window as unknown as { __kdlabsTerminal: { term: { selectAll(): void } } }).__kdlabsTerminal.term.selectAll());
  await page.keyboard.press('Control+Shift+C');
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.match(copied, /pasted-42/);
});

test('questions are graded by the runner: a wrong answer stays open, the right one turns green', { timeout: 60_000 }, async () => {
  await page.fill('[data-testid="answer-find-process"]', 'systemd');
  await page.press('[data-testid="answer-find-process"]', 'Enter');
  await page.waitForSelector('[data-testid="result-find-process"]');
  // The result shows as soon as the runner graded it; the card's status follows once the page has re-read the session.
  await waitForStatus('task-find-process', 'failed');

  await page.fill('[data-testid="answer-find-process"]', 'relayd');
  await page.press('[data-testid="answer-find-process"]', 'Enter');
  await waitForStatus('task-find-process', 'passed');
  await waitForStatus('chip-find-process', 'passed');

  await page.click('[data-testid="hint-kernel-column"]');
  await page.waitForSelector('#task-kernel-column .lab-task-hints li');
  await page.fill('[data-testid="answer-kernel-column"]', 'sy');
  await page.press('[data-testid="answer-kernel-column"]', 'Enter');
  await waitForStatus('task-kernel-column', 'passed');
  // Which call storms is drawn per learner; the checker knows this learner's (so does strace).
  const storming = runner.manager.list().find((x) => x.lab.id === LAB)!.params.syscall!;
  await page.fill('[data-testid="answer-find-syscall"]', storming);
  await page.press('[data-testid="answer-find-syscall"]', 'Enter');
  await waitForStatus('task-find-syscall', 'passed');
  await page.locator('#task-kernel-column').scrollIntoViewIfNeeded();
  await screenshot(page, '06-questions-answered');
});

test('a check fails before the fix and turns green after it', { timeout: 120_000 }, async () => {
  await page.click('[data-testid="check-batch-writes"]');
  await waitForStatus('task-batch-writes', 'failed', 40_000);
  await page.locator('#task-batch-writes').scrollIntoViewIfNeeded();
  await screenshot(page, '07-check-failed');

  await typeInTerminal("sed -i 's/^write_mode *=.*/write_mode = batched/' /etc/relayd.conf && relayctl restart && echo FIXED-$((6*7))");
  await waitForTerminal(page, /FIXED-42/, 20_000);
  await page.click('[data-testid="check-batch-writes"]');
  await waitForStatus('task-batch-writes', 'passed', 40_000);
  await page.click('[data-testid="check-verify-rate"]');
  await waitForStatus('task-verify-rate', 'passed', 60_000);
  await page.waitForSelector('[data-testid="lab-status"]:text("5/5 tasks done")');
  await screenshot(page, '08-all-tasks-green');
});

test('a reload finds the same shell with its screen', { timeout: 60_000 }, async () => {
  await typeInTerminal('MARK=kept-$((40+2)); echo before-reload');
  await waitForTerminal(page, /^before-reload$/m);
  await page.reload();
  await page.waitForSelector('[data-testid="terminal"] .xterm-rows', { timeout: 30_000 });
  // The screen comes back from the runner before anything new is typed.
  await waitForTerminal(page, /FIXED-42[\s\S]*before-reload/, 15_000);
  await screenshot(page, '09-after-reload-same-screen');
  await typeInTerminal('echo "mark=$MARK"');
  await waitForTerminal(page, /^mark=kept-42$/m);
  assert.equal(await status('task-verify-rate'), 'passed', 'task state survives the reload');
});

test('the roadmap marks the finished lab done', { timeout: 30_000 }, async () => {
  await page.goto(`${runner.url}/roadmap`);
  await waitForStatus(`status-${LAB}`, 'done', 10_000);
  await screenshot(page, '10-roadmap-done');
  await page.goBack();
  await page.waitForSelector('[data-testid="terminal"] .xterm-rows', { timeout: 30_000 });
});

test('the solution stays hidden until the learner confirms', { timeout: 30_000 }, async () => {
  assert.equal(await page.locator('.lab-solution-body').count(), 0, 'no solution text before asking');
  await page.click('[data-testid="solution-ask"]');
  await page.waitForSelector('[data-testid="solution-confirm"]');
  assert.equal(await page.locator('.lab-solution-body').count(), 0, 'still hidden while the question is open');
  await page.click('[data-testid="solution-confirm"]');
  await page.waitForSelector('.lab-solution-body pre');
  await page.locator('[data-testid="solution"]').scrollIntoViewIfNeeded();
  await screenshot(page, '10b-solution-shown');
  // The runner recorded it (it counts in the learner's progress).
  const progress = (await runner.call('GET', '/api/progress')).json as { labs: Array<{ labId: string; solutionRevealed: boolean }> };
  assert.equal(progress.labs.find((l) => l.labId === LAB)?.solutionRevealed, true);
});

test('Reset puts the lab back to its start and keeps passed tasks; Stop removes it', { timeout: 180_000 }, async () => {
  page.once('dialog', (d) => void d.accept());
  await page.click('[data-testid="reset"]');
  // The new shell starts on a fresh screen: nothing typed before the reset is on it.
  await page.waitForFunction(() => {
    const t = (window as unknown as { __kdlabsTerminal?: { term: { buffer: { active: { length: number; getLine(i: number): { translateToString(): string } | undefined } } } } }).__kdlabsTerminal;
    if (!t) return false;
    const b = t.term.buffer.active;
    let text = '';
    for (let i = 0; i < b.length; i++) text += `${b.getLine(i)?.translateToString() ?? ''}\n`;
    return /lab:~#/.test(text) && !/FIXED-42/.test(text);
  }, undefined, { timeout: 120_000, polling: 250 });
  await typeInTerminal('grep -c "^write_mode = single" /etc/relayd.conf');
  await waitForTerminal(page, /^1$/m);
  assert.equal(await status('task-batch-writes'), 'passed');
  await screenshot(page, '11-after-reset');

  const before = (await runner.call('GET', '/api/sessions')).json.sessions.filter((s: { phase: string }) => s.phase === 'running');
  assert.equal(before.length, 1);
  page.once('dialog', (d) => void d.accept());
  await page.click('[data-testid="stop"]');
  await page.waitForSelector('[data-testid="start"]', { timeout: 60_000 });
  await screenshot(page, '12-stopped');
  const containers = okValue(await runner.backends.container!.listOwned(runner.name));
  assert.deepEqual(containers, [], 'no container left after Stop');
});

test('narrow windows put the terminal below the instructions; dark theme reads well', { timeout: 60_000 }, async () => {
  const narrow = await browser.newPage({ viewport: { width: 760, height: 1000 } });
  await narrow.addInitScript(() => localStorage.setItem('vitepress-theme-appearance', 'dark'));
  await narrow.goto(`${runner.url}/labs/${LAB}`);
  await narrow.waitForSelector('[data-testid="workbench"]');
  const panel = await narrow.locator('[data-testid="workbench"]').boundingBox();
  const heading = await narrow.locator('h1').boundingBox();
  assert.ok(panel && heading, 'panel and heading are laid out');
  assert.ok(panel.y > heading.y + heading.height, 'the panel sits below the instructions');
  assert.ok(panel.width > 700, 'and spans the window');
  await screenshot(narrow, '13-narrow-dark');
  await narrow.close();
  assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
});

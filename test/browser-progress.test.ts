// test-budget: 25m
// Progress that stays, grading that teaches, Run that respects the terminal,
// in a real browser (Debian's Chromium) against a real runner and lab container:
// syscall-storm's questions answered the way learners write them (`%sy`,
// `writev()`) and wrong in a known way (`us`); Run pressed while `top` owns the
// terminal (asked, refused, then Ctrl-C and run); Stop then Start keeps every
// passed task green, and so do a reload and a runner restart (the progress
// store); finishing the lab shows the completion card with the next lab in
// roadmap order. Screenshots land in test-artifacts/browser/progress-*.png.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { buildSite } from './helpers/site.ts';
import { okValue } from './helpers/backend-result.ts';
import { launchChromium, screenshot, terminalText, waitForTerminal } from './helpers/browser.ts';
import { createRunner, type Runner } from '../runner/src/node/runner.ts';
import { loadLabs } from '../runner/src/node/labs/registry.ts';
import { LABS_DIR } from '../runner/src/node/util/paths.ts';

const LAB = 'syscall-storm';
const QUESTIONS = ['find-process', 'kernel-column', 'find-syscall'];
const ALL_TASKS = [...QUESTIONS, 'batch-writes', 'verify-rate'];
/** The lab after syscall-storm on the roadmap (level, then lab.yaml `order`). */
const ordered = [...loadLabs(LABS_DIR).labs.values()];
const NEXT_LAB = ordered[ordered.findIndex((l) => l.id === LAB) + 1];

let siteDir: string;
let dataDir: string;
const runnerName = `test-${process.pid}-progress`;
let runner: Runner;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

/** A runner on this test's data folder: a second one after the first closed is a runner restart. */
const startRunner = (): Promise<Runner> => createRunner({ port: 0, runnerName, dataDir, siteDir, log: () => {} });

before(async () => {
  siteDir = mkdtempSync(join(tmpdir(), 'kdlabs-site-'));
  dataDir = mkdtempSync(join(tmpdir(), 'kdlabs-test-'));
  const site = buildSite(siteDir);
  if (!site.ok) throw new Error(`site build failed:\n${site.output}`);
  runner = await startRunner();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('pageerror', (e) => pageErrors.push(e.message));
});

after(async () => {
  await browser?.close();
  await runner?.close();
  if (siteDir) rmSync(siteDir, { recursive: true, force: true });
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function waitForStatus(testId: string, want: string, timeoutMs = 20_000): Promise<void> {
  await page.waitForSelector(`[data-testid="${testId}"][data-status="${want}"]`, { timeout: timeoutMs });
}

/** Waits for the task card's attempts line to read `want` ('' when it shows none). */
async function attemptsNote(task: string, want: string): Promise<void> {
  await page.waitForFunction(([id, text]) => (document.querySelector(`[data-testid="attempts-${id}"]`)?.textContent?.trim() ?? '') === text, [task, want] as const, { timeout: 10_000, polling: 100 })
    .catch(() => { throw new Error(`${task}: the attempts line does not read "${want}"`); });
}

async function typeInTerminal(text: string): Promise<void> {
  await page.click('[data-testid="terminal"]');
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
}

async function answer(task: string, text: string): Promise<string> {
  const before = await page.locator(`[data-testid="result-${task}"]`).count() ? await page.locator(`[data-testid="result-${task}"]`).innerText() : null;
  await page.fill(`[data-testid="answer-${task}"]`, text);
  await page.press(`[data-testid="answer-${task}"]`, 'Enter');
  await page.waitForFunction(([id, prev]) => {
    const el = document.querySelector(`[data-testid="result-${id}"]`);
    return !!el && el.textContent !== prev;
  }, [task, before] as const, { timeout: 20_000, polling: 100 });
  return page.locator(`[data-testid="result-${task}"]`).innerText();
}

async function startLab(): Promise<void> {
  await page.waitForSelector('[data-testid="start"]:not([disabled])', { timeout: 30_000 });
  await page.click('[data-testid="start"]');
  await page.waitForSelector('[data-testid="terminal"] .xterm-rows', { timeout: 180_000 });
  await waitForTerminal(page, /lab:~# $/m, 60_000);
}

async function stopLab(): Promise<void> {
  page.once('dialog', (d) => void d.accept());
  await page.click('[data-testid="stop"]');
  await page.waitForSelector('[data-testid="start"]', { timeout: 60_000 });
}

async function expectPassed(tasks: readonly string[], where: string): Promise<void> {
  for (const t of tasks) {
    await waitForStatus(`chip-${t}`, 'passed', 10_000).catch(() => { throw new Error(`${where}: chip ${t} is not green`); });
    await waitForStatus(`task-${t}`, 'passed', 10_000).catch(() => { throw new Error(`${where}: card ${t} is not green`); });
  }
}

test('answers are graded the way learners write them, and a miss says what it is', { timeout: 300_000 }, async () => {
  await page.goto(`${runner.url}/labs/${LAB}`);
  await startLab();

  // kernel-column takes 3 attempts in a workshop (lab.yaml); a learner alone has no limit and sees none.
  await attemptsNote('kernel-column', '');
  const us = await answer('kernel-column', 'us');
  assert.match(us, /vmstat column for user time/, 'a known wrong answer gets its own message');
  await waitForStatus('task-kernel-column', 'failed');
  await attemptsNote('kernel-column', '');
  const other = await answer('kernel-column', 'wa?x');
  assert.match(other, /"wa\?x" is not it/, 'any other miss names the answer');
  assert.match(await answer('kernel-column', 'id'), /idle time/, 'a third miss is still answered');
  await attemptsNote('kernel-column', '');

  const sy = await answer('kernel-column', '%sy');
  assert.match(sy, /^Correct: /, 'a pass says why');
  await waitForStatus('task-kernel-column', 'passed');
  await attemptsNote('kernel-column', '');
  assert.match(await answer('find-process', 'Relayd.'), /^Correct: /);
  const storming = runner.manager.list().find((s) => s.lab.id === LAB)!.params.syscall!;
  assert.match(await answer('find-syscall', `${storming}()`), /^Correct: /, `${storming}() is ${storming}`);
  await expectPassed(QUESTIONS, 'after answering');
  await page.locator('#task-kernel-column').scrollIntoViewIfNeeded();
  await screenshot(page, 'progress-01-grading');
});

test('Run asks while top runs in the terminal: no types nothing, yes presses Ctrl-C and runs', { timeout: 120_000 }, async () => {
  await typeInTerminal('top');
  await waitForTerminal(page, /load average/, 15_000);
  const block = page.locator('div[class*="language-"]:has(button.lab-run)').filter({ has: page.locator('pre', { hasText: /^\s*vmstat 1 5\s*$/ }) }).first();
  await block.scrollIntoViewIfNeeded();

  const asked: string[] = [];
  page.once('dialog', (d) => { asked.push(d.message()); void d.dismiss(); });
  await block.locator('button.lab-run').click();
  for (let i = 0; i < 50 && asked.length === 0; i++) await page.waitForTimeout(100);
  assert.equal(asked.length, 1, 'Run asked');
  assert.match(asked[0]!, /^top is running in the terminal\. Press Ctrl-C to stop it, then run the command\?$/);
  // Refused: top keeps the terminal and never received the command.
  await page.waitForTimeout(800);
  assert.doesNotMatch(await terminalText(page), /procs -+memory/, 'nothing was typed into top');
  await screenshot(page, 'progress-02-run-refused-top-still-running');

  page.once('dialog', (d) => { asked.push(d.message()); void d.accept(); });
  await block.locator('button.lab-run').click();
  await waitForTerminal(page, /procs -+memory/, 20_000);
  await waitForTerminal(page, /vmstat 1 5\n[^]*?\nlab:~# $/m, 30_000);
  assert.equal(asked.length, 2);
  await screenshot(page, 'progress-03-run-after-ctrl-c');

  // At the prompt, Run types at once without asking.
  const headers = async (): Promise<number> => (await terminalText(page)).match(/procs -+memory/g)?.length ?? 0;
  const before = await headers();
  await block.locator('button.lab-run').click();
  for (let i = 0; i < 100 && await headers() === before; i++) await page.waitForTimeout(200);
  assert.ok(await headers() > before, 'vmstat ran again');
  await waitForTerminal(page, /\nlab:~# $/, 30_000);
  assert.equal(asked.length, 2, 'no question at the prompt');
});

test('Stop, then Start: every passed task stays green', { timeout: 300_000 }, async () => {
  await stopLab();
  await expectPassed(QUESTIONS, 'after Stop');
  await page.locator('[data-testid="workbench"]').scrollIntoViewIfNeeded();
  await screenshot(page, 'progress-04-stopped-tasks-stay-green');

  await startLab();
  await expectPassed(QUESTIONS, 'after Start');
  await page.waitForSelector('[data-testid="lab-status"]:text("3/5 tasks done")', { timeout: 10_000 });
  for (const t of ['batch-writes', 'verify-rate']) assert.notEqual(await page.getAttribute(`[data-testid="chip-${t}"]`, 'data-status'), 'passed');
  await screenshot(page, 'progress-05-started-again-3-of-5');
});

test('a reload and a runner restart keep them too (the progress store)', { timeout: 300_000 }, async () => {
  await page.reload();
  await page.waitForSelector('[data-testid="terminal"] .xterm-rows', { timeout: 30_000 });
  await expectPassed(QUESTIONS, 'after a reload');
  await stopLab();
  await runner.close();
  runner = await startRunner();
  await page.goto(`${runner.url}/labs/${LAB}`);
  await page.waitForSelector('[data-testid="start"]:not([disabled])', { timeout: 30_000 });
  await expectPassed(QUESTIONS, 'after a runner restart');
  await screenshot(page, 'progress-06-after-runner-restart');
});

test('finishing the lab shows the completion card with the next lab', { timeout: 400_000 }, async () => {
  assert.equal(await page.locator('[data-testid="lab-complete"]').count(), 0, 'no card before the last task');
  await startLab();
  await typeInTerminal("sed -i 's/^write_mode *=.*/write_mode = batched/' /etc/relayd.conf && relayctl restart && echo FIXED-$((6*7))");
  await waitForTerminal(page, /FIXED-42/, 30_000);
  await page.click('[data-testid="check-batch-writes"]');
  await waitForStatus('task-batch-writes', 'passed', 60_000);
  await page.click('[data-testid="check-verify-rate"]');
  await waitForStatus('task-verify-rate', 'passed', 90_000);

  const card = page.locator('[data-testid="lab-complete"]');
  await card.waitFor({ timeout: 20_000 });
  await card.scrollIntoViewIfNeeded();
  assert.match(await page.locator('[data-testid="lab-complete-summary"]').innerText(), /^All 5 tasks passed · no hints used · .* of active work$/);
  // What to read next: the lab's own list (lab.yaml next.read), its case study first.
  assert.equal(await page.locator('[data-testid="lab-complete-read"]').first().getAttribute('href'), `/case-studies/${LAB}`);
  const next = page.locator('[data-testid="lab-complete-next"]');
  assert.ok(NEXT_LAB, 'syscall-storm is not the last lab');
  assert.equal(await next.getAttribute('href'), `/labs/${NEXT_LAB.id}`, 'the next lab in roadmap order');
  assert.match(await next.innerText(), new RegExp(NEXT_LAB.title.split(' — ')[0]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  await screenshot(page, 'progress-07-completion-card');
  await expectPassed(ALL_TASKS, 'finished');

  await stopLab();
  // Stopped, the lab is still finished: the card stays.
  await card.waitFor({ timeout: 10_000 });
  assert.deepEqual(okValue(await runner.backends.container!.listOwned(runnerName)), [], 'no container left after Stop');
});

test('no uncaught errors in the pages', () => {
  assert.deepEqual(pageErrors, []);
});

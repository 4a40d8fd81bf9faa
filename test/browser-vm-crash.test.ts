// test-budget: 30m
// driver-panic's post-mortem in a real browser, the way a learner does it:
// Start the VM lab, crash its kernel from the page's terminal, wait for the
// runner's memory dump and the reboot, open the dump with crash at its
// interactive prompt, save `bt`, and see the crash-bt task turn green.
// The VM is restored from the state `labs build` saved (the runner's default
// data folder), as `npm start` does; without one it cold-boots, more slowly.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { buildSite } from './helpers/site.ts';
import { startTestRunner, type TestRunner } from './helpers/runner-fixture.ts';
import { launchChromium, screenshot, terminalText, waitForTerminal } from './helpers/browser.ts';
import { DEFAULT_DATA_DIR } from '../runner/src/node/util/paths.ts';
import { statesDir } from '../runner/src/node/backends/qemu/saved-state.ts';
import { QEMU_SKIP } from './helpers/qemu.ts';

/** A cold boot plus vm.prepare's module build on a loaded TCG host, when no saved state matches. */
const START_LIMIT_MS = 900_000;
/** Panic → dump → reboot with the dump copied in before the login, on TCG under load. */
const REBOOT_LIMIT_MS = 900_000;
/** crash reads ~600 MiB of debug information on an emulated CPU before its first prompt. */
const CRASH_PROMPT_LIMIT_MS = 600_000;
/**
 * Prompt lines, typed on or not: the VM's root prompt (vm-images/vm/files/root/.bashrc) in any
 * folder, and crash's. Trailing blanks are trimmed off the terminal's lines, so none are expected.
 */
const VM_PROMPT = /^vm:\S*#/m;
const CRASH_PROMPT = /^crash>/m;

const skip = QEMU_SKIP;

let siteDir = '';
let dataDir = '';
let runner: TestRunner;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
/** The runner's log lines: printed, with the terminal's end, when the walk fails. */
const runnerLog: string[] = [];
let walked = false;

before(async () => {
  if (skip) return;
  siteDir = mkdtempSync(join(tmpdir(), 'kdlabs-site-'));
  const site = buildSite(siteDir);
  if (!site.ok) throw new Error(`site build failed:\n${site.output}`);
  dataDir = mkdtempSync(join(tmpdir(), 'kdlabs-vmcrash-'));
  // The states `labs build` saved: restoring one is what a learner's Start does.
  if (existsSync(statesDir(DEFAULT_DATA_DIR))) symlinkSync(statesDir(DEFAULT_DATA_DIR), statesDir(dataDir));
  runner = await startTestRunner({ siteDir, dataDir, log: (line: string) => { runnerLog.push(line); } });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (e) => pageErrors.push(e.message));
});

after(async () => {
  if (!skip && !walked && page) {
    const term = await terminalText(page).catch((e: unknown) => `(unreadable: ${(e as Error).message})`);
    console.log(`--- the terminal's last lines:\n${term.trimEnd().split('\n').slice(-30).join('\n')}\n--- the runner's last log lines:\n${runnerLog.slice(-30).join('\n')}`);
  }
  await browser?.close();
  await runner?.dispose();
  for (const d of [siteDir, dataDir]) if (d) rmSync(d, { recursive: true, force: true });
});

function count(text: string, re: RegExp): number {
  return [...text.matchAll(new RegExp(re.source, 'gm'))].length;
}

/** Types a line into the lab's terminal key by key, as a learner does, and presses Enter. */
async function typeLine(line: string): Promise<void> {
  await page.click('[data-testid="terminal"]');
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
}

/** Types a line, then waits until the terminal shows one more `prompt` than before it. */
async function typeAndWaitForPrompt(line: string, prompt: RegExp, timeoutMs: number): Promise<string> {
  const before = count(await terminalText(page), prompt);
  await typeLine(line);
  const until = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < until) {
    text = await terminalText(page);
    if (count(text, prompt) > before) return text;
    await page.waitForTimeout(500);
  }
  throw new Error(`no new ${prompt} within ${timeoutMs / 1000} s after \`${line}\`; the terminal ends with:\n${text.trimEnd().split('\n').slice(-12).join('\n')}`);
}

/**
 * Presses a task's Check and returns "<status>: <result>" once the runner's answer is on the page.
 * Waits for the answer itself, not for the button to look idle: a look between the click and the
 * button's disabling would read the previous result.
 */
async function check(taskId: string, timeoutMs: number): Promise<string> {
  await page.locator(`#task-${taskId}`).scrollIntoViewIfNeeded();
  const answered = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes(`/tasks/${taskId}/check`), { timeout: timeoutMs });
  answered.catch(() => undefined); // awaited below; a failed click must not leave it unhandled
  await page.click(`[data-testid="check-${taskId}"]`);
  const result = page.locator(`[data-testid="result-${taskId}"]`);
  try {
    await answered;
  } catch {
    throw new Error(`pressing Check on ${taskId} got no answer from the runner within ${timeoutMs / 1000} s; the task says: ${await result.innerText().catch(() => '(nothing)')}`);
  }
  await page.waitForSelector(`[data-testid="check-${taskId}"]:not([disabled])`, { timeout: 10_000 });
  const status = await page.locator(`[data-testid="task-${taskId}"]`).getAttribute('data-status');
  return `${status}: ${await result.innerText().catch(() => '')}`;
}

test('driver-panic: crash the VM, open its memory dump with crash in the page\'s terminal, and the bt task turns green', { skip, timeout: 1_800_000 }, async () => {
  await page.goto(`${runner.url}/labs/driver-panic`);
  await page.waitForSelector('[data-testid="start"]:not([disabled])');
  await page.click('[data-testid="start"]');
  await page.waitForSelector('[data-testid="terminal"] .xterm-rows', { timeout: START_LIMIT_MS });
  await waitForTerminal(page, VM_PROMPT, START_LIMIT_MS);

  // Before any crash the task says what is missing, in words.
  assert.match(await check('crash-bt', 60_000), /^(failed|pending): .*no memory dump in \/var\/crash yet/s);

  await typeLine('insmod /root/faulty/faulty.ko && /root/faulty/faulty-load');
  await waitForTerminal(page, /the VM is back; the crash record is in \/var\/crash\/\d+\/ \(dmesg\.\d+, and dump\.\d+ for crash\)/, REBOOT_LIMIT_MS);
  // The console after a reboot: press Enter for a fresh prompt, as a learner would.
  await typeAndWaitForPrompt('', VM_PROMPT, 60_000);
  assert.match(await check('crash-record', 60_000), /^passed/);

  // crash at its own prompt, in the page's terminal.
  const opened = await typeAndWaitForPrompt('crash /usr/lib/debug/boot/vmlinux-$(uname -r) $(ls /var/crash/*/dump.* | tail -n 1)', CRASH_PROMPT, CRASH_PROMPT_LIMIT_MS);
  assert.match(opened, /PANIC: .*(Oops|BUG|NULL pointer)/, 'crash opened the dump and named the panic');
  // crash pages long output in a terminal (-- MORE --); the step tells the learner to turn that off.
  await typeAndWaitForPrompt('set scroll off', CRASH_PROMPT, 120_000);
  const bt = await typeAndWaitForPrompt('bt', CRASH_PROMPT, 120_000);
  assert.match(bt, /COMMAND: "faulty-load"/);
  assert.match(bt, /faulty_submit/);
  await screenshot(page, 'vm-crash-bt');
  await typeAndWaitForPrompt('bt > /root/bt.txt', CRASH_PROMPT, 120_000);
  await typeAndWaitForPrompt('q', VM_PROMPT, 60_000);

  assert.match(await check('crash-bt', 60_000), /^passed: .*PID \d+ faulty-load/s);
  await screenshot(page, 'vm-crash-bt-green');

  page.once('dialog', (d) => void d.accept());
  await page.click('[data-testid="stop"]');
  await page.waitForSelector('[data-testid="start"]', { timeout: 60_000 });
  walked = true;
});

test('no uncaught errors in the page', { skip }, () => {
  assert.deepEqual(pageErrors, []);
});

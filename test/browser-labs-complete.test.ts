// test-budget: 30m
// Every container lab can be finished in a real browser the way a learner
// finishes it: open its page from /labs, Start, answer each question in its
// card, apply the fix in the lab's own terminal, press each Check, and see
// every task turn green. (syscall-storm's whole path, Reset and reload
// included, is browser-lab.test.ts; gc-stall's JVM needs minutes per window and
// its page is made of the same parts; VM labs boot too slowly to repeat here.)
// The fix is the lab's reference solution pasted into the terminal, with this
// learner's parameters spelled out, since a learner's shell never has them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { buildSite } from './helpers/site.ts';
import { startTestRunner, type TestRunner } from './helpers/runner-fixture.ts';
import { okValue } from './helpers/backend-result.ts';
import { launchChromium, screenshot, waitForTerminal } from './helpers/browser.ts';
import { loadLabs } from '../runner/src/node/labs/registry.ts';
import { LABS_DIR } from '../runner/src/node/util/paths.ts';
import { exampleAnswer } from '../runner/src/common/answers.ts';
import { paramEnvName } from '../runner/src/common/params.ts';
import type { ResolvedLab } from '../runner/src/common/lab-schema.ts';

/** syscall-storm: covered end to end, with more, by browser-lab.test.ts; gc-stall: see above. */
const COVERED_ELSEWHERE = new Set(['syscall-storm', 'gc-stall']);
const labs = [...loadLabs(LABS_DIR).labs.values()].filter((l) => l.backend === 'container' && !COVERED_ELSEWHERE.has(l.id));

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
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
});

after(async () => {
  await browser?.close();
  await runner?.dispose();
  if (siteDir) rmSync(siteDir, { recursive: true, force: true });
});

async function waitForStatus(testId: string, want: string, timeoutMs: number): Promise<void> {
  await page.waitForSelector(`[data-testid="${testId}"][data-status="${want}"]`, { timeout: timeoutMs });
}

/** Pastes one line into the terminal (as Ctrl+V does for a learner) and presses Enter. */
async function pasteLine(line: string): Promise<void> {
  await page.evaluate((text) => navigator.clipboard.writeText(text), line);
  await page.click('[data-testid="terminal"]');
  await page.keyboard.press('Control+V');
  await page.keyboard.press('Enter');
}

/** Presses a task's Check and waits for the runner's verdict: true when the task turned green. */
async function checkOnce(taskId: string, timeoutMs: number): Promise<boolean> {
  const card = page.locator(`[data-testid="task-${taskId}"]`);
  const attemptsBefore = await card.locator('.lab-task-state').innerText();
  await page.click(`[data-testid="check-${taskId}"]`);
  await page.waitForFunction(([id, before]) => {
    const el = document.querySelector(`[data-testid="task-${id}"]`);
    if (!el) return false;
    if (el.getAttribute('data-status') === 'passed') return true;
    const idle = !document.querySelector(`[data-testid="check-${id}"][disabled]`);
    return idle && el.querySelector('.lab-task-state')?.textContent !== before;
  }, [taskId, attemptsBefore] as const, { timeout: timeoutMs, polling: 250 });
  return (await card.getAttribute('data-status')) === 'passed';
}

async function finishInBrowser(lab: ResolvedLab): Promise<void> {
  await page.goto(`${runner.url}/labs/`);
  await page.click(`a[href="/labs/${lab.id}"]`);
  await page.waitForSelector('[data-testid="start"]:not([disabled])');
  await page.click('[data-testid="start"]');
  await page.waitForSelector('[data-testid="terminal"] .xterm-rows', { timeout: 300_000 });
  await waitForTerminal(page, /lab:~# $/m, 60_000);
  const params = runner.manager.list().find((s) => s.lab.id === lab.id)!.params;

  for (const task of lab.tasks) {
    if (!task.question) continue;
    const answer = exampleAnswer(task.question.answer, params);
    assert.ok(answer !== null, `${lab.id}/${task.id} has an example answer`);
    await page.fill(`[data-testid="answer-${task.id}"]`, answer);
    await page.press(`[data-testid="answer-${task.id}"]`, 'Enter');
    // A question with a check too stays open until its check passes.
    if (!task.check) await waitForStatus(`task-${task.id}`, 'passed', 20_000);
  }

  // The fix, typed where the learner types it; the marker is computed so the echo of the command cannot match.
  const env = Object.entries(params).map(([k, v]) => `${paramEnvName(k)}=${JSON.stringify(v)}`).join(' ');
  const script = Buffer.from(lab.solution.script).toString('base64');
  await pasteLine(`echo ${script} | base64 -d | ${env} bash >/tmp/solve.log 2>&1; echo "SOLVED-$((40+2))-rc=$?"`);
  const solved = await waitForTerminal(page, /^SOLVED-42-rc=\d+$/m, 300_000);
  assert.match(solved, /^SOLVED-42-rc=0$/m, `${lab.id}: the solution ran in the learner's shell`);

  for (const task of lab.tasks) {
    if (!task.check) continue;
    await page.locator(`#task-${task.id}`).scrollIntoViewIfNeeded();
    // A check measures a live service: give a slow window a second try, as a learner would.
    for (let attempt = 1; ; attempt++) {
      if (await checkOnce(task.id, (task.check.timeoutSeconds + 30) * 1000)) break;
      assert.ok(attempt < 2, `${lab.id}/${task.id} did not pass: ${await page.locator(`[data-testid="result-${task.id}"]`).innerText()}`);
    }
  }
  const total = lab.tasks.length;
  await page.waitForSelector(`[data-testid="lab-status"]:text("${total}/${total} tasks done")`, { timeout: 20_000 });
  await page.locator('[data-testid="workbench"]').scrollIntoViewIfNeeded();
  await screenshot(page, `labs-complete-${lab.id}`);

  page.once('dialog', (d) => void d.accept());
  await page.click('[data-testid="stop"]');
  await page.waitForSelector('[data-testid="start"]', { timeout: 60_000 });
}

for (const lab of labs) {
  test(`${lab.id}: a learner finishes every task in the browser`, { timeout: 900_000 }, async () => {
    await finishInBrowser(lab);
    assert.deepEqual(okValue(await runner.backends.container!.listOwned(runner.name)), [], 'no container left after Stop');
  });
}

test('no uncaught errors in the pages', () => {
  assert.deepEqual(pageErrors, []);
});

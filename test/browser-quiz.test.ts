// A quiz answered in the page, in a real browser (Debian's Chromium) against a
// real runner: a wrong choice is refused with the attempts left and no
// explanation, the right one shows why; a typed answer is graded the same way
// as a lab's; a checkpoint answered on the roadmap updates the roadmap's table
// and lands in the runner's progress store. The built site's files hold no
// explanation. Screenshots land in test-artifacts/browser/quiz-*.png.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { buildSite } from './helpers/site.ts';
import { launchChromium, screenshot } from './helpers/browser.ts';
import { createRunner, type Runner } from '../runner/src/node/runner.ts';
import { loadQuizzes } from '../runner/src/node/quizzes/load-quizzes.ts';
import { pick } from '../runner/src/common/langs.ts';
import type { ProgressResponse } from '../runner/src/common/workshop.ts';

let siteDir: string;
let dataDir: string;
let runner: Runner;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

before(async () => {
  siteDir = mkdtempSync(join(tmpdir(), 'kdlabs-site-'));
  dataDir = mkdtempSync(join(tmpdir(), 'kdlabs-test-'));
  const site = buildSite(siteDir);
  if (!site.ok) throw new Error(`site build failed:\n${site.output}`);
  runner = await createRunner({ port: 0, runnerName: `test-${process.pid}-quiz`, dataDir, siteDir, log: () => {} });
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

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? filesUnder(join(dir, n)) : [join(dir, n)]));
}

test('no explanation or wrong-answer message is in the built site', () => {
  const text = filesUnder(siteDir).filter((f) => /\.(html|js|json)$/.test(f)).map((f) => readFileSync(f, 'utf8')).join('\n')
    .replace(/&#39;|&#x27;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&');
  for (const quiz of loadQuizzes().quizzes.values()) {
    for (const q of quiz.questions) {
      for (const lang of ['en', 'ko'] as const) {
        const explain = pick(q.explain, lang);
        assert.ok(!text.includes(explain.slice(0, 60)), `${quiz.id}/${q.id}: the ${lang} explanation is in the site`);
        for (const w of q.wrong) assert.ok(!text.includes(pick(w.message, lang).slice(0, 50)), `${quiz.id}/${q.id}: a wrong-answer message is in the site`);
      }
    }
  }
});

test('a practice quiz is graded by the runner as the learner answers it', async () => {
  await page.goto(`${runner.url}/methodology/use-red-tsa`);
  const quiz = page.locator('[data-testid="quiz-use-method"]');
  await quiz.waitFor();
  await page.locator('[data-testid="quiz-choice-after-utilization-add-cpus"]').check();
  await page.locator('[data-testid="quiz-check-after-utilization"]').click();
  await page.waitForSelector('[data-testid="quiz-message-after-utilization"]');
  assert.equal(await page.locator('[data-testid="quiz-message-after-utilization"]').innerText(), 'Not this one.');
  assert.match(await page.locator('[data-testid="quiz-q-after-utilization"]').innerText(), /1 of 2 attempts left/);
  assert.equal(await page.locator('[data-testid="quiz-explain-after-utilization"]').count(), 0, 'no explanation while it is open');

  await page.locator('[data-testid="quiz-choice-after-utilization-saturation"]').check();
  await page.locator('[data-testid="quiz-check-after-utilization"]').click();
  await page.waitForSelector('[data-testid="quiz-q-after-utilization"][data-status="passed"]');
  assert.match(await page.locator('[data-testid="quiz-explain-after-utilization"]').innerText(), /saturation is/);

  await page.locator('[data-testid="quiz-text-run-queue-column"]').fill('the r column');
  await page.locator('[data-testid="quiz-text-run-queue-column"]').press('Enter');
  await page.waitForSelector('[data-testid="quiz-q-run-queue-column"][data-status="passed"]');
  await quiz.scrollIntoViewIfNeeded();
  await screenshot(page, 'quiz-practice');

  // A reload shows the same state, from the runner's record.
  await page.reload();
  await page.waitForSelector('[data-testid="quiz-q-after-utilization"][data-status="passed"]');
  assert.equal(await page.locator('[data-testid="quiz-choice-after-utilization-saturation"]').isChecked(), true);
});

test('a checkpoint answered on the roadmap shows in its table and in the progress store', async () => {
  await page.goto(`${runner.url}/roadmap`);
  await page.waitForSelector('[data-testid="quiz-status-checkpoint-1"][data-status="not-started"]');
  await page.locator('[data-testid="quiz-text-kernel-share"]').fill('%sy');
  await page.locator('[data-testid="quiz-check-kernel-share"]').click();
  await page.waitForSelector('[data-testid="quiz-q-kernel-share"][data-status="passed"]');
  await page.waitForSelector('[data-testid="quiz-status-checkpoint-1"][data-status="in-progress"]');
  assert.match(await page.locator('[data-testid="quiz-status-checkpoint-1"]').innerText(), /1 of 4 right/);
  await page.locator('[data-testid="quiz-checkpoint-1"]').scrollIntoViewIfNeeded();
  await screenshot(page, 'quiz-checkpoint');
  const res = await fetch(`${runner.url}/api/progress`, { headers: { authorization: `Bearer ${runner.ownerToken}` } });
  const progress = await res.json() as ProgressResponse;
  assert.equal(progress.quizzes.find((q) => q.quizId === 'checkpoint-1')!.questionsPassed, 1);
  assert.deepEqual(pageErrors, []);
});

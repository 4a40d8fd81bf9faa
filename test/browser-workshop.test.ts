// A workshop in real browsers: the instructor creates it on the dashboard,
// three learners join from three browsers (separate profiles), two of them
// work in real lab containers, the roster changes live without a reload, and
// the exported CSV matches what each learner did.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { buildSite } from './helpers/site.ts';
import { startTestRunner, type TestRunner } from './helpers/runner-fixture.ts';
import { launchChromium, screenshot } from './helpers/browser.ts';

const LAB = 'syscall-storm';
let siteDir: string;
let runner: TestRunner;
let browser: Browser;
let instructor: Page;
let joinLink = '';
const learners = new Map<string, { context: BrowserContext; page: Page }>();

before(async () => {
  siteDir = mkdtempSync(join(tmpdir(), 'kdlabs-site-'));
  const site = buildSite(siteDir);
  if (!site.ok) throw new Error(`site build failed:\n${site.output}`);
  runner = await startTestRunner({ siteDir, workshopMode: true, allowHostRootLabs: true });
  browser = await launchChromium();
  instructor = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
});

after(async () => {
  await browser?.close();
  await runner?.dispose();
  if (siteDir) rmSync(siteDir, { recursive: true, force: true });
});

test('in workshop mode a browser gets no owner token; the dashboard link carries it', { timeout: 60_000 }, async () => {
  const boot = await fetch(`${runner.url}/api/bootstrap`);
  assert.deepEqual(await boot.json(), { mode: 'workshop' });

  await instructor.goto(`${runner.url}/instructor#owner=${runner.ownerToken}`);
  await instructor.waitForSelector('[data-testid="create-form"]');
  assert.ok(!instructor.url().includes('owner='), 'the token is taken out of the address bar');
  await instructor.check(`[data-testid="create-lab-${LAB}"]`);
  // syscall-storm needs SYS_ADMIN: the form says what offering it means (this runner allows it).
  assert.match(await instructor.locator('[data-testid="host-root-note"]').innerText(), /root on the machine that runs the runner.*--allow-host-root-labs/s);
  await instructor.fill('[data-testid="create-seats"]', '3');
  await instructor.click('[data-testid="create-submit"]');
  await instructor.waitForSelector('[data-testid="join-code-shown"]');
  joinLink = (await instructor.getAttribute('[data-testid="join-link"]', 'href')) ?? '';
  assert.match(joinLink, /\/workshop\?code=[A-Z2-9]{4}-[A-Z2-9]{4}$/);
  await instructor.waitForSelector('[data-testid="roster"]');
  await screenshot(instructor, 'ws-01-instructor-created');
});

test('three learners join from three browsers', { timeout: 90_000 }, async () => {
  for (const name of ['Ada', 'Brian', 'Chen']) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(joinLink);
    await page.fill('[data-testid="join-name"]', name);
    await page.click('[data-testid="join-submit"]');
    await page.waitForSelector('[data-testid="joined"]');
    learners.set(name, { context, page });
  }
  await screenshot(learners.get('Ada')!.page, 'ws-02-learner-joined');
  // The roster shows all three without a reload.
  for (const name of ['Ada', 'Brian', 'Chen']) await instructor.waitForSelector(`[data-testid="roster-${name}"]`, { timeout: 15_000 });

  // A fourth browser finds the workshop full, with a clear message.
  const extra = await (await browser.newContext()).newPage();
  await extra.goto(joinLink);
  await extra.fill('[data-testid="join-name"]', 'Dora');
  await extra.click('[data-testid="join-submit"]');
  const err = await extra.waitForSelector('[data-testid="join-error"]');
  assert.match((await err.textContent()) ?? '', /full|seat/i);
});

async function startLab(page: Page): Promise<void> {
  await page.goto(`${runner.url}/labs/${LAB}`);
  await page.click('[data-testid="start"]');
  await page.waitForSelector('[data-testid="terminal"] .xterm-rows', { timeout: 120_000 });
}

test('learners work in their own labs; the roster follows live', { timeout: 240_000 }, async () => {
  const ada = learners.get('Ada')!.page, brian = learners.get('Brian')!.page;
  await startLab(ada);
  await startLab(brian);
  const sessions = (await runner.call('GET', '/api/sessions')).json.sessions as Array<{ id: string; learnerId?: string; phase: string }>;
  const running = sessions.filter((s) => s.phase === 'running');
  assert.equal(running.length, 2, 'one lab each');
  assert.notEqual(running[0]!.learnerId, running[1]!.learnerId);

  await ada.fill('[data-testid="answer-find-process"]', 'relayd');
  await ada.press('[data-testid="answer-find-process"]', 'Enter');
  await ada.waitForSelector('[data-testid="task-find-process"][data-status="passed"]', { timeout: 20_000 });
  await ada.fill('[data-testid="answer-kernel-column"]', 'sy');
  await ada.press('[data-testid="answer-kernel-column"]', 'Enter');
  await ada.waitForSelector('[data-testid="task-kernel-column"][data-status="passed"]', { timeout: 20_000 });

  await brian.fill('[data-testid="answer-find-process"]', 'bash');
  await brian.press('[data-testid="answer-find-process"]', 'Enter');
  await brian.waitForSelector('[data-testid="task-find-process"][data-status="failed"]', { timeout: 20_000 });
  await brian.click('[data-testid="hint-find-process"]');
  await brian.waitForSelector('#task-find-process .lab-task-hints li');
  // In a workshop the lab's attempt limits bind: kernel-column allows 3 (lab.yaml).
  await brian.waitForFunction(() => document.querySelector('[data-testid="attempts-kernel-column"]')?.textContent?.trim() === '3 of 3 attempts left.', null, { timeout: 10_000 });
  await brian.fill('[data-testid="answer-kernel-column"]', 'us');
  await brian.press('[data-testid="answer-kernel-column"]', 'Enter');
  await brian.waitForFunction(() => document.querySelector('[data-testid="attempts-kernel-column"]')?.textContent?.trim() === '2 of 3 attempts left.', null, { timeout: 10_000 });

  // The instructor's page was never reloaded: the stream brought the changes.
  await instructor.waitForSelector(`[data-testid="cell-Ada-${LAB}"][data-status="in-progress"] .lab-roster-task.passed`, { timeout: 20_000 });
  await instructor.waitForFunction((lab) => {
    const cell = document.querySelector(`[data-testid="cell-Brian-${lab}"]`);
    return cell?.getAttribute('data-status') === 'in-progress' && /hint/.test(cell.textContent ?? '');
  }, LAB, { timeout: 20_000 });
  await screenshot(instructor, 'ws-03-roster-live');

  await instructor.click('[data-testid="roster-Ada"] button');
  await instructor.waitForSelector('[data-testid="timeline"] li:has-text("find-process")');
  await screenshot(instructor, 'ws-04-learner-timeline');
});

test('the exported grades match what the learners did', { timeout: 60_000 }, async () => {
  const { workshops } = (await runner.call('GET', '/api/workshops')).json as { workshops: Array<{ id: string }> };
  const res = await fetch(`${runner.url}/api/workshops/${workshops[0]!.id}/grades?format=csv`, { headers: { authorization: `Bearer ${runner.ownerToken}` } });
  assert.equal(res.status, 200);
  const [header, ...rows] = (await res.text()).trim().split('\r\n').map((l) => l.split(','));
  const col = (name: string): number => header!.indexOf(name);
  const row = (learner: string, task: string): string[] | undefined => rows.find((r) => r[col('learner_name')] === learner && r[col('task_id')] === task);

  assert.equal(row('Ada', 'find-process')?.[col('task_passed')], '1');
  assert.equal(row('Ada', 'kernel-column')?.[col('task_passed')], '1');
  assert.equal(row('Ada', 'batch-writes')?.[col('task_passed')], '0');
  assert.equal(row('Ada', 'find-process')?.[col('lab_tasks_passed')], '2');
  assert.equal(row('Brian', 'find-process')?.[col('task_passed')], '0');
  assert.equal(row('Brian', 'find-process')?.[col('task_attempts')], '1');
  assert.equal(row('Brian', 'find-process')?.[col('task_hints_used')], '1');
  assert.equal(row('Chen', 'find-process')?.[col('task_passed')] ?? '0', '0', 'Chen did nothing and has no credit');
  for (const { context } of learners.values()) await context.close();
});

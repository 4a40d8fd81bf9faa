// test-budget: 10m
// A learner reads in Korean, in a real browser (Debian's Chromium) against a
// real runner and lab container: the language menu of an English page leads to
// its Korean page; the lab page, its panel and its tasks are in Korean; the lab
// starts; a question answered in Korean (시스템 for vmstat's sy column) is graded
// with the lab's Korean reason; a wrong one gets the Korean message; a check
// passes after the fix. Screenshots land in test-artifacts/browser/korean-*.png.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { buildSite } from './helpers/site.ts';
import { startTestRunner, type TestRunner } from './helpers/runner-fixture.ts';
import { launchChromium, screenshot, waitForTerminal } from './helpers/browser.ts';
import { localizeLab } from '../runner/src/common/lab-translation.ts';

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

const waitForStatus = (testId: string, want: string, timeoutMs = 20_000) =>
  page.waitForSelector(`[data-testid="${testId}"][data-status="${want}"]`, { timeout: timeoutMs });

test('the language menu of an English page leads to the same page in Korean', { timeout: 60_000 }, async () => {
  await page.goto(`${runner.url}/labs/${LAB}`);
  await page.waitForSelector('[data-testid="start"]');
  assert.equal(await page.getAttribute('html', 'lang'), 'en-US');
  // VitePress's language menu: the globe button in the nav bar, then the Korean link.
  await page.locator('.VPNavBarTranslations button').hover();
  await page.locator('.VPNavBarTranslations a', { hasText: '한국어' }).click();
  await page.waitForURL(`**/ko/labs/${LAB}`);
  await page.waitForSelector('[data-testid="start"]');
  assert.equal(await page.getAttribute('html', 'lang'), 'ko-KR');
  const ko = localizeLab(runner.manager.labs.get(LAB)!, 'ko');
  assert.notEqual(ko, runner.manager.labs.get(LAB), 'the lab has its Korean translation');
  assert.equal((await page.locator('h1').first().innerText()).split('\n')[0]!.trim(), ko.title);
  assert.equal((await page.locator('[data-testid="start"]').innerText()).trim(), '시작');
  await screenshot(page, 'korean-lab-page');
});

test('the lab starts, and questions are graded in Korean', { timeout: 240_000 }, async () => {
  // The start's progress lines are the runner's own words, asked for in the page's language: noted as they show.
  await page.evaluate(() => {
    const seen = new Set<string>();
    (window as unknown as { progressSeen: Set<string> }).progressSeen = seen;
    setInterval(() => document.querySelectorAll('[data-testid="progress"] .msg').forEach((e) => { if (e.textContent) seen.add(e.textContent); }), 20);
  });
  await page.click('[data-testid="start"]');
  await page.waitForSelector('[data-testid="terminal"] .xterm-rows', { timeout: 180_000 });
  await waitForTerminal(page, /lab:~# $/m, 60_000);
  const shown = await page.evaluate(() => [...(window as unknown as { progressSeen: Set<string> }).progressSeen]);
  assert.ok(shown.some((m) => /실습 이미지를 준비하는 중|컨테이너를 (시작하는|만드는) 중|장애 워크로드를 시작하는 중|실습이 준비되었습니다/.test(m)), `progress in Korean: ${shown.join(' | ')}`);
  assert.deepEqual(shown.filter((m) => /preparing the lab image|starting the container|creating container|fault workload|the lab is ready/.test(m)), [], 'no English progress');

  const ko = localizeLab(runner.manager.labs.get(LAB)!, 'ko');
  const kernelColumn = ko.tasks.find((t) => t.id === 'kernel-column')!.question!;
  await page.fill('[data-testid="answer-kernel-column"]', '사용자');
  await page.press('[data-testid="answer-kernel-column"]', 'Enter');
  await waitForStatus('task-kernel-column', 'failed');
  assert.match(await page.locator('[data-testid="result-kernel-column"]').innerText(), /답이 아닙니다/);

  await page.fill('[data-testid="answer-kernel-column"]', '시스템');
  await page.press('[data-testid="answer-kernel-column"]', 'Enter');
  await waitForStatus('task-kernel-column', 'passed');
  const said = await page.locator('[data-testid="result-kernel-column"]').innerText();
  assert.ok(said.includes(kernelColumn.why!.slice(0, 20)), `the lab's Korean reason in: ${said}`);
  await page.locator('#task-kernel-column').scrollIntoViewIfNeeded();
  await screenshot(page, 'korean-answered');
});

test('a check passes after the fix, with the page in Korean', { timeout: 120_000 }, async () => {
  await page.click('[data-testid="terminal"]');
  await page.keyboard.type("sed -i 's/^write_mode *=.*/write_mode = batched/' /etc/relayd.conf && relayctl restart && echo FIXED-$((6*7))");
  await page.keyboard.press('Enter');
  await waitForTerminal(page, /FIXED-42/, 20_000);
  // The lab's banner is Korean: each syllable must fill its two cells, with no gap between them.
  const fit = await page.evaluate(async () => {
    const term = (window as unknown as { __kdlabsTerminal: { term: { cols: number; options: { fontSize?: number; fontFamily?: string } } } }).__kdlabsTerminal.term;
    const font = `${term.options.fontSize}px ${term.options.fontFamily}`;
    await document.fonts.ready;
    const ctx = document.createElement('canvas').getContext('2d')!;
    ctx.font = font;
    const screen = document.querySelector('[data-testid="terminal"] .xterm-screen') as HTMLElement;
    return { font, loaded: document.fonts.check(font, '한'), cell: screen.getBoundingClientRect().width / term.cols, syllable: ctx.measureText('한').width };
  });
  assert.ok(fit.loaded, `the terminal's Korean font is loaded: ${fit.font}`);
  assert.ok(Math.abs(fit.syllable - 2 * fit.cell) < 0.5, `a syllable (${fit.syllable.toFixed(2)} px) is two cells (${fit.cell.toFixed(2)} px each) in ${fit.font}`);
  await screenshot(page, 'korean-terminal');
  await page.click('[data-testid="check-batch-writes"]');
  await waitForStatus('task-batch-writes', 'passed', 40_000);
  // The check's script said it in Korean (the runner ran it with KDLABS_LANG=ko).
  assert.match(await page.locator('[data-testid="result-batch-writes"]').innerText(), /이제 relayd는 호출당 약 \d+ 바이트를 씁니다/);
  await page.locator('#task-batch-writes').scrollIntoViewIfNeeded();
  await screenshot(page, 'korean-check-passed');
  let asked = '';
  page.once('dialog', (d) => { asked = d.message(); void d.accept(); });
  await page.click('[data-testid="stop"]');
  await page.waitForSelector('[data-testid="start"]:not([disabled])', { timeout: 60_000 });
  assert.match(asked, /[\uac00-\ud7a3]/, `the stop question is in Korean: ${asked}`);
  assert.deepEqual(pageErrors, []);
});

test('the instructor\'s dashboard and "this host" read in Korean too, the labs\' titles included', { timeout: 120_000 }, async () => {
  await page.goto(`${runner.url}/ko/instructor`);
  await page.waitForSelector('[data-testid="create-form"]', { state: 'attached' });
  assert.equal((await page.locator('.lab-create summary').innerText()).trim(), '새 워크숍');
  const ko = localizeLab(runner.manager.labs.get(LAB)!, 'ko');
  await page.waitForSelector(`[data-testid="create-lab-${LAB}"]`, { state: 'attached' });
  const labLabel = await page.locator(`label:has([data-testid="create-lab-${LAB}"])`).innerText();
  assert.ok(labLabel.includes(ko.title), `the lab list in Korean: ${labLabel}`);
  await screenshot(page, 'korean-instructor');

  await page.goto(`${runner.url}/ko/host`);
  await page.waitForSelector('[data-testid="host-verdict"]', { timeout: 60_000 });
  assert.match(await page.locator('[data-testid="host-verdict"]').innerText(), /실습에 필요한 모든 기능이|여기서는 실습을 온전히 실행할 수 없습니다/);
  assert.equal((await page.locator('[data-testid="host-table"] th').first().innerText()).trim(), '기능');
  await screenshot(page, 'korean-host');
  assert.deepEqual(pageErrors, []);
});

// Debian's Chromium driven by playwright-core: no browser download, ever.
import { chromium, type Browser, type Page } from 'playwright-core';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../runner/src/node/util/paths.ts';

export const CHROMIUM_PATH = process.env.KDLABS_CHROMIUM ?? '/usr/bin/chromium';
/** Screenshots of the states a browser test went through; CI keeps this folder as its artifacts. */
export const ARTIFACTS_DIR = join(REPO_ROOT, 'test-artifacts', 'browser');

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`no Chromium at ${CHROMIUM_PATH}: install it with "apt-get install chromium" (or set KDLABS_CHROMIUM)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    // Without the background-networking flags Chromium keeps dialling Google on a closed network.
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const path = join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/** The lab terminal's text, read from xterm.js's buffer (what the learner sees, scrollback included). */
export async function terminalText(page: Page): Promise<string> {
  return page.evaluate(() => {
    type Line = { isWrapped: boolean; translateToString(trim: boolean): string };
    const t = (window as unknown as { __kdlabsTerminal?: { term: { buffer: { active: { length: number; getLine(i: number): Line | undefined } } } } }).__kdlabsTerminal;
    if (!t) return '';
    const buf = t.term.buffer.active;
    const lines: string[] = [];
    for (let i = 0; i < buf.length; i++) {
      const line = buf.getLine(i);
      if (!line) continue;
      // A line the terminal wrapped continues the one before it: join them back (untrimmed where it continues).
      const text = line.translateToString(!buf.getLine(i + 1)?.isWrapped);
      if (line.isWrapped && lines.length) lines[lines.length - 1] += text;
      else lines.push(text);
    }
    return lines.join('\n');
  });
}

/** Waits until the terminal shows `pattern`; the error quotes the end of what it showed. */
export async function waitForTerminal(page: Page, pattern: RegExp, timeoutMs = 15_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < until) {
    text = await terminalText(page);
    if (pattern.test(text)) return text;
    await page.waitForTimeout(150);
  }
  throw new Error(`terminal never showed ${pattern}; it ends with:\n${text.trimEnd().split('\n').slice(-12).join('\n')}`);
}

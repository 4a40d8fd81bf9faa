// axe-core, the accessibility scanner the browser tests run in a page. The
// runner's pages refuse inline scripts (their Content-Security-Policy), as they
// should, so the scanner is not added as a <script>: it goes in through the
// DevTools protocol (page.evaluate), which a page's policy does not govern.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { REPO_ROOT } from '../../runner/src/node/util/paths.ts';

const AXE_SOURCE = readFileSync(join(REPO_ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

/** Defines `window.axe` in the page. */
export async function injectAxe(p: Page): Promise<void> {
  await p.evaluate(AXE_SOURCE);
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inlineScriptHashes, pageFile } from './page-scripts.ts';

const DARK = '(()=>{document.documentElement.classList.add("dark")})();';
const sha = (s: string): string => `sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}`;

function site(fn: (root: string) => void): void {
  const root = mkdtempSync(join(tmpdir(), 'kdlabs-site-'));
  try { fn(root); } finally { rmSync(root, { recursive: true, force: true }); }
}

test('inline scripts are hashed exactly; scripts with src and empty ones are not', () => site((root) => {
  const file = join(root, 'index.html');
  writeFileSync(file, `<html><head><script type="module" src="/assets/app.js"></script>\n<script id="check-dark-mode">${DARK}</script>\n<SCRIPT>window.x=1 </SCRIPT ><script></script></head></html>`);
  assert.deepEqual(inlineScriptHashes(file), [sha(DARK), sha('window.x=1 ')]);
  assert.deepEqual(inlineScriptHashes(join(root, 'app.js')), [], 'not a page');
  assert.deepEqual(inlineScriptHashes(join(root, 'gone.html')), [], 'missing');
}));

test('a rebuilt page gets its new hashes', () => site((root) => {
  const file = join(root, 'index.html');
  writeFileSync(file, '<script>a()</script>');
  assert.deepEqual(inlineScriptHashes(file), [sha('a()')]);
  writeFileSync(file, '<script>bb()</script>');
  utimesSync(file, new Date(), new Date(Date.now() + 5000));
  assert.deepEqual(inlineScriptHashes(file), [sha('bb()')]);
}));

test('paths resolve to the file sirv serves: clean URLs and folders', () => site((root) => {
  mkdirSync(join(root, 'labs'));
  writeFileSync(join(root, 'index.html'), '');
  writeFileSync(join(root, 'roadmap.html'), '');
  writeFileSync(join(root, 'labs', 'index.html'), '');
  assert.equal(pageFile(root, '/'), join(root, 'index.html'));
  assert.equal(pageFile(root, '/roadmap'), join(root, 'roadmap.html'));
  assert.equal(pageFile(root, '/roadmap.html'), join(root, 'roadmap.html'));
  assert.equal(pageFile(root, '/labs/'), join(root, 'labs', 'index.html'));
  assert.equal(pageFile(root, '/labs'), join(root, 'labs', 'index.html'));
  assert.equal(pageFile(root, '/nothing'), null);
}));

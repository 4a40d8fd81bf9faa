// The inline scripts of the site's HTML pages, as CSP hashes. VitePress puts
// a few small scripts in every page (dark mode before first paint, the mac
// class, the page hash map); the policy allows exactly those by hash instead
// of allowing inline scripts at all. A page is read once per version of its
// file (path, size, modification time): a site rebuilt while the runner runs
// gets its new hashes.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** `<script …>…</script>` without a src attribute. The HTML parser takes script text as is, so the hash is of these bytes. */
const INLINE_SCRIPT = /<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi;

const cache = new Map<string, { version: string; hashes: string[] }>();

/** The CSP hashes ('sha256-…') of one HTML file's inline scripts; none for a file that is not HTML or cannot be read. */
export function inlineScriptHashes(file: string): string[] {
  if (!file.endsWith('.html')) return [];
  let version: string;
  try {
    const st = statSync(file);
    version = `${st.size}:${st.mtimeMs}`;
  } catch {
    return [];
  }
  const known = cache.get(file);
  if (known?.version === version) return known.hashes;
  let html: string;
  try { html = readFileSync(file, 'utf8'); } catch { return []; }
  const hashes: string[] = [];
  for (const m of html.matchAll(INLINE_SCRIPT)) {
    if (/\ssrc\s*=/i.test(m[1] ?? '') || !m[2]) continue;
    const h = `sha256-${createHash('sha256').update(m[2], 'utf8').digest('base64')}`;
    if (!hashes.includes(h)) hashes.push(h);
  }
  cache.set(file, { version, hashes });
  return hashes;
}

/**
 * The file sirv answers a path with (its own order: the path, path/index, path.html,
 * path/index.html), or null. Only to pick the hashes: sirv still serves the file.
 */
export function pageFile(root: string, pathname: string): string | null {
  let decoded = pathname;
  try { decoded = decodeURI(pathname); } catch { /* sirv keeps a malformed path as it is */ }
  const base = decoded.replace(/\/$/, '');
  const candidates = [base, `${base}/index`, `${base}.html`, `${base}/index.html`].filter((c) => c !== '');
  for (const c of candidates) {
    const file = join(root, c);
    try { if (statSync(file).isFile()) return file; } catch { /* not this one */ }
  }
  return null;
}

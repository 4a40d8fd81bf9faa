// Builds the VitePress site into a folder, as `npm start` does, for tests that serve or inspect it.
// A dozen test files need the same site: it is built once per content of its sources (the pages,
// the labs, the runner code the theme and the lab pages import, the packages) and copied from
// there, which saves the suite a build of ~25 s per file.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from '../../runner/src/node/util/paths.ts';

export interface SiteBuild { ok: boolean; output: string }

const CACHE_DIR = join(REPO_ROOT, 'test-artifacts', 'site-cache');
/** What the build reads: a change in any of them is a different site. */
const SOURCES = ['docs', 'labs', 'runner/src', 'package-lock.json'];
/** Outputs and caches inside the sources, which the build itself writes. */
const NOT_SOURCES = new Set(['docs/.vitepress/dist', 'docs/.vitepress/cache', 'node_modules']);

export function buildSite(outDir: string): SiteBuild {
  const cached = join(CACHE_DIR, sourceHash());
  if (!existsSync(join(cached, 'index.html'))) {
    const building = `${cached}.${process.pid}`;
    const r = spawnSync(process.execPath, [join(REPO_ROOT, 'node_modules', 'vitepress', 'bin', 'vitepress.js'), 'build', 'docs', '--outDir', building], {
      cwd: REPO_ROOT, encoding: 'utf8',
    });
    const output = `${r.stdout}\n${r.stderr}`;
    if (r.status !== 0) {
      rmSync(building, { recursive: true, force: true });
      return { ok: false, output };
    }
    // Old builds go (only the current sources' site is worth keeping); another run's build in progress stays.
    for (const old of readdirSync(CACHE_DIR)) if (/^[0-9a-f]{16}$/.test(old)) rmSync(join(CACHE_DIR, old), { recursive: true, force: true });
    renameSync(building, cached);
    cpSync(cached, outDir, { recursive: true });
    return { ok: true, output };
  }
  cpSync(cached, outDir, { recursive: true });
  return { ok: true, output: `(an identical build of these sources, ${cached})` };
}

function sourceHash(): string {
  const h = createHash('sha256');
  const walk = (path: string): void => {
    const rel = relative(REPO_ROOT, path);
    if (NOT_SOURCES.has(rel) || !existsSync(path)) return;
    if (statSync(path).isDirectory()) {
      for (const name of readdirSync(path).sort()) walk(join(path, name));
      return;
    }
    h.update(rel).update('\0').update(readFileSync(path)).update('\0');
  };
  for (const s of SOURCES) walk(join(REPO_ROOT, s));
  return h.digest('hex').slice(0, 16);
}

// Builds the VitePress site into a folder, as `npm start` does, for tests that serve or inspect it.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../../runner/src/node/util/paths.ts';

export interface SiteBuild { ok: boolean; output: string }

export function buildSite(outDir: string): SiteBuild {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'node_modules', 'vitepress', 'bin', 'vitepress.js'), 'build', 'docs', '--outDir', outDir], {
    cwd: REPO_ROOT, encoding: 'utf8',
  });
  return { ok: r.status === 0, output: `${r.stdout}\n${r.stderr}` };
}

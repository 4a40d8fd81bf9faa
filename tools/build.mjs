#!/usr/bin/env node
// Bundles kdiag and ktrace into single-file ESM executables for lab images,
// which run them with Debian 12's nodejs (18.19): no npm dependencies at runtime.
//   node tools/build.mjs   ->  tools/dist/kdiag, tools/dist/ktrace
import { chmodSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const root = new URL('.', import.meta.url);
const TOOLS = ['kdiag', 'ktrace'];
/** The oldest Node the images ship (Debian bookworm's nodejs package). */
const TARGET = 'node18';

mkdirSync(new URL('dist/', root), { recursive: true });
for (const name of TOOLS) {
  const outfile = new URL(`dist/${name}`, root).pathname;
  // Written aside and renamed into place: another runner on this host may be hashing
  // dist/ for its image tag right now, and must never read a half-written bundle (so the
  // file is written outside dist/, on the same file system for the rename).
  const tmp = new URL(`.build-${process.pid}/${name}`, root).pathname;
  await build({
    entryPoints: [new URL(`${name}/main.ts`, root).pathname],
    outfile: tmp,
    bundle: true,
    platform: 'node',
    format: 'cjs', // Node 18 runs an extensionless file as CommonJS; ESM there would need a .mjs name
    target: TARGET,
    banner: { js: '#!/usr/bin/env node' },
    legalComments: 'none',
    logLevel: 'warning',
  });
  chmodSync(tmp, 0o755);
  renameSync(tmp, outfile);
  rmSync(new URL(`.build-${process.pid}/`, root), { recursive: true, force: true });
  console.log(`built ${outfile}`);
}

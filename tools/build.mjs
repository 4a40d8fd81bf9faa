#!/usr/bin/env node
// Bundles kdiag and ktrace into single-file ESM executables for lab images,
// which run them with Debian 12's nodejs (18.19): no npm dependencies at runtime.
//   node tools/build.mjs   ->  tools/dist/kdiag, tools/dist/ktrace
import { chmodSync, mkdirSync } from 'node:fs';
import { build } from 'esbuild';

const root = new URL('.', import.meta.url);
const TOOLS = ['kdiag', 'ktrace'];
/** The oldest Node the images ship (Debian bookworm's nodejs package). */
const TARGET = 'node18';

mkdirSync(new URL('dist/', root), { recursive: true });
for (const name of TOOLS) {
  const outfile = new URL(`dist/${name}`, root).pathname;
  await build({
    entryPoints: [new URL(`${name}/main.ts`, root).pathname],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs', // Node 18 runs an extensionless file as CommonJS; ESM there would need a .mjs name
    target: TARGET,
    banner: { js: '#!/usr/bin/env node' },
    legalComments: 'none',
    logLevel: 'warning',
  });
  chmodSync(outfile, 0o755);
  console.log(`built ${outfile}`);
}

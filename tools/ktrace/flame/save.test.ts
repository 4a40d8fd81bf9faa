// `ktrace flame --save` and `ktrace MODE` usage, run as the learner runs them
// (through main.ts), with the spool moved to a temporary directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pictureSchema } from '../../../runner/src/common/pictures.ts';
import { SAVED_PREFIX } from '../pictures/save.ts';
import { SPOOL_ENV } from '../pictures/spool.ts';

const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));

function ktrace(args: string[], spool: string, input?: string) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { encoding: 'utf8', input: input ?? '', env: { ...process.env, [SPOOL_ENV]: spool, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function temp(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'ktrace-save-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('flame --save from folded stacks on stdin: one picture, one stderr line, the text view still printed', (t) => {
  const dir = temp(t);
  const spool = join(dir, 'spool');
  const r = ktrace(['flame', '--save', '--title', 'My profile'], spool, 'ingestd;main;crc32 30\ningestd;main;parse 10\n');
  assert.equal(r.code, 0, r.stderr);
  const saved = r.stderr.split('\n').filter((l) => l.startsWith(SAVED_PREFIX));
  assert.equal(saved.length, 1, r.stderr);
  const [name] = readdirSync(spool);
  assert.match(name ?? '', /^flame-\d{13}-my-profile\.json$/);
  assert.equal(saved[0], `${SAVED_PREFIX}${join(spool, name ?? '')}`);
  const p = pictureSchema.parse(JSON.parse(readFileSync(join(spool, name ?? ''), 'utf8')));
  assert.equal(p.kind, 'flame');
  assert.equal(p.title, 'My profile');
  assert.equal(p.command, "ktrace flame --save --title 'My profile'");
  assert.match(r.stdout, /crc32/);
});

test('flame --input: an empty file and a perf.data perf cannot read are clear failures', (t) => {
  const dir = temp(t);
  writeFileSync(join(dir, 'empty.data'), '');
  const empty = ktrace(['flame', '--input', join(dir, 'empty.data'), '--save'], join(dir, 'spool'));
  assert.equal(empty.code, 1);
  assert.match(empty.stderr, /empty\.data is empty/);
  writeFileSync(join(dir, 'perf.data'), Buffer.concat([Buffer.from('PERFILE2'), Buffer.alloc(64)]));
  const bad = ktrace(['flame', '--input', join(dir, 'perf.data')], join(dir, 'spool'));
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /perf script|cannot run perf/);
  assert.doesNotMatch(bad.stderr, /internal error/);
});

test('usage errors exit 2', (t) => {
  const dir = temp(t);
  assert.equal(ktrace(['flame', '--lab', '--pid', '1'], dir).code, 2);
  assert.equal(ktrace(['syscalls', '--save', '--no-save'], dir).code, 2);
});

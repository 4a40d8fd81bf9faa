// Real runs of the picture-saving commands on this machine: perf records a busy
// loop this test starts, bpftrace traces a dd storm, and the spool (a temporary
// directory) holds pictures the runner's schema accepts. Skips, with the
// reason, where perf, bpftrace or root are missing.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pictureSchema } from '../../../runner/src/common/pictures.ts';
import { evaluatePreflight, gatherFacts } from '../preflight.ts';
import { syscallsMode } from '../modes/syscalls.ts';
import { SAVED_PREFIX } from './save.ts';
import { SPOOL_ENV } from './spool.ts';

const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));

function ktrace(args: string[], spool: string) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { encoding: 'utf8', env: { ...process.env, [SPOOL_ENV]: spool, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function spoolFor(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'ktrace-real-save-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function pictures(spool: string) {
  return readdirSync(spool).map((n) => pictureSchema.parse(JSON.parse(readFileSync(join(spool, n), 'utf8'))));
}

function perfMissing(): string | null {
  if (process.platform !== 'linux') return 'needs Linux';
  if (process.getuid?.() !== 0) return 'needs root for perf record -p';
  const v = spawnSync('perf', ['--version'], { encoding: 'utf8' });
  return v.error || v.status !== 0 ? 'perf is not installed' : null;
}

test('flame --pid --save and --input perf.data --save: a busy loop as flame pictures', (t) => {
  const reason = perfMissing();
  if (reason !== null) { t.skip(reason); return; }
  const spool = spoolFor(t);
  const busy = spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' });
  t.after(() => busy.kill());
  const pid = String(busy.pid ?? 0);
  const rec = ktrace(['flame', '--pid', pid, '--duration', '1', '--save'], spool);
  assert.equal(rec.code, 0, rec.stderr);
  assert.equal(rec.stderr.split('\n').filter((l) => l.startsWith(SAVED_PREFIX)).length, 1, rec.stderr);
  const data = join(spoolFor(t), 'perf.data'); // apart from the spool, which holds only pictures
  const perf = spawnSync('perf', ['record', '-q', '-F', '99', '-g', '-p', pid, '-o', data, '--', 'sleep', '1'], { encoding: 'utf8' });
  assert.equal(perf.status, 0, perf.stderr);
  const fromFile = ktrace(['flame', '--input', data, '--save', '--folded'], spool);
  assert.equal(fromFile.code, 0, fromFile.stderr);
  assert.match(fromFile.stdout, /^sh;/m);
  const saved = pictures(spool);
  assert.equal(saved.length, 2);
  for (const p of saved) {
    assert.equal(p.kind, 'flame');
    if (p.kind === 'flame') assert.ok(p.stacks.every(([s]) => s.startsWith('sh')), JSON.stringify(p.stacks.slice(0, 3)));
  }
});

test('syscalls --json: stdout is the JSON, the spool gets a charts picture', (t) => {
  const issues = process.platform === 'linux' ? evaluatePreflight(gatherFacts(syscallsMode.tracepoints), syscallsMode.tracepoints, syscallsMode.missingHint) : [];
  if (process.platform !== 'linux' || issues.length > 0) { t.skip(`cannot trace here: ${issues.map((i) => i.message).join('; ')}`); return; }
  const spool = spoolFor(t);
  const dd = spawn('dd', ['if=/dev/zero', 'of=/dev/null', 'bs=1', 'count=100000000'], { stdio: 'ignore' });
  t.after(() => dd.kill());
  const r = ktrace(['syscalls', '--json', '--duration', '1', '--pid', String(dd.pid ?? 0)], spool);
  assert.equal(r.code, 0, r.stderr);
  const json = JSON.parse(r.stdout) as { ok: boolean; mode: string };
  assert.deepEqual([json.ok, json.mode], [true, 'syscalls']);
  assert.match(r.stderr, new RegExp(`^${SAVED_PREFIX}${spool}/charts-\\d{13}-syscalls\\.json$`, 'm'));
  const [p] = pictures(spool);
  assert.equal(p?.kind, 'charts');
  if (p?.kind === 'charts') {
    // The title gives the window as measured: on a loaded machine a 1 s trace can span 2 s.
    assert.match(p.title, new RegExp(`^ktrace syscalls — \\d+ s, this lab, pid ${dd.pid ?? 0}$`));
    const rates = p.charts[0];
    assert.ok(rates?.kind === 'bars' && rates.rows.some((row) => row.label === 'write'), JSON.stringify(rates));
  }
  const none = ktrace(['syscalls', '--json', '--no-save', '--duration', '1', '--pid', String(dd.pid ?? 0)], spool);
  assert.equal(none.code, 0, none.stderr);
  assert.equal(readdirSync(spool).length, 1);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecResult } from '../backends/lab-backend.ts';
import { choosePerfData, FALLBACK_PERF_DATA, LOCATE_SCRIPT, parseSavedLine, PictureMaker, stderrGist } from './make.ts';
import { PictureSpool } from './spool.ts';
import { FLAME, hostExec } from './host-exec.test-support.ts';
import type { LabExec } from './lab-exec.ts';

const done = (stderr: string, exitCode = 0): { ok: true; value: ExecResult } => ({ ok: true, value: { exitCode, stdout: '', stderr, timedOut: false, durationMs: 1 } });

test('the saved line names a spool file; anything else is not a picture', () => {
  assert.equal(parseSavedLine('perf: warning\nktrace: picture saved: /var/lib/kdlabs/pictures/flame-1764650000000-lab.json\n'), 'flame-1764650000000-lab.json');
  assert.equal(parseSavedLine('ktrace: picture saved: /var/lib/kdlabs/pictures/flame-1764650000000-a.json\nktrace: picture saved: /var/lib/kdlabs/pictures/charts-1764650000001-b.json'), 'charts-1764650000001-b.json');
  assert.equal(parseSavedLine('ktrace: picture saved: /etc/flame-1764650000000-lab.json'), null);
  assert.equal(parseSavedLine('ktrace: picture saved: /var/lib/kdlabs/pictures/../flame-1764650000000-lab.json'), null);
  assert.equal(parseSavedLine('ktrace: picture saved: /var/lib/kdlabs/pictures/sub/flame-1764650000000-lab.json'), null);
  assert.equal(parseSavedLine('  ktrace: picture saved: /var/lib/kdlabs/pictures/flame-1764650000000-lab.json'), null);
  assert.equal(parseSavedLine(''), null);
});

test('perf.data: the first shell with one, then /root, else where it looked', () => {
  assert.deepEqual(choosePerfData('cwd 90 yes /srv/app\ncwd 41 no /root/work dir\nfallback yes\n'), { file: '/srv/app/perf.data' });
  assert.deepEqual(choosePerfData('cwd 90 yes /srv/app\ncwd 41 yes /root/work dir\n'), { file: '/root/work dir/perf.data' });
  assert.deepEqual(choosePerfData('cwd 41 no /tmp\nfallback yes\n'), { file: FALLBACK_PERF_DATA });
  assert.deepEqual(choosePerfData('cwd 41 yes /\n'), { file: '/perf.data' });
  assert.deepEqual(choosePerfData('cwd 41 no /tmp\ncwd 50 no /tmp\nfallback no\n'), { looked: ['/tmp/perf.data', FALLBACK_PERF_DATA] });
  assert.deepEqual(choosePerfData('cwd x yes relative\nfallback no\n'), { looked: [FALLBACK_PERF_DATA] });
});

test('the locate script runs and answers in its format', () => {
  // On the host it may find shells or not; its lines must parse either way.
  return hostExec('/nonexistent')(LOCATE_SCRIPT, 5000).then((r) => {
    assert.ok(r.ok);
    for (const line of r.value.stdout.trim().split('\n')) assert.match(line, /^(cwd \d+ (yes|no) \/.*|fallback (yes|no))$/);
    assert.match(r.value.stdout, /fallback (yes|no)\n$/);
  });
});

test('a profile runs ktrace, reads back the picture it saved, and is one at a time', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kdlabs-spool-'));
  writeFileSync(join(dir, 'flame-1764650000000-lab.json'), JSON.stringify(FLAME));
  try {
    const read = hostExec(dir);
    let release = (): void => {};
    const ran: Array<Record<string, string>> = [];
    const exec: LabExec = async (script, timeoutMs, env = {}) => {
      if (!script.includes('ktrace')) return read(script, timeoutMs, env);
      ran.push({ ...env, timeoutMs: String(timeoutMs) });
      await new Promise<void>((resolve) => { release = resolve; });
      return done('perf: some warning\nktrace: picture saved: /var/lib/kdlabs/pictures/flame-1764650000000-lab.json\n');
    };
    const maker = new PictureMaker(new PictureSpool());
    const first = maker.profile('s-1', exec, 3);
    const second = await maker.profile('s-1', exec, 3);
    assert.ok(!second.ok && second.error.code === 'conflict' && /a 3 s profile is being made/.test(second.error.message));
    const other = await maker.drawPerfData('s-1', exec);
    assert.ok(!other.ok && other.error.code === 'conflict');
    release();
    const r = await first;
    assert.ok(r.ok, r.ok ? '' : r.error.message);
    assert.deepEqual(r.value, { name: 'flame-1764650000000-lab.json', kind: 'flame', title: FLAME.title, createdAt: FLAME.createdAt });
    assert.equal(ran[0]?.KDLABS_SECONDS, '3');
    assert.equal(ran[0]?.KDLABS_TITLE, 'Profile of the lab, 3 s');
    assert.ok(Number(ran[0]?.timeoutMs) > 3000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a failed ktrace says why; no perf.data says where it looked and what to run', async () => {
  const maker = new PictureMaker(new PictureSpool());
  const failed = await maker.profile('s-1', async () => done('ktrace: perf record failed: Permission denied\n', 1), 2);
  assert.ok(!failed.ok && /exited with 1: ktrace: perf record failed: Permission denied/.test(failed.error.message), !failed.ok ? failed.error.message : '');
  const silent = await maker.profile('s-1', async () => done(''), 2);
  assert.ok(!silent.ok && /saved no picture/.test(silent.error.message));
  const none = await maker.drawPerfData('s-2', async () => ({ ok: true, value: { exitCode: 0, stdout: 'cwd 41 no /srv\nfallback no\n', stderr: '', timedOut: false, durationMs: 1 } }));
  assert.ok(!none.ok && none.error.code === 'not-found');
  assert.match(none.error.message, /\/srv\/perf\.data and \/root\/perf\.data.*perf record -g/);
  assert.equal(stderrGist(''), 'it printed nothing');
});

// A lab's limits hold under abuse: a fork bomb stops at the pids limit, a memory
// hog is OOM-killed inside the lab, a lab that fills its disk quota is stopped,
// and the runner and host carry on.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestRunner, type TestRunner } from './helpers/runner-fixture.ts';

let runner: TestRunner;
let sessionId: string;

before(async () => {
  runner = await startTestRunner();
  sessionId = (await runner.startLab('syscall-storm')).session.id;
});

after(async () => { await runner?.dispose(); });

async function inLab(script: string, timeoutMs = 60_000): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const s = runner.manager.get(sessionId);
  assert.ok(s, 'the session exists');
  const r = await s.execScript(script, timeoutMs);
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  return r.value;
}

test('a fork bomb stops at the pids limit', { timeout: 120_000 }, async () => {
  const lab = runner.manager.labs.get('syscall-storm')!;
  // Fork far more children than the limit allows. perl's fork fails at once at the limit
  // (bash would retry for seconds), and reports how many it got.
  const r = await inLab(`perl -e 'my @k; for (1..${lab.resources.pids * 2}) { my $p = fork(); last unless defined $p; if ($p == 0) { sleep 30; exit 0 } push @k, $p } print "running=", scalar(@k), "\\n"; kill 9, @k; 1 while wait() > 0;'`);
  const running = Number(/running=(\d+)/.exec(r.stdout)?.[1] ?? NaN);
  assert.ok(running > 10, `some sleepers started (${r.stdout} ${r.stderr})`);
  assert.ok(running < lab.resources.pids, `at most ${lab.resources.pids} tasks in the lab, saw ${running} sleepers`);
});

test('a memory hog is OOM-killed inside the lab', { timeout: 120_000 }, async () => {
  const lab = runner.manager.labs.get('syscall-storm')!;
  const hogMiB = Math.ceil((lab.resources.memoryBytes * 2) / 2 ** 20);
  // `tail -n 1` keeps a newline-free stream in memory: it grows until the cgroup's OOM killer ends it (SIGKILL: 137).
  const r = await inLab(`head -c ${hogMiB}M /dev/zero | tail -n 1 >/dev/null; echo "status=\${PIPESTATUS[1]}"`);
  assert.match(r.stdout, /status=137/, `tail was killed by SIGKILL (OOM): ${r.stdout} ${r.stderr}`);
  // The lab is still usable afterwards.
  const after = await inLab('echo alive');
  assert.equal(after.stdout.trim(), 'alive');
});

test('a lab that writes past its disk quota is stopped and removed, with the numbers', { timeout: 300_000 }, async () => {
  // A lab of its own with a small quota, on the base image, and a sweep every second.
  const labsDir = mkdtempSync(join(tmpdir(), 'kdlabs-quota-labs-'));
  const dir = join(labsDir, 'disk-filler');
  mkdirSync(join(dir, 'steps'), { recursive: true });
  writeFileSync(join(dir, 'lab.yaml'), [
    'id: disk-filler', 'title: Disk filler', 'level: beginner', 'summary: Writes past its quota.', 'minutes: 1',
    'backend: container', 'image: base', 'resources: { memory: 128m, pids: 64, cpus: 0.5, disk: 64m }',
    'steps: [steps/01.md]', 'tasks:', '  - id: look', '    title: Look', '    check: checks/look.sh',
    'solution: { script: solve.sh }', 'selftest: { symptom: checks/look.sh }', '',
  ].join('\n'));
  mkdirSync(join(dir, 'checks'));
  for (const [rel, text] of Object.entries({ 'steps/01.md': '# Fill\n\nWrite.\n', 'checks/look.sh': 'true\n', 'solve.sh': 'true\n' })) writeFileSync(join(dir, rel), text);
  const small = await startTestRunner({ labsDir, sweepIntervalMs: 1000 });
  try {
    const id = (await small.startLab('disk-filler')).session.id;
    const s = small.manager.get(id)!;
    const ref = s.labHandle!.ref;
    // 256 MiB in 16 MiB files, four times the quota: the sweep stops the lab on the way.
    const wrote = await s.execScript('for i in $(seq 1 16); do head -c 16M /dev/zero > /root/fill-$i || exit 1; sleep 0.5; done; echo wrote-all', 120_000);
    // The lab may be removed while the script runs: then the exec fails, which is the point.
    if (wrote.ok) assert.doesNotMatch(wrote.value.stdout, /wrote-all/, 'the lab was stopped before it wrote four times its quota');
    for (let i = 0; i < 30 && s.phase !== 'failed'; i++) await new Promise((r) => setTimeout(r, 500));
    assert.equal(s.phase, 'failed', `the session failed: ${s.error}`);
    assert.match(s.error ?? '', /wrote \d+ MiB to its disk, over its quota of 64 MiB, and was stopped/);
    const left = execFileSync('docker', ['ps', '-aq', '--filter', `id=${ref}`], { encoding: 'utf8' }).trim();
    assert.equal(left, '', 'the container and its writable layer are gone');
  } finally {
    await small.dispose();
    rmSync(labsDir, { recursive: true, force: true });
  }
});

// A lab's limits hold under abuse: a fork bomb stops at the pids limit, a memory
// hog is OOM-killed inside the lab, and the runner and host carry on.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
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

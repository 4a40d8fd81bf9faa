// kdiag and ktrace run inside a real lab container (Debian's Node 18, the lab's
// capabilities) and see real numbers: the syscall-storm lab's write storm.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestRunner, type TestRunner } from './helpers/runner-fixture.ts';

let r: TestRunner;
let run: (cmd: string, timeoutMs?: number) => Promise<{ code: number; out: string; err: string }>;
/** The system call this learner's relayd storms with (drawn per learner: write, writev or pwritev2). */
let storming: string;

before(async () => {
  r = await startTestRunner();
  const started = await r.startLab('syscall-storm');
  const session = r.manager.get(started.session.id)!;
  storming = session.params.syscall ?? 'write';
  run = async (cmd, timeoutMs = 60_000) => {
    const x = await session.execScript(cmd, timeoutMs);
    if (!x.ok) throw new Error(x.error.message);
    return { code: x.value.exitCode, out: x.value.stdout, err: x.value.stderr };
  };
});
after(async () => { await r.dispose(); });

test('kdiag: every section reports plausible numbers', async () => {
  const x = await run('kdiag all --json');
  assert.equal(x.code, 0, x.err);
  const report = JSON.parse(x.out);
  const s = report.sections;
  for (const name of ['kernel', 'features', 'log', 'memory', 'cpu', 'tasks', 'hardware']) assert.ok(s[name], `section ${name}`);
  assert.match(s.kernel.release ?? JSON.stringify(s.kernel), /\d+\.\d+/);
  assert.ok(s.memory.meminfo.totalBytes > 0 && s.memory.meminfo.availableBytes <= s.memory.meminfo.totalBytes, JSON.stringify(s.memory.meminfo));
  const split = Object.values(s.cpu.split as Record<string, number>).reduce((a, b) => a + b, 0);
  assert.ok(split > 95 && split < 105, `cpu split sums to ${split}`);
  assert.ok(s.cpu.contextSwitchesPerSec > 0);
  assert.ok(Array.isArray(report.recommendations));
  const human = await run('kdiag cpu');
  assert.equal(human.code, 0);
  assert.match(human.out, /relayd/, 'the busy relay shows among the top processes');
  const usage = await run('kdiag bogus');
  assert.equal(usage.code, 2);
  assert.match(usage.err, /bogus/);
});

test('ktrace syscalls sees the storm of writes from relayd', async () => {
  const x = await run('ktrace syscalls --comm relayd --duration 2 --json');
  assert.equal(x.code, 0, x.err);
  const res = JSON.parse(x.out).result;
  const top = res.top[0];
  assert.equal(top.name, storming);
  assert.ok(top.ratePerSec > 100_000, `write rate ${top.ratePerSec}/s`);
  assert.ok(top.hist.length > 0, 'latency histogram');
});

for (const mode of ['memleak', 'locks', 'biolatency']) {
  test(`ktrace ${mode} traces and returns a well-formed result`, async () => {
    const x = await run(`ktrace ${mode} --duration 1 --json`);
    assert.equal(x.code, 0, x.err);
    const j = JSON.parse(x.out);
    assert.equal(j.ok, true);
    assert.equal(j.result.mode, mode);
    assert.ok(j.attachedProbes >= 2, `probes attached: ${j.attachedProbes}`);
  });
}

// kdiag and ktrace run inside a real lab container (Debian's Node 18, the lab's
// capabilities) and see real numbers: the syscall-storm lab's write storm.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestRunner, type TestRunner } from './helpers/runner-fixture.ts';

/** Calls in a 2-s window that make a storm: relayd makes >100k/s on an idle host, fewer on a loaded one, still far above the lab's background. */
const STORM_MIN_CALLS = 20_000;

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

/** The lab's pid namespace inode, as its own shell sees it. */
async function labPidNamespace(): Promise<number> {
  const x = await run('readlink /proc/self/ns/pid');
  return Number(/pid:\[(\d+)\]/.exec(x.out)?.[1]);
}

test("ktrace syscalls sees the storm of writes from relayd, counted in this lab's pid namespace", async () => {
  const x = await run('ktrace syscalls --comm relayd --duration 2 --json');
  assert.equal(x.code, 0, x.err);
  const j = JSON.parse(x.out);
  assert.equal(j.scope.kind, 'lab');
  assert.equal(j.scope.pidNamespace, await labPidNamespace());
  const top = j.result.top[0];
  assert.equal(top.name, storming);
  assert.ok(top.count > STORM_MIN_CALLS, `${top.name} calls ${top.count}`);
  assert.ok(top.hist.length > 0, 'latency histogram');
});

test('ktrace --pid takes the pid the lab sees (not the host pid bpftrace knows)', async () => {
  const x = await run('ktrace syscalls --pid "$(cat /run/relayd.pid)" --duration 2 --json');
  assert.equal(x.code, 0, x.err);
  const j = JSON.parse(x.out);
  assert.equal(j.result.top[0]?.name, storming, x.out);
  assert.ok(j.result.top[0].count > STORM_MIN_CALLS, `calls ${j.result.top[0].count}`);
});

test('ktrace memleak shows lab pids: the relay processes under the pids ps shows in the lab', async () => {
  const x = await run('pgrep -d, relayd; ktrace memleak --duration 2 --json --top 1000');
  assert.equal(x.code, 0, x.err);
  const [pgrep = '', ...json] = x.out.split('\n');
  const relayPids = pgrep.split(',').map(Number);
  const j = JSON.parse(json.join('\n'));
  assert.equal(j.scope.kind, 'lab');
  const relay = j.result.suspects.filter((s: { comm: string }) => s.comm.startsWith('relayd'));
  assert.ok(relay.length > 0, `relayd allocates (socket buffers): ${JSON.stringify(j.result.suspects.map((s: { comm: string }) => s.comm))}`);
  for (const s of relay) {
    assert.ok(relayPids.includes(s.pid), `${s.comm} pid ${s.pid} is one of the lab's relayd pids ${pgrep}`);
    assert.notEqual(s.hostPid, s.pid, 'the host pid is a different number in a container');
  }
  assert.ok(j.result.suspects.every((s: { pid: number | null }) => s.pid !== null), 'only lab processes');
});

for (const mode of ['locks', 'biolatency']) {
  test(`ktrace ${mode} traces this lab and returns a well-formed result`, async () => {
    const x = await run(`ktrace ${mode} --duration 1 --json`);
    assert.equal(x.code, 0, x.err);
    const j = JSON.parse(x.out);
    assert.equal(j.ok, true);
    assert.equal(j.result.mode, mode);
    assert.equal(j.scope.kind, 'lab');
    assert.ok(j.attachedProbes >= 2, `probes attached: ${j.attachedProbes}`);
  });
}

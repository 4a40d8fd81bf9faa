// Two learners' syscall-storm labs on one host, storming with different system
// calls at the same time. Each learner types `ktrace syscalls` into their own
// terminal (the login shell over the runner's WebSocket) and must see only their
// own storm: tracepoints fire host-wide, so without ktrace's pid-namespace filter
// each would count the other's storm too (and --all-host shows exactly that).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestRunner, type TestRunner } from './helpers/runner-fixture.ts';
import { TerminalClient } from '../runner/src/node/cli/terminal-client.ts';
import type { Session } from '../runner/src/node/sessions/session.ts';

/** Two of syscall-storm's per-learner choices; neither is made by anything else in the lab. */
const STORMS = ['writev', 'pwritev2'] as const;
/** Calls in the window that make a storm: relayd makes >100k/s on an idle host, fewer on a loaded one, still far above the lab's background. */
const STORM_MIN_CALLS = 20_000;
/** bpftrace compiles and attaches in each lab while two storms load the host's CPUs. */
const KTRACE_TIMEOUT_MS = 180_000;
const TRACE_SECONDS = 3;
/** A wide terminal, so typed lines and ktrace's tables do not wrap. */
const WIDE_COLS = 200;
const WIDE_ROWS = 50;

let r: TestRunner;
const labs: { syscall: string; session: Session }[] = [];

before(async () => {
  r = await startTestRunner();
  for (const syscall of STORMS) {
    const created = r.manager.create('syscall-storm', { params: { syscall } });
    if (!created.ok) throw new Error(`start syscall-storm (${syscall}): ${created.error.message}`);
    labs.push({ syscall, session: created.value.session });
    const started = await created.value.ready;
    if (!started.ok) throw new Error(`lab ${syscall}: ${started.error.message}`);
  }
});
after(async () => { await r.dispose(); });

// eslint-disable-next-line no-control-regex -- ANSI escapes are what is being removed
const stripAnsi = (s: string) => s.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '');

/** A learner at the lab's terminal: types a command and reads what the screen shows until it ends. */
class Learner {
  private readonly term: TerminalClient;
  private n = 0;
  constructor(session: Session) {
    this.term = new TerminalClient({ url: r.url, sessionId: session.id, token: session.token });
  }
  async type(command: string, timeoutMs = 30_000): Promise<{ exit: number; out: string }> {
    await this.term.opened;
    if (this.n === 0) this.term.resize(WIDE_COLS, WIDE_ROWS);
    const mark = `done-${++this.n}-${Math.random().toString(36).slice(2, 8)}`;
    const end = new RegExp(`${mark}=(\\d+)`); // the echo of the typed line shows `$?` literally: only the real end matches
    const seen = this.term.waitFor(end, timeoutMs);
    this.term.input(`${command}; echo "${mark}=$?"\r`);
    const clean = stripAnsi(await seen);
    // What the command printed: after the typed line, up to the marker.
    const typed = clean.indexOf(`echo "${mark}=`);
    return { exit: Number(end.exec(clean)?.[1]), out: clean.slice(clean.indexOf('\n', typed) + 1, clean.search(end)) };
  }
  close(): void { this.term.close(); }
}

interface Screen { scope: string; pidNs: number | null; counts: Map<string, number>; distinct: number }

/** Reads ktrace syscalls' human output: the scope line and the table of syscall, count, rate. */
function readSyscalls(out: string): Screen {
  const scope = /^ {2}(scope: .*)$/m.exec(out)?.[1] ?? '';
  const pidNs = /pid namespace (\d+)/.exec(scope)?.[1];
  const distinct = Number(/syscalls \((\d+) distinct\)/.exec(out)?.[1] ?? NaN);
  const table = out.slice(out.search(/^ {2}syscall +count/m), out.indexOf('latency, all syscalls'));
  const counts = new Map<string, number>();
  for (const m of table.matchAll(/^ {2}(\w+) +([\d,]+) +[\d,]+ /gm)) counts.set(m[1] ?? '', Number((m[2] ?? '').replace(/,/g, '')));
  return { scope, pidNs: pidNs === undefined ? null : Number(pidNs), counts, distinct };
}

test("each learner's ktrace syscalls names only their own storm; --all-host shows both", async (t) => {
  const learners = labs.map((l) => ({ ...l, at: new Learner(l.session) }));
  try {
    const nsOf = await Promise.all(learners.map(async (l) => {
      const x = await l.at.type('readlink /proc/self/ns/pid');
      return Number(/pid:\[(\d+)\]/.exec(x.out)?.[1]);
    }));
    assert.notEqual(nsOf[0], nsOf[1], 'two labs, two pid namespaces');

    // Both learners trace at the same moment, while both storms run.
    const screens = await Promise.all(learners.map((l) => l.at.type(`ktrace syscalls --duration ${TRACE_SECONDS} --top 100`, KTRACE_TIMEOUT_MS)));
    const [a, b] = learners;
    const wide = await learners[0]!.at.type(`ktrace syscalls --duration ${TRACE_SECONDS} --top 100 --all-host`, KTRACE_TIMEOUT_MS);

    const seen = screens.map((x) => readSyscalls(x.out));
    const host = readSyscalls(wide.out);
    const fmt = (s: Screen) => STORMS.map((c) => `${c} ${s.counts.get(c) ?? 0}`).join(', ');
    t.diagnostic(`lab ${a!.syscall}: ${fmt(seen[0]!)} | lab ${b!.syscall}: ${fmt(seen[1]!)} | lab ${a!.syscall} --all-host: ${fmt(host)}`);

    learners.forEach((l, i) => {
      const x = screens[i]!;
      const s = seen[i]!;
      const other = STORMS.find((c) => c !== l.syscall)!;
      assert.equal(x.exit, 0, x.out);
      assert.match(s.scope, /^scope: this lab \(pid namespace \d+/, x.out);
      assert.equal(s.pidNs, nsOf[i], 'the scope is this lab\'s own pid namespace');
      assert.ok(s.distinct <= 100, 'every syscall is in the table');
      const top = [...s.counts.entries()].sort((p, q) => q[1] - p[1])[0];
      assert.equal(top?.[0], l.syscall, `the storm is the top syscall in lab ${l.syscall}: ${x.out}`);
      assert.ok((s.counts.get(l.syscall) ?? 0) >= STORM_MIN_CALLS, `own storm counted: ${x.out}`);
      assert.equal(s.counts.get(other), undefined, `the neighbour's ${other} is not counted in lab ${l.syscall}: ${x.out}`);
    });

    // The same learner, host-wide: both storms are there, so their absence above was the filter's doing.
    assert.equal(wide.exit, 0, wide.out);
    assert.match(wide.out, /WHOLE HOST \(--all-host\)/);
    for (const c of STORMS) assert.ok((host.counts.get(c) ?? 0) >= STORM_MIN_CALLS, `host-wide sees the ${c} storm: ${wide.out}`);
  } finally {
    for (const l of learners) l.at.close();
  }
});

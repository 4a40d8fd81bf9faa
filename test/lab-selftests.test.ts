// Every lab proves itself against the real backend: start, fault present,
// walkthrough (the learner's commands typed into the lab's terminal), solution,
// every check passes, nothing left behind. Two small labs made here prove the
// self-test itself: the walkthrough fails on what it must catch, and the leak
// check fails when a container is left.
// test-budget: 60m
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadLabs } from '../runner/src/node/labs/registry.ts';
import { loadLab } from '../runner/src/node/labs/load-lab.ts';
import { LABS_DIR } from '../runner/src/node/util/paths.ts';
import { createDocker } from '../runner/src/node/util/docker-client.ts';
import { ImageBuilder } from '../runner/src/node/images/image-builder.ts';
import { ContainerBackend } from '../runner/src/node/backends/container.ts';
import { QemuBackend } from '../runner/src/node/backends/qemu/index.ts';
import { VmImageBuilder } from '../runner/src/node/images/vm-image-builder.ts';
import { labImageResolver } from '../runner/src/node/images/resolve-image.ts';
import { SELFTEST_STEPS, selfTestLab, type SelfTestReport } from '../runner/src/node/selftest/lab-selftest.ts';
import type { LabBackend, LabHandle } from '../runner/src/node/backends/lab-backend.ts';
import type { ResolvedLab } from '../runner/src/common/lab-schema.ts';
import { DEFAULT_TERMINAL_SIZE } from '../runner/src/common/terminal-size.ts';
import { paramSweep } from '../runner/src/common/params.ts';

const { labs, problems } = loadLabs(LABS_DIR);

test('every lab file in labs/ loads', () => {
  assert.deepEqual(problems, []);
  assert.ok(labs.size >= 1);
});

const docker = createDocker();
const resolveImage = labImageResolver(new ImageBuilder(docker), new VmImageBuilder());
const backendsFor = (runnerName: string) => ({ container: new ContainerBackend(docker, runnerName), vm: new QemuBackend({ runnerName }) });
const summaryOf = (report: SelfTestReport): string => report.steps.map((s) => `${s.ok ? 'ok' : 'FAIL'} ${s.name}: ${s.detail}`).join('\n');
const stepOf = (report: SelfTestReport, name: typeof SELFTEST_STEPS[number]) => report.steps.find((s) => s.name === name);

// Once per choice of every per-learner parameter: each learner must get a lab that works. The
// walkthrough types the same steps and hints whatever the choice, so the suite types it in the
// first run of each lab only (`labs test` types it in every run).
for (const lab of labs.values()) for (const [i, params] of paramSweep(lab.params).entries()) {
  const shown = Object.entries(params).map(([k, v]) => `${k}=${v}`).join(', ');
  const skipWalkthrough = i === 0 ? undefined : 'typed in the first run of this lab\'s parameter sweep';
  test(`self-test: ${lab.id}${shown ? ` (${shown})` : ''}`, { timeout: lab.selftest.timeoutSeconds * 1000 + 600_000 }, async () => {
    const report = await selfTestLab(lab, { backends: backendsFor, resolveImage, params, skipWalkthrough });
    const summary = summaryOf(report);
    assert.ok(report.ok, summary);
    for (const name of SELFTEST_STEPS) {
      assert.ok(report.steps.some((s) => s.name === name && s.ok), `step "${name}" ran and passed:\n${summary}`);
    }
  });
}

// ---- The self-test of the self-test: two container labs written here, on the base image. ----

const scratch = mkdtempSync(join(tmpdir(), 'kdlabs-selftest-labs-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A lab whose fault is a file: setup makes it, the solution removes it, the check and the symptom look. */
function probeLab(id: string, step: string, hints: string[], extra: { yaml?: string[]; setup?: string } = {}): ResolvedLab {
  const files: Record<string, string> = {
    'lab.yaml': [
      `id: ${id}`, 'title: Walkthrough probe', 'level: beginner', 'summary: A lab that tests the self-test.', 'minutes: 1',
      'backend: container', 'image: base', 'resources: { memory: 64m, pids: 64, cpus: 0.5 }', 'setup: setup.sh', 'steps: [steps/01.md]',
      'tasks:', '  - id: fix', '    title: Fix it', '    check: checks/fixed.sh', `    hints: ${JSON.stringify(hints)}`,
      'solution: { script: solve.sh }', 'selftest: { symptom: checks/symptom.sh }', ...extra.yaml ?? [], '',
    ].join('\n'),
    'setup.sh': `touch /tmp/fault\n${extra.setup ?? ''}`,
    'solve.sh': 'rm -f /tmp/fault\n',
    'checks/fixed.sh': 'test ! -e /tmp/fault\n',
    'checks/symptom.sh': 'test -e /tmp/fault\n',
    'steps/01.md': `# Look\n\n${step}\n`,
  };
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(scratch, id, rel)), { recursive: true });
    writeFileSync(join(scratch, id, rel), text);
  }
  const loaded = loadLab(join(scratch, id));
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  return loaded.lab;
}

const { rows, cols } = DEFAULT_TERMINAL_SIZE;
const fence = (info: string, body: string): string => `\`\`\`${info}\n${body}\n\`\`\`\n`;

test('the walkthrough types every kind of command into the page\'s login shell, at the page\'s size, and passes', { timeout: 300_000 }, async () => {
  const lab = probeLab('walkthrough-passes', [
    // The page's shell: a login shell with the bundled tools on PATH, at the page's default size.
    fence('bash', `shopt -q login_shell && test "$(stty size)" = "${rows} ${cols}"\ncommand -v kdiag ktrace`),
    fence('bash', 'for i in 1 2; do\n  echo "line $i"\ndone'),
    fence('bash walkthrough=expect-fail', 'grep -q no-such-text /etc/hostname'),
    fence('bash walkthrough=ctrl-c:2', 'sleep 600'),
    fence('bash walkthrough=interactive:q', 'less /etc/os-release'),
    fence('bash walkthrough=skip', 'no-such-command-typed'),
    fence('bash norun', 'no-such-command-on-your-machine'),
    fence('text', 'not-a-command'),
  ].join('\n'), ['Run `true`, then `cat /etc/hostname`.', 'Look at `/etc/os-release`{walkthrough=file}; the `RIP: <function>` line; `jstat -gc <pid>`.', '`anything`{walkthrough=skip} is text.']);
  const report = await selfTestLab(lab, { backends: backendsFor, resolveImage });
  assert.ok(report.ok, summaryOf(report));
  assert.match(stepOf(report, 'walkthrough')!.detail, new RegExp(`^8 command\\(s\\) typed at ${rows}×${cols} .*, 2 not typed`));
});

test('the walkthrough fails on command not found, a missing file the command names, a non-zero exit; the leak check fails on a container left', { timeout: 300_000 }, async () => {
  const lab = probeLab('walkthrough-fails', [
    fence('bash', 'echo fine'),
    fence('bash', 'kd-no-such-command --help'),
    fence('bash', 'cat /tmp/kd-no-such-file'),
    fence('bash', 'false'),
    fence('bash walkthrough=ctrl-c:5', 'sh -c "exit 3"'),
  ].join('\n'), ['The table is in `/tmp/kd-no-such-header.h`{walkthrough=file}.']);
  // A backend that forgets to remove its containers: exactly what the leak check is for.
  let leaked: LabHandle | null = null;
  let cleanUp = async (): Promise<void> => {};
  const leaky = (runnerName: string): Partial<Record<'container', LabBackend>> => {
    const real = new ContainerBackend(docker, runnerName);
    cleanUp = async () => { await real.reapOrphans(runnerName); };
    const forgetful = Object.create(real) as ContainerBackend;
    forgetful.stop = async (handle) => { leaked = handle; return { ok: true, value: undefined }; };
    return { container: forgetful };
  };
  try {
    const report = await selfTestLab(lab, { backends: leaky, resolveImage });
    const summary = summaryOf(report);
    assert.equal(report.ok, false);
    for (const name of ['start', 'fault present (symptom)', 'solution', 'every check passes after the fix'] as const) assert.ok(stepOf(report, name)?.ok, `${name}:\n${summary}`);
    const walk = stepOf(report, 'walkthrough')!;
    assert.equal(walk.ok, false, summary);
    const failures = walk.detail.split('\n').slice(1).map((l) => l.trim()).filter((l) => !l.startsWith('note: '));
    assert.equal(failures.length, 5, walk.detail);
    assert.match(failures[0]!, /block 2 .*kd-no-such-command: command not found/);
    assert.match(failures[1]!, /block 3 .*\/tmp\/kd-no-such-file: No such file or directory/);
    assert.match(failures[2]!, /block 4 .*`false`: exit status 1/);
    assert.match(failures[3]!, /block 5 .*exit status 3/);
    assert.match(failures[4]!, /hint 1 of fix: `ls -d -- \/tmp\/kd-no-such-header.h`: .*No such file or directory/);
    const leak = stepOf(report, 'stop, nothing left behind')!;
    assert.equal(leak.ok, false, summary);
    assert.ok(leaked, 'the lab was stopped through the backend');
    assert.match(leak.detail, new RegExp(`environments left: ${(leaked as LabHandle).ref}`));
  } finally {
    await cleanUp();
  }
});

test('the parameter check finds a learner\'s value in a file, an environment and a command line', { timeout: 300_000 }, async () => {
  const lab = probeLab('param-leaks', fence('bash', 'echo look'), [], {
    yaml: ['params:', '  colour: { choices: [teal, ochre], measuredIn: [/run/probe-report] }'],
    setup: [
      'mkdir -p /var/lib/probe && echo "colour = $KDLABS_PARAM_COLOUR" > /var/lib/probe/state',
      'PROBE_COLOUR=$KDLABS_PARAM_COLOUR setsid sleep 600 > /dev/null 2>&1 < /dev/null &',
      'setsid bash -c "exec -a probe-$KDLABS_PARAM_COLOUR sleep 601" > /dev/null 2>&1 < /dev/null &',
      // A value inside a longer word gives nothing away: it must not be reported.
      'echo "${KDLABS_PARAM_COLOUR}ish_mode = on" > /var/lib/probe/other',
      // The measurement a step teaches may show it (lab.yaml measuredIn).
      'echo "slowest: $KDLABS_PARAM_COLOUR" > /run/probe-report', '',
    ].join('\n'),
  });
  const report = await selfTestLab(lab, { backends: backendsFor, resolveImage, params: { colour: 'ochre' }, skipWalkthrough: 'not what this test is about' });
  const hidden = stepOf(report, 'parameters hidden from the lab')!;
  assert.equal(hidden.ok, false, summaryOf(report));
  assert.match(hidden.detail, /colour in \/var\/lib\/probe\/state/);
  assert.match(hidden.detail, /colour in \/proc\/\d+\/environ \(sleep 600/);
  assert.match(hidden.detail, /colour in \/proc\/\d+\/cmdline \(probe-ochre 601/);
  assert.doesNotMatch(hidden.detail, /probe\/other/);
  assert.doesNotMatch(hidden.detail, /probe-report/);
  assert.ok(stepOf(report, 'stop, nothing left behind')?.ok, summaryOf(report));
});

// What a container lab can do to the host, measured from inside a running lab as
// root (test/fixtures/containment-probe.sh): each escape path open or blocked. A lab
// with any path open must be one the runner calls host-root-equivalent, so that a
// workshop refuses it without --allow-host-root-labs. The list is printed as measured.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Docker from 'dockerode';
import { startTestRunner, type TestRunner } from './helpers/runner-fixture.ts';
import { ContainerBackend } from '../runner/src/node/backends/container.ts';
import { hostRootReasons } from '../runner/src/common/host-root.ts';
import { REPO_ROOT } from '../runner/src/node/util/paths.ts';

const LAB = 'syscall-storm';
/** Paths that must be blocked in every container lab, host-root or not. */
const ALWAYS_BLOCKED = ['network', 'cap-sys-module'];

let runner: TestRunner;
let sessionId: string;

before(async () => {
  runner = await startTestRunner();
  sessionId = (await runner.startLab(LAB)).session.id;
});

after(async () => { await runner?.dispose(); });

interface Finding { id: string; status: 'open' | 'blocked'; detail: string }

test(`what ${LAB} can do to the host, measured inside it`, { timeout: 180_000 }, async (t) => {
  const probe = readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'containment-probe.sh'), 'utf8');
  const handle = runner.manager.get(sessionId)!.labHandle!;
  // The lab's own bash as root: what the learner's shell can do.
  const r = await new ContainerBackend(new Docker(), runner.name).exec(handle, ['bash', '-s'], { stdin: probe, timeoutMs: 90_000 });
  assert.ok(r.ok, JSON.stringify(r));
  const lines = r.value.stdout.split('\n');
  const findings: Finding[] = lines.filter((l) => l.includes('\t')).map((l) => {
    const [id, status, detail] = l.split('\t') as [string, Finding['status'], string];
    return { id, status, detail };
  });
  // Disk: the lab's / against the disk Docker keeps its layers on.
  const labKib = Number(/^root-size-kib (\d+)$/m.exec(r.value.stdout)?.[1]);
  const dockerRoot = execFileSync('docker', ['info', '--format', '{{.DockerRootDir}}'], { encoding: 'utf8' }).trim();
  const hostKib = Number(execFileSync('df', ['-Pk', dockerRoot], { encoding: 'utf8' }).split('\n')[1]!.split(/\s+/)[1]);
  // The engine sets no size on overlay2 over ext4, so the runner enforces the quota (lab-limits.test.ts proves it).
  const quotaGiB = (runner.manager.labs.get(LAB)!.resources.diskBytes / 2 ** 30).toFixed(1);
  findings.push(labKib === hostKib
    ? { id: 'disk-quota', status: 'blocked', detail: `the lab's / shows the host's ${(hostKib / 2 ** 20).toFixed(0)} GiB disk; the runner stops the lab once its writable layer passes ${quotaGiB} GiB (measured every 10 s, so it may overshoot by what it writes in that time)` }
    : { id: 'disk-quota', status: 'blocked', detail: `the lab's / holds ${(labKib / 2 ** 20).toFixed(1)} GiB; the runner also stops it past ${quotaGiB} GiB` });

  t.diagnostic(`containment of ${LAB}, measured:\n${findings.map((f) => `  ${f.status === 'open' ? 'OPEN   ' : 'blocked'}  ${f.id.padEnd(17)} ${f.detail}`).join('\n')}`);
  console.log(JSON.stringify({ lab: LAB, findings }));

  const ids = findings.map((f) => f.id);
  for (const id of ['user-namespace', 'cap-sys-admin', 'seccomp', 'apparmor', 'cgroup-namespace', 'release-agent', 'host-sysctl', 'tracefs-write', 'host-processes', 'network']) {
    assert.ok(ids.includes(id), `the probe measured ${id}: ${r.value.stdout} ${r.value.stderr}`);
  }
  for (const id of ALWAYS_BLOCKED) assert.equal(findings.find((f) => f.id === id)!.status, 'blocked', `${id} is blocked in every lab`);
  const open = findings.filter((f) => f.status === 'open');
  const lab = runner.manager.labs.get(LAB)!;
  if (open.length) {
    assert.ok(hostRootReasons(lab).length > 0, `${LAB} leaves ${open.map((f) => f.id).join(', ')} open, so the runner must call it host-root-equivalent (workshops refuse it)`);
  }
});

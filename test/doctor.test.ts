// test-budget: 8m
// `labs doctor` on this very host, its API and its page: the report names every
// capability, agrees with what the host shows when looked at directly, Docker
// (running here) is ok, KVM or TCG comes with a reason; GET /api/doctor is for
// the owner only; the site's "This host" page shows the same table.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CAPABILITIES, CAPABILITY_IDS, type DoctorReport } from '../runner/src/common/doctor.ts';
import { REPO_ROOT } from '../runner/src/node/util/paths.ts';
import { startTestRunner, type TestRunner } from './helpers/runner-fixture.ts';
import { buildSite } from './helpers/site.ts';
import { launchChromium, screenshot } from './helpers/browser.ts';

const LABS_CLI = join(REPO_ROOT, 'runner', 'bin', 'labs.mjs');
/** The checks run side by side; the slowest (Chromium's --version, the KVM probe) take seconds on a loaded host. */
const CLI_TIMEOUT_MS = 120_000;

function doctor(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [LABS_CLI, 'doctor', ...args], { encoding: 'utf8', timeout: CLI_TIMEOUT_MS, env: { ...process.env, COLUMNS: '140' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let report: DoctorReport;
let exitCode: number | null;
const cap = (id: string) => report.capabilities.find((c) => c.id === id)!;

before(() => {
  const r = doctor(['--json']);
  exitCode = r.code;
  assert.ok(r.code === 0 || r.code === 1, `labs doctor --json exited ${r.code}: ${r.stderr}`);
  report = JSON.parse(r.stdout) as DoctorReport;
});

test('the report is well-formed and names every capability once, in order', () => {
  assert.equal(report.version, 1);
  assert.ok(!Number.isNaN(Date.parse(report.generatedAt)));
  assert.deepEqual(report.capabilities.map((c) => c.id), CAPABILITY_IDS);
  assert.deepEqual(report.capabilities.map((c) => c.title), CAPABILITIES.map((c) => c.title));
  for (const c of report.capabilities) {
    assert.ok(['ok', 'degraded', 'missing'].includes(c.status), `${c.id}: status ${c.status}`);
    assert.ok(c.detail.length > 0, `${c.id} has a detail`);
    if (c.status !== 'ok') assert.ok(c.why && c.why.length > 0, `${c.id} is ${c.status} and says why`);
    if (c.status === 'missing') assert.ok(c.fix && c.fix.length > 0, `${c.id} is missing and names a fix`);
  }
  assert.equal(report.ok, report.blocking.length === 0);
  assert.equal(exitCode, report.ok ? 0 : 1, 'the exit code follows the verdict');
});

test('Docker, running here, is ok with the version the engine reports', async () => {
  const docker = cap('docker');
  assert.equal(docker.status, 'ok');
  const info = spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], { encoding: 'utf8' });
  if (info.status === 0) assert.equal(docker.facts.version, info.stdout.trim());
  assert.ok(docker.affects.labs.some((l) => l.impact === 'cannot-start'), 'container labs cannot start without it');
});

test('KVM or TCG, with a reason, agreeing with /dev/kvm', () => {
  assert.ok(report.accel.accel === 'kvm' || report.accel.accel === 'tcg' || report.accel.accel === null);
  assert.ok(report.accel.reason.length > 10, 'a reason is given');
  const kvm = cap('kvm');
  assert.equal(kvm.facts.devKvm, existsSync('/dev/kvm'));
  if (!existsSync('/dev/kvm')) {
    assert.equal(report.accel.accel, 'tcg', 'without /dev/kvm VM labs run on TCG');
    assert.equal(kvm.status, 'degraded');
  }
  assert.match(`${kvm.detail} ${kvm.why}`, /kvm|tcg|KVM|TCG/);
  assert.ok(!kvm.needed, 'VM labs run without KVM (slower), so it never fails the verdict');
});

test('the other lines agree with the host looked at directly', () => {
  const tracefs = existsSync('/sys/kernel/tracing/trace') ? '/sys/kernel/tracing' : null;
  assert.equal(cap('btf').status === 'ok', existsSync('/sys/kernel/btf/vmlinux'));
  assert.equal(cap('tracefs').status === 'missing', tracefs === null && !existsSync('/sys/kernel/debug/tracing/trace'));
  const kprobeEvents = tracefs !== null && existsSync(`${tracefs}/kprobe_events`);
  const kprobePmu = existsSync('/sys/bus/event_source/devices/kprobe');
  if (!kprobeEvents && !kprobePmu && tracefs) assert.equal(cap('kprobes').status, 'missing');
  if (kprobeEvents) assert.notEqual(cap('kprobes').status, 'missing');
  const release = spawnSync('uname', ['-r'], { encoding: 'utf8' }).stdout.trim();
  const headers = existsSync(`/lib/modules/${release}/build/include`) || existsSync('/sys/kernel/kheaders.tar.xz');
  assert.equal(cap('bcc-headers').status === 'ok', headers);
  if (!headers) assert.match(cap('bcc-headers').why ?? '', /Failed to compile BPF module/);
  assert.equal(cap('chromium').status === 'ok', existsSync(process.env.KDLABS_CHROMIUM ?? '/usr/bin/chromium'));
  const cgroup2Root = spawnSync('stat', ['-f', '-c', '%T', '/sys/fs/cgroup'], { encoding: 'utf8' }).stdout.trim() === 'cgroup2fs';
  assert.equal(cap('cgroups').facts.mode === 'v2', cgroup2Root);
});

test('the plain-text table shows every capability and the same verdict', () => {
  const r = doctor([]);
  assert.equal(r.code, exitCode);
  assert.match(r.stdout, /CAPABILITY\s+STATUS\s+DETAIL\s+FIX\s+AFFECTS/);
  for (const { title } of CAPABILITIES) assert.ok(r.stdout.includes(title), `the table has a ${title} row`);
  assert.match(r.stdout, /Docker Engine\s+✔ ok/);
  assert.match(r.stdout, report.ok ? /Every capability a lab needs works here/ : /Labs cannot run fully here/);
});

let runner: TestRunner;
let siteDir: string;

before(async () => {
  siteDir = mkdtempSync(join(tmpdir(), 'kdlabs-site-'));
  const site = buildSite(siteDir);
  if (!site.ok) throw new Error(`site build failed:\n${site.output}`);
  runner = await startTestRunner({ siteDir });
});
after(async () => {
  await runner?.dispose();
  if (siteDir) rmSync(siteDir, { recursive: true, force: true });
});

test('GET /api/doctor: refused without the owner token, the report with it', { timeout: 120_000 }, async () => {
  const anon = await runner.call('GET', '/api/doctor', { headers: { authorization: '' } });
  assert.equal(anon.status, 401);
  assert.equal(anon.json.error.code, 'unauthorized');
  const wrong = await runner.call('GET', '/api/doctor', { headers: { authorization: `Bearer ${'x'.repeat(43)}` } });
  assert.equal(wrong.status, 401);

  // Two requests at once share one run of the checks.
  const [a, b] = await Promise.all([runner.call('GET', '/api/doctor'), runner.call('GET', '/api/doctor')]);
  assert.equal(a.status, 200);
  const body = a.json as DoctorReport;
  assert.deepEqual(body.capabilities.map((c) => c.id), CAPABILITY_IDS);
  assert.equal(body.capabilities.find((c) => c.id === 'docker')!.status, 'ok');
  assert.equal(b.json.generatedAt, body.generatedAt);
  const again = await runner.call('GET', '/api/doctor?refresh=1');
  assert.notEqual(again.json.generatedAt, body.generatedAt, 'refresh=1 runs the checks again');
});

test('the "This host" page shows the table with a row per capability', { timeout: 120_000 }, async () => {
  const browser = await launchChromium();
  try {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await page.goto(`${runner.url}/host`);
    await page.waitForSelector('[data-testid="host-table"]', { timeout: 90_000 });
    const api = (await runner.call('GET', '/api/doctor')).json as DoctorReport;
    for (const c of api.capabilities) {
      assert.equal(await page.getAttribute(`[data-testid="host-row-${c.id}"]`, 'data-status'), c.status, `${c.id} row`);
    }
    const verdict = await page.textContent('[data-testid="host-verdict"]');
    assert.match(verdict ?? '', api.ok ? /Every capability a lab needs works/ : /Labs cannot run fully here/);
    assert.equal(await page.textContent('[data-testid="host-accel"]'), api.accel.accel ? api.accel.accel.toUpperCase() : 'accelerator not known yet');
    await screenshot(page, 'host-page');
  } finally {
    await browser.close();
  }
});

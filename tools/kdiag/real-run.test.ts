// Runs every kdiag section on this machine (no mocks) and checks the numbers
// are plausible. Needs only Linux /proc; root-only parts are checked when root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { collect } from './collect/all.ts';
import { CPU_FIELDS } from './parse/procstat.ts';
import { SECTION_NAMES } from './report.ts';

const isRoot = process.geteuid?.() === 0;
const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

test('every section collects plausible values', { skip: process.platform !== 'linux' ? 'needs Linux /proc' : false }, async () => {
  // A zombie for the tasks section: the shell execs sleep, so its backgrounded child is never reaped.
  const zombieMaker = spawn('sh', ['-c', 'true & exec sleep 5'], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 300));
  try {
    const { sections, failures } = await collect(SECTION_NAMES, { intervalSeconds: 0.5 });
    assert.deepEqual(failures, []);
    const { kernel, features, log, memory, cpu, tasks, hardware } = sections;

    assert.match(kernel?.release ?? '', /^\d+\.\d+/);
    assert.ok((kernel?.uptimeSeconds ?? 0) > 0);
    assert.ok(kernel?.tainted !== null);

    assert.ok(features?.perfEventParanoid.value !== null);
    assert.equal(typeof features?.btf, 'boolean');

    if (log?.available) assert.ok(log.linesScanned > 0);
    else assert.match(log?.fix ?? '', /CAP_SYSLOG/);

    assert.ok((memory?.meminfo?.totalBytes ?? 0) > 0, 'MemTotal > 0');
    assert.ok((memory?.meminfo?.availableBytes ?? 0) <= (memory?.meminfo?.totalBytes ?? 0));
    if (isRoot) assert.ok(memory?.slabTop.available && memory.slabTop.caches.length > 0);
    else assert.equal(memory?.slabTop.available, false);

    assert.ok(cpu?.split, 'cpu split measured');
    const sum = CPU_FIELDS.reduce((s, f) => s + (cpu.split?.[f] ?? 0), 0);
    assert.ok(Math.abs(sum - 100) < 0.01 || sum === 0, `cpu split sums to ${sum}`);
    assert.ok((cpu.contextSwitchesPerSec ?? 0) > 0);
    assert.ok(cpu.cpuCount >= 1);
    assert.ok((cpu.procsRunning ?? 0) >= 1, 'at least this process is running');

    assert.ok((tasks?.threads ?? 0) > 0);
    assert.ok((tasks?.zombieCount ?? 0) >= 1, 'the zombie we created is counted');
    assert.ok(tasks?.zombies.some((z) => z.ppid === zombieMaker.pid));

    assert.equal(typeof hardware?.edac.available, 'boolean');
  } finally {
    zombieMaker.kill();
  }
});

test('CLI: --json has the stable shape; bad usage exits 2', { skip: process.platform !== 'linux' ? 'needs Linux /proc' : false }, () => {
  const ok = spawnSync(process.execPath, ['--import', 'tsx', MAIN, 'memory', 'kernel', '--json'], { encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stderr);
  const report = JSON.parse(ok.stdout) as { tool: string; schemaVersion: number; sections: Record<string, unknown>; recommendations: unknown[] };
  assert.equal(report.tool, 'kdiag');
  assert.equal(report.schemaVersion, 1);
  assert.deepEqual(Object.keys(report.sections), ['kernel', 'memory']);
  assert.ok(Array.isArray(report.recommendations));

  const bad = spawnSync(process.execPath, ['--import', 'tsx', MAIN, 'nonsense'], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /unknown section 'nonsense'/);
  assert.doesNotMatch(bad.stderr, /at .*\.ts:\d+/, 'no stack trace');
});

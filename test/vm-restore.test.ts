// test-budget: 20m
// Saved VM states against real QEMU (no mocks): a lab VM saved once, then
// sessions restored from it (clock set, own disk, lab files, console prompt,
// the saved files untouched), a panic in a restored VM, and a broken saved state falling back to a
// cold boot by itself. Timings are printed, never asserted (the host is shared).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, createReadStream, existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResolvedLab } from '../runner/src/common/lab-schema.ts';
import type { LabHandle } from '../runner/src/node/backends/lab-backend.ts';
import { EXIT_VM_RESTARTED, QemuBackend } from '../runner/src/node/backends/qemu/index.ts';
import { statesDir, type SavedState } from '../runner/src/node/backends/qemu/saved-state.ts';
import { readVmImage, VmImageBuilder } from '../runner/src/node/images/vm-image-builder.ts';
import { loadLabs } from '../runner/src/node/labs/registry.ts';
import { LABS_DIR } from '../runner/src/node/util/paths.ts';
import { QEMU_SKIP, qemuPids } from './helpers/qemu.ts';

/** Bounds each test: a TCG boot (save or fallback) on a loaded 2-core host, plus restores. */
const TEST_TIMEOUT_MS = 600_000;
/** The guest clock after a restore is set from the host's; allow for a slow guest command. */
const CLOCK_SLACK_S = 30;
/** Every QEMU these tests start has this in its command line (the session name). */
const SESSION_PREFIX = `s-r${process.pid}`;

const skip = QEMU_SKIP;

let dataDir = '';
let imageDir = '';
let lab: ResolvedLab;
let saved: SavedState | null = null;
const logs: string[] = [];
const started: Array<{ b: QemuBackend; h: LabHandle }> = [];

before(async () => {
  if (skip) return;
  dataDir = mkdtempSync(join(tmpdir(), 'kdlabs-restoretest-'));
  const found = loadLabs(LABS_DIR).labs.get('driver-panic');
  assert.ok(found?.vm, 'the driver-panic lab loads');
  lab = found;
  const given = process.env.KDLABS_VM_TEST_IMAGE;
  if (given) assert.ok(readVmImage(given), `KDLABS_VM_TEST_IMAGE=${given} holds no complete VM image`);
  imageDir = given ?? await new VmImageBuilder().ensureVmImage(lab, (l) => console.log(`  … ${l}`));
});

after(async () => {
  for (const { b, h } of started) await b.stop(h);
  for (const pid of qemuPids(SESSION_PREFIX, 'kdlabs-save-')) {
    try { process.kill(Number(pid), 'SIGKILL'); } catch { /* gone meanwhile */ }
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

function backend(dir = dataDir): QemuBackend {
  return new QemuBackend({ runnerName: `restore-${process.pid}`, dataDir: dir, log: (l) => { logs.push(l); console.log(`  [log] ${l}`); } });
}

async function start(b: QemuBackend): Promise<{ h: LabHandle; progress: string[]; ms: number }> {
  const progress: string[] = [];
  const t = Date.now();
  const r = await b.start(lab, { sessionId: `${SESSION_PREFIX}${Math.random().toString(36).slice(2, 8)}`, image: imageDir, onProgress: (m) => progress.push(typeof m === 'string' ? m : m.en) });
  assert.ok(r.ok, r.ok ? '' : `${r.error.code}: ${r.error.message}`);
  started.push({ b, h: r.value });
  return { h: r.value, progress, ms: Date.now() - t };
}

async function sh(b: QemuBackend, h: LabHandle, script: string): Promise<string> {
  const r = await b.exec(h, ['bash', '-s'], { stdin: script, timeoutMs: 30_000 });
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  assert.equal(r.value.exitCode, 0, r.value.stderr);
  return r.value.stdout.trim();
}


async function sha256(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

test('a lab VM is saved once; sessions restore from it with their own disk, the clock set and a prompt', { skip, timeout: TEST_TIMEOUT_MS }, async () => {
  const b = backend();
  const t = Date.now();
  saved = await b.saveState(lab, imageDir);
  assert.ok(saved, `the state was saved: ${logs.join(' | ')}`);
  console.log(`  saved in ${((Date.now() - t) / 1000).toFixed(1)} s (the boot: ${(saved.meta.bootMs / 1000).toFixed(1)} s); device state ${statSync(saved.state).size} bytes`);
  assert.ok(statSync(saved.state).size < 16 * 1024 * 1024, 'the RAM is not in the migration stream (x-ignore-shared)');
  assert.equal(statSync(saved.disk).mode & 0o222, 0, 'the saved disk is read-only: sessions overlay it');
  assert.ok(!readdirSync(statesDir(dataDir)).some((d) => d.includes('.saving-')), 'no half-saved folder is left');
  const ramBefore = await sha256(saved.ram);
  assert.equal((await b.saveState(lab, imageDir))?.dir, saved.dir, 'a second save finds the first');

  const a = await start(b);
  const c = await start(b);
  console.log(`  restored in ${a.ms} ms and ${c.ms} ms: ${a.progress.join(' → ')}`);
  for (const s of [a, c]) assert.ok(s.progress.some((m) => /from the saved state/.test(m)), s.progress.join(' | '));
  // Each session writes on its own overlay over the saved disk.
  await sh(b, a.h, 'echo only-a > /root/who');
  assert.equal(await sh(b, a.h, 'cat /root/who'), 'only-a');
  assert.equal(await sh(b, c.h, 'cat /root/who 2>/dev/null || echo none'), 'none');
  // The lab's files disk is the one saved with the lab; its vm.prepare ran before the save (the module is built).
  assert.ok((await sh(b, a.h, 'ls /opt/lab')).length > 0, 'the lab files are mounted');
  assert.ok(saved.meta.prepareMs && saved.meta.prepareMs > 0, 'the save ran the lab\'s vm.prepare');
  assert.equal(await sh(b, a.h, 'test -f /root/faulty/faulty.ko && echo built'), 'built', 'what vm.prepare built is on the restored disk');
  // The image's kdlabs-clockd set the clock (a FIFO write), not a `date` process.
  assert.ok(logs.some((l) => /restored in \d+ ms .*clock \d+ ms \(clockd\)/.test(l)), logs.filter((l) => /restored in/.test(l)).join(' | '));
  // The clock stopped at the save; the runner set it from the host.
  const guestNow = Number(await sh(b, a.h, 'date +%s'));
  assert.ok(Math.abs(guestNow - Date.now() / 1000) < CLOCK_SLACK_S, `guest clock ${guestNow} vs host ${Math.round(Date.now() / 1000)}`);
  assert.notEqual(await sh(b, a.h, 'head -c 16 /dev/urandom | od -An -tx1'), await sh(b, c.h, 'head -c 16 /dev/urandom | od -An -tx1'));

  // The console: a fresh prompt, and a typed command answered.
  const shell = await b.openShell(a.h, { cols: 100, rows: 30 });
  assert.ok(shell.ok);
  let text = '';
  shell.value.onData((d) => { text += d.toString('utf8'); });
  const seen = async (re: RegExp, what: string): Promise<void> => {
    const end = Date.now() + 30_000;
    while (!re.test(text)) {
      assert.ok(Date.now() < end, `${what}; console: ${JSON.stringify(text.slice(-300))}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  await seen(/# $/, 'a prompt on the restored console');
  shell.value.write('echo RESTORED$((6*7))\r');
  await seen(/RESTORED42/, 'a typed command answered');
  shell.value.dispose();

  for (const s of [a, c]) await b.stop(s.h);
  assert.equal(await sha256(saved.ram), ramBefore, 'the saved RAM is never written by a restored session');
  assert.equal(qemuPids(SESSION_PREFIX, 'kdlabs-save-').length, 0, 'no QEMU left');
});

test('a restored VM that panics is caught, rebooted (a cold boot on its private RAM) and gets its crash record', { skip, timeout: TEST_TIMEOUT_MS }, async () => {
  assert.ok(saved, 'the first test saved a state');
  const b = backend();
  const s = await start(b);
  assert.ok(s.progress.some((m) => /from the saved state/.test(m)), s.progress.join(' | '));
  const ramBefore = statSync(saved.ram).mtimeMs;
  const crash = await b.exec(s.h, ['bash', '-c', 'echo c > /proc/sysrq-trigger; sleep 30'], { timeoutMs: 60_000 });
  assert.ok(crash.ok);
  assert.equal(crash.value.exitCode, EXIT_VM_RESTARTED, 'the command is reported as cut short by the panic');
  const rec = await sh(b, s.h, 'cat /var/crash/*/dmesg.*');
  assert.match(rec, /Kernel panic - not syncing/);
  assert.equal(statSync(saved.ram).mtimeMs, ramBefore, 'the reboot wrote its RAM privately, not into the saved file');
  await b.stop(s.h);
});

test('a saved state that does not load: the start boots the VM instead, and says why in the log', { skip, timeout: TEST_TIMEOUT_MS }, async () => {
  assert.ok(saved, 'the first test saved a state');
  const other = mkdtempSync(join(tmpdir(), 'kdlabs-restoretest-bad-'));
  try {
    cpSync(statesDir(dataDir), statesDir(other), { recursive: true });
    const broken = join(statesDir(other), saved.meta.key);
    assert.ok(existsSync(broken));
    writeFileSync(join(broken, 'state.bin'), 'not a migration stream');
    const b = backend(other);
    logs.length = 0;
    const s = await start(b);
    console.log(`  fell back in ${(s.ms / 1000).toFixed(1)} s: ${s.progress.filter((m) => !/^booting the VM \(/.test(m)).join(' → ')}`);
    assert.ok(s.progress.some((m) => /did not restore; booting/.test(m)), s.progress.join(' | '));
    assert.ok(logs.some((l) => /restoring saved state \w+ failed \(.+\); cold boot instead/.test(l)), logs.join(' | '));
    assert.equal(await sh(b, s.h, 'echo up'), 'up');
    assert.ok(s.progress.some((m) => /vm\.prepare/.test(m)), `a cold boot runs the lab's vm.prepare: ${s.progress.join(' | ')}`);
    assert.equal(await sh(b, s.h, 'test -f /root/faulty/faulty.ko && echo built'), 'built', 'vm.prepare built the module after the cold boot');
    await b.stop(s.h);
  } finally {
    rmSync(other, { recursive: true, force: true });
  }
});

// test-budget: 30m
// The QEMU backend against real QEMU (no mocks): the accelerator probe on the
// real lab kernel, boot, guest commands, the console, a guest reboot, a kernel
// panic caught and turned into a crash record after the reboot, a boot that
// stalls, VMs that cannot boot, QEMU killed from outside, orphans.
// KVM when the lab kernel boots under it, else TCG (KDLABS_QEMU_ACCEL=tcg forces
// TCG); every limit here scales with the accelerator the backend chose.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResolvedLab } from '../runner/src/common/lab-schema.ts';
import type { LabHandle } from '../runner/src/node/backends/lab-backend.ts';
import { EXIT_VM_RESTARTED, QemuBackend, type Accel } from '../runner/src/node/backends/qemu/index.ts';
import { SIMULATE_ENV } from '../runner/src/node/backends/qemu/accel-probe.ts';
import { probeKernelBoot } from '../runner/src/node/backends/qemu/kernel-probe.ts';
import { readVmImage, VmImageBuilder } from '../runner/src/node/images/vm-image-builder.ts';
import { loadLabs } from '../runner/src/node/labs/registry.ts';
import { LABS_DIR } from '../runner/src/node/util/paths.ts';
import { QEMU_SKIP, qemuPids } from './helpers/qemu.ts';

/** A VM that cannot boot must say so within this: its boot limit in these tests (a TCG boot is 15–45 s, up to 5× KVM's ~3 s). */
const BAD_BOOT_LIMIT_MS: Record<Accel, number> = { kvm: 30_000, tcg: 120_000 };
/** Under TCG the kernel's banner comes within seconds of QEMU starting; a minute covers a loaded host. */
const TCG_BANNER_LIMIT_MS = 60_000;
/** A frozen probe VM prints nothing; this is how long the test lets it (it is killed after). */
const FROZEN_PROBE_MS = 3000;
/** Bounds each test: several TCG boots on a loaded 2-core host. */
const VM_TEST_TIMEOUT_MS = 900_000;
/** After SIGKILL, a QEMU leaves /proc at once; this only bounds the wait. */
const KILL_WAIT_MS = 10_000;
/** Every QEMU these tests start has this in its command line (the session name). */
const SESSION_PREFIX = `s-t${process.pid}`;

const skip = QEMU_SKIP;
if (skip) console.log(`# VM backend tests SKIPPED: ${skip}`);

let dataDir = '';
let imageDir = '';
let lab: ResolvedLab;
/** The accelerator the backend picks on this host, decided once before the tests. */
let accel: Accel = 'tcg';
const backends: QemuBackend[] = [];
const started: Array<{ b: QemuBackend; h: LabHandle }> = [];

before(async () => {
  if (skip) return;
  dataDir = mkdtempSync(join(tmpdir(), 'kdlabs-vmtest-'));
  const found = loadLabs(LABS_DIR).labs.get('driver-panic');
  assert.ok(found, 'the driver-panic lab loads');
  // The plain VM: no lab files copied in, no lab kernel parameters.
  // The backend alone: no lab files, no kernel parameters, nothing to prepare.
  lab = { ...found, image: { ...found.image, labLayerDir: null }, vm: { ...found.vm!, cmdline: [], prepare: null } };
  // KDLABS_VM_TEST_IMAGE=<dir>: an image built already, for work on the backend while tools/ (part of the recipe hash) changes.
  const given = process.env.KDLABS_VM_TEST_IMAGE;
  if (given) assert.ok(readVmImage(given), `KDLABS_VM_TEST_IMAGE=${given} holds no complete VM image`);
  imageDir = given ?? await new VmImageBuilder().ensureVmImage(lab, (l) => console.log(`  … ${l}`));
  const decision = await backend('vmtest-accel').accelFor(imageDir);
  assert.ok(decision);
  accel = decision.accel;
  console.log(`  accelerator: ${accel} (${decision.reason})`);
});

// Whatever a failed assertion left running: stop it, then SIGKILL any QEMU of these tests still there.
after(async () => {
  for (const { b, h } of started) await b.stop(h);
  for (const pid of qemuPids(SESSION_PREFIX)) {
    try { process.kill(Number(pid), 'SIGKILL'); } catch { /* gone meanwhile */ }
  }
  await until('every QEMU of these tests to be gone', () => qemuPids(SESSION_PREFIX).length === 0, KILL_WAIT_MS).catch((e: Error) => console.log(`  ${e.message}`));
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

function backend(runnerName: string, bootTimeoutMs?: number): QemuBackend {
  const b = new QemuBackend({ runnerName, dataDir, bootTimeoutMs });
  backends.push(b);
  return b;
}

function sessionId(): string {
  return `${SESSION_PREFIX}${Math.random().toString(36).slice(2, 10)}`;
}

async function startVm(b: QemuBackend, opts: { image?: string; lab?: ResolvedLab } = {}): Promise<{ h: LabHandle; progress: string[] }> {
  const progress: string[] = [];
  const t = Date.now();
  const r = await b.start(opts.lab ?? lab, { sessionId: sessionId(), image: opts.image ?? imageDir, onProgress: (m) => progress.push(typeof m === 'string' ? m : m.en) });
  assert.ok(r.ok, r.ok ? '' : `${r.error.code}: ${r.error.message}`);
  started.push({ b, h: r.value });
  console.log(`  VM up in ${((Date.now() - t) / 1000).toFixed(1)} s: ${progress.filter((m) => !/^booting the VM \(/.test(m)).join(' → ')}`);
  assert.ok(progress.some((m) => /^VM accelerator: (KVM|TCG) — ./.test(m)), `the accelerator and why were reported: ${progress.join(' | ')}`);
  assert.ok(progress.some((m) => /booting/.test(m)), 'boot progress was reported');
  assert.ok(progress.some((m) => /logged in/.test(m)), 'the console login was reported');
  return { h: r.value, progress };
}

async function sh(b: QemuBackend, h: LabHandle, script: string, timeoutMs = 30_000) {
  const r = await b.exec(h, ['bash', '-s'], { stdin: script, timeoutMs });
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  return r.value;
}

async function alive(b: QemuBackend, h: LabHandle): Promise<boolean> {
  const r = await b.isAlive(h);
  assert.ok(r.ok, 'the QEMU backend always knows whether its VM runs');
  return r.value;
}


function vmDirs(runnerName: string): string[] {
  const d = join(dataDir, 'vms', runnerName);
  return existsSync(d) ? readdirSync(d) : [];
}

async function until(what: string, fn: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`timed out waiting for ${what}`);
}

test('the accelerator probe recognises the real lab kernel\'s first line (run under TCG, which works everywhere)', { skip, timeout: VM_TEST_TIMEOUT_MS }, async () => {
  const image = readVmImage(imageDir)!;
  const booted = await probeKernelBoot({ qemu: 'qemu-system-x86_64', accel: 'tcg', kernel: image.kernel, initrd: image.initrd, timeoutMs: TCG_BANNER_LIMIT_MS });
  assert.equal(booted.kind, 'booted', JSON.stringify(booted));
  assert.ok(booted.kind === 'booted' && booted.line.startsWith(`Linux version ${image.kernelVersion}`), JSON.stringify(booted));
  console.log(`  TCG: the lab kernel's banner after ${(booted.kind === 'booted' ? booted.ms / 1000 : 0).toFixed(1)} s`);
  // The hang the probe exists for: a VM that runs no guest code says nothing and is killed.
  const frozen = await probeKernelBoot({ qemu: 'qemu-system-x86_64', accel: 'tcg', kernel: image.kernel, timeoutMs: FROZEN_PROBE_MS, frozen: true });
  assert.deepEqual(frozen.kind === 'silent' && frozen.lastOutput, '', JSON.stringify(frozen));
  assert.deepEqual(qemuPids(image.kernel), [], 'no probe VM is left');
});

test('a VM starts, runs guest commands and has a console; a guest reboot is survived; stop removes everything', { skip, timeout: VM_TEST_TIMEOUT_MS }, async () => {
  const b = backend('vmtest-basic');
  const pre = await b.preflight();
  assert.ok(pre.ok && /QEMU \d+\.\d+/.test(pre.value), JSON.stringify(pre));
  const { h, progress } = await startVm(b);
  if (!existsSync('/dev/kvm')) assert.ok(progress.includes(`VM accelerator: TCG — ${(await b.accelFor(imageDir))!.reason}`), 'no /dev/kvm: TCG, and why');
  if (accel === 'tcg') {
    // A TCG boot takes many seconds: the progress showed it going on, with the console's last line.
    assert.ok(progress.some((m) => /^booting the VM \(TCG\): \d+ s, .+ — last console line: .+/.test(m)), progress.join(' | '));
  }
  assert.equal(h.backend, 'vm');
  assert.ok(await alive(b, h));
  assert.equal(qemuPids(h.ref).length, 1, 'one QEMU process for the VM');

  // Guest commands: stdin, environment, exit codes, timeouts.
  const r = await sh(b, h, 'echo "lab=$KDLABS_X"; uname -r; cat /proc/sys/kernel/panic_on_oops; exit 3', 30_000);
  assert.equal(r.exitCode, 3);
  assert.match(r.stdout, /^lab=\n\d+\.\d+\.\d+-\d+-amd64\n0\n$/);
  const env = await b.exec(h, ['sh', '-c', 'echo $KDLABS_X'], { timeoutMs: 10_000, env: { KDLABS_X: 'y' } });
  assert.ok(env.ok && env.value.stdout === 'y\n');
  const slow = await b.exec(h, ['sleep', '30'], { timeoutMs: 2000 });
  assert.ok(slow.ok && slow.value.timedOut, 'a command past its timeout is reported as timed out');
  assert.match(slow.value.stderr, /stopped: it did not finish within 2 s/, 'and says so');

  // The console: a logged-in root shell that takes input and reports its size.
  const shell = await b.openShell(h, { cols: 111, rows: 33 });
  assert.ok(shell.ok);
  let out = '';
  shell.value.onData((c) => { out += c.toString('utf8'); });
  await until('the resize to reach the guest tty', async () => (await sh(b, h, 'stty -F /dev/ttyS0 size')).stdout.trim() === '33 111', 20_000);
  assert.equal(shell.value.write('echo console-$((6*7))\r'), true, 'a short line is taken at once');
  await until('the console to echo the command', () => out.includes('console-42'), 20_000);

  // A reboot from inside the guest: the VM comes back and commands work again.
  const before = (await sh(b, h, 'cat /proc/sys/kernel/random/boot_id')).stdout;
  await b.exec(h, ['systemctl', 'reboot'], { timeoutMs: 10_000 });
  // A command sent while the guest shuts down is reported cut short by the restart (exit 255); the next runs in the new boot.
  await until('the rebooted guest to answer with a new boot id', async () => {
    const after = await sh(b, h, 'cat /proc/sys/kernel/random/boot_id', 10_000);
    return after.exitCode === 0 && after.stdout.trim().length > 0 && after.stdout !== before;
  }, 300_000);
  assert.ok(await alive(b, h));

  let exited = false;
  shell.value.onExit(() => { exited = true; });
  assert.deepEqual(await b.stop(h), { ok: true, value: undefined });
  assert.deepEqual(await b.stop(h), { ok: true, value: undefined }, 'idempotent');
  assert.equal(await alive(b, h), false);
  assert.ok(exited, 'the console ends with the VM');
  assert.deepEqual(qemuPids(h.ref), [], 'no QEMU left');
  assert.deepEqual(vmDirs('vmtest-basic'), [], 'no session folder (overlay, meta) left');
  assert.equal(existsSync(join(tmpdir(), h.ref)), false, 'no socket folder left');
  assert.deepEqual(await b.listOwned('vmtest-basic'), { ok: true, value: [] });
  const gone = await b.exec(h, ['true'], { timeoutMs: 1000 });
  assert.ok(!gone.ok && gone.error.code === 'gone');
});

test('the bundled tools, ausyscall and the UAPI headers are there for the console shell and guest commands; memlock is unlimited', { skip, timeout: VM_TEST_TIMEOUT_MS }, async () => {
  const b = backend('vmtest-tools');
  const { h } = await startVm(b);
  // A guest command with no PATH of the runner's: the agent's own environment, a non-login shell.
  const bare = await b.exec(h, ['/usr/bin/env', '-u', 'PATH', '/bin/bash', '-c', 'echo "$PATH"; command -v kdiag ktrace ausyscall; ulimit -l; test -r /usr/include/x86_64-linux-gnu/asm/unistd_64.h && echo headers'], { timeoutMs: 20_000 });
  assert.ok(bare.ok, bare.ok ? '' : bare.error.message);
  console.log(`  non-login guest shell: ${bare.value.stdout.trim().replace(/\n/g, ' | ')}`);
  assert.match(bare.value.stdout, /\/kdiag\n.*\/ktrace\n.*\/ausyscall\n/s, bare.value.stdout + bare.value.stderr);
  assert.match(bare.value.stdout, /\nunlimited\nheaders\n$/);
  const agentEnv = await sh(b, h, 'tr "\\0" "\\n" < /proc/$(pidof qemu-ga)/environ | grep ^PATH=; ausyscall x86_64 openat --exact');
  assert.match(agentEnv.stdout, /^PATH=.*\/opt\/kdlabs\/bin/m, 'the guest agent itself has the tools on PATH');
  assert.match(agentEnv.stdout, /^257$/m, 'ausyscall maps names to numbers');

  // The console: the login shell root works in, and a non-login shell started from it.
  const shell = await b.openShell(h, { cols: 200, rows: 40 });
  assert.ok(shell.ok);
  let out = '';
  shell.value.onData((c) => { out += c.toString('utf8'); });
  shell.value.write('echo "L:$(command -v kdiag):$(ulimit -l)"; env -i HOME=/root TERM=xterm bash -c \'echo "N:$(command -v ktrace)"\'\r');
  await until('the console shell to answer', () => /L:\S*\/kdiag:unlimited/.test(out) && /N:\S*\/ktrace/.test(out), 30_000);
  await b.stop(h);
});

test('a kernel panic is caught, the VM reboots, and the crash record is in /var/crash', { skip, timeout: VM_TEST_TIMEOUT_MS }, async () => {
  const b = backend('vmtest-panic');
  const { h } = await startVm(b);
  const shell = await b.openShell(h, { cols: 120, rows: 32 });
  assert.ok(shell.ok);
  let out = '';
  shell.value.onData((c) => { out += c.toString('utf8'); });

  const t = Date.now();
  const crash = await sh(b, h, 'echo c > /proc/sysrq-trigger; sleep 30', 60_000);
  assert.equal(crash.exitCode, EXIT_VM_RESTARTED, 'the command is reported as cut short by the panic');
  assert.match(crash.stderr, /panicked/);
  assert.ok(await alive(b, h), 'a panicking VM is still a live lab');

  // The next command waits for the reboot; by then the record is written.
  const rec = await sh(b, h, 'ls /var/crash; cat /var/crash/*/dmesg.*; stat -c %a /var/crash/*/dmesg.*', 30_000);
  console.log(`  panic → back with a crash record in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  assert.match(rec.stdout, /^\d{12}\n/, 'one folder named by the minute, like kdump');
  assert.match(rec.stdout, /sysrq: Trigger a crash/);
  assert.match(rec.stdout, /Kernel panic - not syncing/);
  assert.match(rec.stdout, /Call Trace:/);
  assert.match(rec.stdout, /644\n$/);
  assert.match(out, /Kernel panic - not syncing/, 'the terminal saw the panic');
  assert.match(out, /\[kdlabs\] kernel panic caught/, 'and the runner saying what it did');
  await b.stop(h);
  assert.deepEqual(qemuPids(h.ref), []);
  assert.deepEqual(vmDirs('vmtest-panic'), []);
});

test('a boot that stalls fails at its limit with what stalled and the fix, and leaves nothing', { skip, timeout: VM_TEST_TIMEOUT_MS }, async () => {
  const b = backend('vmtest-stall', BAD_BOOT_LIMIT_MS[accel]);
  // The kernel and initramfs run, then "init" sleeps: no systemd, no login, no agent — a real stall.
  const stalling: ResolvedLab = { ...lab, vm: { ...lab.vm!, cmdline: ['init=/usr/bin/sleep', '--', 'infinity'] } };
  const progress: string[] = [];
  const r = await b.start(stalling, { sessionId: sessionId(), image: imageDir, onProgress: (m) => progress.push(typeof m === 'string' ? m : m.en) });
  assert.ok(!r.ok && r.error.code === 'start-failed', JSON.stringify(r));
  console.log(`  stalled boot: ${r.error.message.slice(0, 300)}`);
  const limitS = Math.round(BAD_BOOT_LIMIT_MS[accel] / 1000);
  assert.match(r.error.message, new RegExp(`^the lab VM did not start: the VM \\(${accel.toUpperCase()}\\) did not finish booting within ${limitS} s: the kernel stalled before systemd started, at ".+"\\. Fix: `));
  assert.match(r.error.message, accel === 'kvm' ? /KDLABS_QEMU_ACCEL=tcg/ : /rebuild the VM image with `npm run labs -- build driver-panic`/);
  assert.ok(progress.some((m) => /^booting the VM \(.+\): \d+ s, the kernel is starting — last console line: /.test(m)), progress.join(' | '));
  assert.deepEqual(vmDirs('vmtest-stall'), []);
});

test('a VM that cannot boot fails with a clear error in bounded time, and leaves nothing', { skip, timeout: VM_TEST_TIMEOUT_MS }, async () => {
  const limit = BAD_BOOT_LIMIT_MS[accel];
  const b = backend('vmtest-bad', limit);
  const image = readVmImage(imageDir)!;
  const bad = (name: string, files: { kernel?: string; rootfs?: string }): string => {
    const dir = join(dataDir, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...image, kernel: 'vmlinuz', initrd: 'initrd.img', rootfs: 'rootfs.img', checkTools: 'check-tools' }));
    cpSync(image.initrd, join(dir, 'initrd.img'));
    cpSync(image.checkTools, join(dir, 'check-tools'), { recursive: true, verbatimSymlinks: true });
    if (files.kernel === 'garbage') writeFileSync(join(dir, 'vmlinuz'), Buffer.alloc(4096, 0x5a)); else cpSync(image.kernel, join(dir, 'vmlinuz'));
    if (files.rootfs === 'garbage') writeFileSync(join(dir, 'rootfs.img'), Buffer.alloc(16 * 1024 * 1024, 0)); else writeFileSync(join(dir, 'rootfs.img'), '');
    return dir;
  };

  // No image at all: refused before QEMU starts.
  let r = await b.start(lab, { sessionId: sessionId(), image: join(dataDir, 'no-such-image') });
  assert.ok(!r.ok && r.error.code === 'image-missing' && /labs -- build/.test(r.error.message), JSON.stringify(r));

  // A kernel file QEMU cannot load: QEMU exits at once, and its own words are in the error.
  r = await b.start(lab, { sessionId: sessionId(), image: bad('bad-kernel', { kernel: 'garbage', rootfs: 'garbage' }) });
  assert.ok(!r.ok && r.error.code === 'start-failed', JSON.stringify(r));
  assert.match(r.error.message, /QEMU exited.*(kernel|linux)/i);

  // A root disk that is not a file system: the initramfs gives up; the runner says so.
  const t = Date.now();
  r = await b.start(lab, { sessionId: sessionId(), image: bad('bad-disk', { rootfs: 'garbage' }) });
  const took = Date.now() - t;
  console.log(`  bad disk reported after ${(took / 1000).toFixed(1)} s: ${r.ok ? '' : r.error.message.slice(0, 200)}`);
  assert.ok(!r.ok && r.error.code === 'start-failed', JSON.stringify(r));
  assert.match(r.error.message, /root|mount|initramfs|did not finish booting/i);

  assert.deepEqual(vmDirs('vmtest-bad'), [], 'failed starts leave no session folder');
  assert.deepEqual(qemuPids(join(dataDir, 'bad-')), [], 'and no QEMU');
});

test(`with ${SIMULATE_ENV}=kvm-hang the VM still starts, on TCG, saying why; QEMU killed from outside: the lab is reported dead and its files are gone`, { skip, timeout: VM_TEST_TIMEOUT_MS }, async () => {
  process.env[SIMULATE_ENV] = 'kvm-hang';
  let progress: string[] = [];
  let h!: LabHandle;
  const b = backend('vmtest-killed');
  try {
    ({ h, progress } = await startVm(b));
  } finally {
    delete process.env[SIMULATE_ENV];
  }
  if (process.env.KDLABS_QEMU_ACCEL) {
    console.log(`  KDLABS_QEMU_ACCEL=${process.env.KDLABS_QEMU_ACCEL} overrides the probe: the simulated hang is not exercised`);
  } else {
    assert.ok(progress.some((m) => /^VM accelerator: TCG — \/dev\/kvm is there, but the lab kernel did not boot under KVM .*simulated by KDLABS_QEMU_PROBE_SIMULATE=kvm-hang/.test(m)), progress.join(' | '));
    const [pid] = qemuPids(h.ref);
    assert.ok(pid);
    assert.match(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' '), / -accel tcg /, 'the real VM runs on TCG');
  }

  const [pid] = qemuPids(h.ref);
  assert.ok(pid);
  process.kill(Number(pid), 'SIGKILL');
  await until('the backend to notice', async () => !(await alive(b, h)), 10_000);
  assert.deepEqual(vmDirs('vmtest-killed'), [], 'overlay and meta removed');
  assert.equal(existsSync(join(tmpdir(), h.ref)), false, 'sockets removed');
  const r = await b.exec(h, ['true'], { timeoutMs: 1000 });
  assert.ok(!r.ok && r.error.code === 'gone');
  const shell = await b.openShell(h, { cols: 80, rows: 24 });
  assert.ok(!shell.ok && shell.error.code === 'gone');
  assert.ok((await b.stop(h)).ok, 'still fine');
});

test('VMs left by a killed runner are reaped by the next runner of that name', { skip, timeout: VM_TEST_TIMEOUT_MS }, async () => {
  const first = backend('vmtest-orphans');
  const { h } = await startVm(first);
  assert.equal(qemuPids(h.ref).length, 1);
  // A new runner of the same name (the first one "died" without stopping its VM).
  const second = backend('vmtest-orphans');
  assert.deepEqual(await second.listOwned('vmtest-orphans'), { ok: true, value: [h.ref] });
  assert.deepEqual(await second.reapOrphans('vmtest-orphans', (id) => id === 'not-this-one'), { ok: true, value: 1 });
  await until('the orphan QEMU to be gone', () => qemuPids(h.ref).length === 0, KILL_WAIT_MS);
  assert.deepEqual(vmDirs('vmtest-orphans'), []);
  assert.deepEqual(await second.listOwned('vmtest-orphans'), { ok: true, value: [] });
  await until('the first backend to see its VM die', async () => !(await alive(first, h)), 10_000);
  await first.stop(h);
});

test('the vm section of lab.yaml is validated with clear errors and resolved with defaults', () => {
  const root = mkdtempSync(join(tmpdir(), 'kdlabs-vmlabs-'));
  const base = `title: T\nlevel: advanced\nsummary: S\nminutes: 5\nsteps: [s.md]\ntasks: [{ id: t, title: T, check: c.sh }]\nsolution: { script: c.sh }\nselftest: { symptom: c.sh }\n`;
  const make = (id: string, extra: string): void => {
    mkdirSync(join(root, id));
    writeFileSync(join(root, id, 'lab.yaml'), `id: ${id}\n${base}${extra}`);
    for (const f of ['s.md', 'c.sh']) writeFileSync(join(root, id, f), '# S\n');
  };
  try {
    make('vm-default', 'backend: vm\n');
    make('vm-custom', 'backend: vm\nvm: { memory: 2048, cpus: 2, cmdline: "oops=panic  slub_debug=FZPU" }\n');
    make('vm-on-container', 'vm: { memory: 512 }\n');
    make('vm-bad', 'backend: vm\nvm: { memory: 64, cpus: 0, cmdline: "console=tty0 oops=panic", disk: 3 }\n');
    make('vm-bad-cmdline', 'backend: vm\nvm: { cmdline: "root=/dev/sda" }\n');
    make('vm-bad-prepare', 'backend: vm\nvm: { prepare: build.sh }\n');
    const { labs, problems } = loadLabs(root);
    assert.deepEqual(labs.get('vm-default')?.vm, { memoryMb: 1024, cpus: 1, cmdline: [], prepare: null });
    assert.deepEqual(labs.get('vm-custom')?.vm, { memoryMb: 2048, cpus: 2, cmdline: ['oops=panic', 'slub_debug=FZPU'], prepare: null });
    assert.equal(labs.size, 2);
    const text = problems.join('\n');
    assert.match(text, /vm-on-container\/lab\.yaml: vm: only a lab with "backend: vm" has a vm section/);
    assert.match(text, /vm-bad\/lab\.yaml: vm: .*disk/);
    assert.match(text, /vm-bad-cmdline\/lab\.yaml: vm\.cmdline: the runner sets .*"root".*itself/);
    assert.match(text, /vm-bad-prepare.*vm\.prepare: file "build\.sh" does not exist/);
    make('vm-bad2', 'backend: vm\nvm: { memory: 64, cpus: 0 }\n');
    const again = loadLabs(root).problems.join('\n');
    assert.match(again, /vm-bad2\/lab\.yaml: vm\.memory: .*256/);
    assert.match(again, /vm-bad2\/lab\.yaml: vm\.cpus: .*1/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

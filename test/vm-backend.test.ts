// The QEMU backend against real QEMU (no mocks): boot, guest commands, the
// console, a guest reboot, a kernel panic caught and turned into a crash record
// after the reboot, VMs that cannot boot, QEMU killed from outside, orphans.
// KVM when it works, else TCG; KDLABS_QEMU_ACCEL=tcg forces TCG.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResolvedLab } from '../runner/src/common/lab-schema.ts';
import type { LabHandle } from '../runner/src/node/backends/lab-backend.ts';
import { EXIT_VM_RESTARTED, QemuBackend } from '../runner/src/node/backends/qemu.ts';
import { readVmImage, VmImageBuilder } from '../runner/src/node/images/vm-image-builder.ts';
import { loadLabs } from '../runner/src/node/labs/registry.ts';
import { LABS_DIR } from '../runner/src/node/util/paths.ts';

/** A VM that cannot boot must say so well within this (TCG, busy host). */
const BAD_BOOT_LIMIT_MS = 90_000;
const VM_TEST_TIMEOUT_MS = 600_000;

const qemuPresent = spawnSync('qemu-system-x86_64', ['--version']).status === 0;
const skip = qemuPresent ? false : 'qemu-system-x86_64 is not installed (scripts/ensure-prereqs.sh installs it)';

let dataDir = '';
let imageDir = '';
let lab: ResolvedLab;

before(async () => {
  if (skip) return;
  dataDir = mkdtempSync(join(tmpdir(), 'kdlabs-vmtest-'));
  const found = loadLabs(LABS_DIR).labs.get('driver-panic');
  assert.ok(found, 'the driver-panic lab loads');
  // The plain VM: no lab files copied in, no lab kernel parameters.
  lab = { ...found, image: { ...found.image, labLayerDir: null }, vm: { ...found.vm!, cmdline: [] } };
  imageDir = await new VmImageBuilder().ensureVmImage(lab, (l) => console.log(`  … ${l}`));
});

after(() => {
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

function backend(runnerName: string, bootTimeoutMs?: number): QemuBackend {
  return new QemuBackend({ runnerName, dataDir, bootTimeoutMs });
}

function sessionId(): string {
  return `s-t${process.pid}${Math.random().toString(36).slice(2, 10)}`;
}

async function startVm(b: QemuBackend, image = imageDir): Promise<LabHandle> {
  const progress: string[] = [];
  const t = Date.now();
  const r = await b.start(lab, { sessionId: sessionId(), image, onProgress: (m) => progress.push(m) });
  assert.ok(r.ok, r.ok ? '' : `${r.error.code}: ${r.error.message}`);
  console.log(`  VM up in ${((Date.now() - t) / 1000).toFixed(1)} s: ${progress.join(' → ')}`);
  assert.ok(progress.some((m) => /booting/.test(m)), 'boot progress was reported');
  assert.ok(progress.some((m) => /logged in/.test(m)), 'the console login was reported');
  return r.value;
}

async function sh(b: QemuBackend, h: LabHandle, script: string, timeoutMs = 30_000) {
  const r = await b.exec(h, ['bash', '-s'], { stdin: script, timeoutMs });
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  return r.value;
}

function qemuPids(name: string): string[] {
  return readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
    try { return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(name); } catch { return false; }
  });
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

test('a VM starts, runs guest commands and has a console; a guest reboot is survived; stop removes everything', { skip, timeout: VM_TEST_TIMEOUT_MS }, async () => {
  const b = backend('vmtest-basic');
  const pre = await b.preflight();
  assert.ok(pre.ok && /QEMU \d+\.\d+/.test(pre.value), JSON.stringify(pre));
  const h = await startVm(b);
  assert.equal(h.backend, 'vm');
  assert.ok(await b.isAlive(h));
  assert.equal(qemuPids(h.ref).length, 1, 'one QEMU process for the VM');

  // Guest commands: stdin, environment, exit codes, timeouts.
  const r = await sh(b, h, 'echo "lab=$KDLABS_X"; uname -r; cat /proc/sys/kernel/panic_on_oops; exit 3', 30_000);
  assert.equal(r.exitCode, 3);
  assert.match(r.stdout, /^lab=\n\d+\.\d+\.\d+-\d+-amd64\n0\n$/);
  const env = await b.exec(h, ['sh', '-c', 'echo $KDLABS_X'], { timeoutMs: 10_000, env: { KDLABS_X: 'y' } });
  assert.ok(env.ok && env.value.stdout === 'y\n');
  const slow = await b.exec(h, ['sleep', '30'], { timeoutMs: 2000 });
  assert.ok(slow.ok && slow.value.timedOut, 'a command past its timeout is reported as timed out');

  // The console: a logged-in root shell that takes input and reports its size.
  const shell = await b.openShell(h, { cols: 111, rows: 33 });
  assert.ok(shell.ok);
  let out = '';
  shell.value.onData((c) => { out += c.toString('utf8'); });
  await until('the resize to reach the guest tty', async () => (await sh(b, h, 'stty -F /dev/ttyS0 size')).stdout.trim() === '33 111', 20_000);
  shell.value.write('echo console-$((6*7))\r');
  await until('the console to echo the command', () => out.includes('console-42'), 20_000);

  // A reboot from inside the guest: the VM comes back and commands work again.
  const before = (await sh(b, h, 'cat /proc/sys/kernel/random/boot_id')).stdout;
  await b.exec(h, ['systemctl', 'reboot'], { timeoutMs: 10_000 });
  const after = await sh(b, h, 'cat /proc/sys/kernel/random/boot_id', 10_000);
  assert.notEqual(after.stdout, before, 'a new boot');
  assert.ok(await b.isAlive(h));

  let exited = false;
  shell.value.onExit(() => { exited = true; });
  await b.stop(h);
  await b.stop(h); // idempotent
  assert.equal(await b.isAlive(h), false);
  assert.ok(exited, 'the console ends with the VM');
  assert.deepEqual(qemuPids(h.ref), [], 'no QEMU left');
  assert.deepEqual(vmDirs('vmtest-basic'), [], 'no session folder (overlay, meta) left');
  assert.equal(existsSync(join(tmpdir(), h.ref)), false, 'no socket folder left');
  assert.deepEqual(await b.listOwned('vmtest-basic'), []);
  const gone = await b.exec(h, ['true'], { timeoutMs: 1000 });
  assert.ok(!gone.ok && gone.error.code === 'gone');
});

test('a kernel panic is caught, the VM reboots, and the crash record is in /var/crash', { skip, timeout: VM_TEST_TIMEOUT_MS }, async () => {
  const b = backend('vmtest-panic');
  const h = await startVm(b);
  const shell = await b.openShell(h, { cols: 120, rows: 32 });
  assert.ok(shell.ok);
  let out = '';
  shell.value.onData((c) => { out += c.toString('utf8'); });

  const t = Date.now();
  const crash = await sh(b, h, 'echo c > /proc/sysrq-trigger; sleep 30', 60_000);
  assert.equal(crash.exitCode, EXIT_VM_RESTARTED, 'the command is reported as cut short by the panic');
  assert.match(crash.stderr, /panicked/);
  assert.ok(await b.isAlive(h), 'a panicking VM is still a live lab');

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
  const boots = await sh(b, h, 'journalctl --list-boots 2>/dev/null | wc -l; uptime -s');
  assert.ok(boots.exitCode === 0);
  await b.stop(h);
  assert.deepEqual(qemuPids(h.ref), []);
  assert.deepEqual(vmDirs('vmtest-panic'), []);
});

test('a VM that cannot boot fails with a clear error in bounded time, and leaves nothing', { skip, timeout: VM_TEST_TIMEOUT_MS }, async () => {
  const b = backend('vmtest-bad', BAD_BOOT_LIMIT_MS);
  const image = readVmImage(imageDir)!;
  const bad = (name: string, files: { kernel?: string; rootfs?: string }): string => {
    const dir = join(dataDir, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...image, kernel: 'vmlinuz', initrd: 'initrd.img', rootfs: 'rootfs.img' }));
    cpSync(image.initrd, join(dir, 'initrd.img'));
    if (files.kernel === 'garbage') writeFileSync(join(dir, 'vmlinuz'), Buffer.alloc(4096, 0x5a)); else cpSync(image.kernel, join(dir, 'vmlinuz'));
    if (files.rootfs === 'garbage') writeFileSync(join(dir, 'rootfs.img'), Buffer.alloc(16 * 1024 * 1024, 0)); else writeFileSync(join(dir, 'rootfs.img'), '');
    return dir;
  };

  // No image at all: refused before QEMU starts.
  let r = await b.start(lab, { sessionId: sessionId(), image: join(dataDir, 'no-such-image') });
  assert.ok(!r.ok && r.error.code === 'image-missing' && /labs -- build/.test(r.error.message), JSON.stringify(r));

  // A kernel file QEMU cannot load: QEMU exits at once, and its own words are in the error.
  let t = Date.now();
  r = await b.start(lab, { sessionId: sessionId(), image: bad('bad-kernel', { kernel: 'garbage', rootfs: 'garbage' }) });
  assert.ok(!r.ok && r.error.code === 'start-failed', JSON.stringify(r));
  assert.match(r.error.message, /QEMU exited.*(kernel|linux)/i);
  assert.ok(Date.now() - t < 20_000, `bad kernel reported in ${Date.now() - t} ms`);

  // A root disk that is not a file system: the initramfs gives up; the runner says so.
  t = Date.now();
  r = await b.start(lab, { sessionId: sessionId(), image: bad('bad-disk', { rootfs: 'garbage' }) });
  const took = Date.now() - t;
  console.log(`  bad disk reported after ${(took / 1000).toFixed(1)} s: ${r.ok ? '' : r.error.message.slice(0, 200)}`);
  assert.ok(!r.ok && r.error.code === 'start-failed', JSON.stringify(r));
  assert.match(r.error.message, /root|mount|initramfs|did not finish booting/i);
  assert.ok(took < BAD_BOOT_LIMIT_MS + 10_000, `bad disk reported in ${took} ms`);

  assert.deepEqual(vmDirs('vmtest-bad'), [], 'failed starts leave no session folder');
  assert.deepEqual(readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
    try { return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(join(dataDir, 'bad-')); } catch { return false; }
  }), [], 'and no QEMU');
});

test('QEMU killed from outside: the lab is reported dead and its files are gone', { skip, timeout: VM_TEST_TIMEOUT_MS }, async () => {
  const b = backend('vmtest-killed');
  const h = await startVm(b);
  const [pid] = qemuPids(h.ref);
  assert.ok(pid);
  process.kill(Number(pid), 'SIGKILL');
  await until('the backend to notice', async () => !(await b.isAlive(h)), 10_000);
  assert.deepEqual(vmDirs('vmtest-killed'), [], 'overlay and meta removed');
  assert.equal(existsSync(join(tmpdir(), h.ref)), false, 'sockets removed');
  const r = await b.exec(h, ['true'], { timeoutMs: 1000 });
  assert.ok(!r.ok && r.error.code === 'gone');
  const shell = await b.openShell(h, { cols: 80, rows: 24 });
  assert.ok(!shell.ok && shell.error.code === 'gone');
  await b.stop(h); // still fine
});

test('VMs left by a killed runner are reaped by the next runner of that name', { skip, timeout: VM_TEST_TIMEOUT_MS }, async () => {
  const first = backend('vmtest-orphans');
  const h = await startVm(first);
  assert.equal(qemuPids(h.ref).length, 1);
  // A new runner of the same name (the first one "died" without stopping its VM).
  const second = backend('vmtest-orphans');
  assert.deepEqual(await second.listOwned('vmtest-orphans'), [h.ref]);
  assert.equal(await second.reapOrphans('vmtest-orphans'), 1);
  await until('the orphan QEMU to be gone', () => qemuPids(h.ref).length === 0, 10_000);
  assert.deepEqual(vmDirs('vmtest-orphans'), []);
  assert.deepEqual(await second.listOwned('vmtest-orphans'), []);
  await until('the first backend to see its VM die', async () => !(await first.isAlive(h)), 10_000);
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
    const { labs, problems } = loadLabs(root);
    assert.deepEqual(labs.get('vm-default')?.vm, { memoryMb: 1024, cpus: 1, cmdline: [] });
    assert.deepEqual(labs.get('vm-custom')?.vm, { memoryMb: 2048, cpus: 2, cmdline: ['oops=panic', 'slub_debug=FZPU'] });
    assert.equal(labs.size, 2);
    const text = problems.join('\n');
    assert.match(text, /vm-on-container\/lab\.yaml: vm: only a lab with "backend: vm" has a vm section/);
    assert.match(text, /vm-bad\/lab\.yaml: vm: .*disk/);
    assert.match(text, /vm-bad-cmdline\/lab\.yaml: vm\.cmdline: the runner sets .*"root".*itself/);
    make('vm-bad2', 'backend: vm\nvm: { memory: 64, cpus: 0 }\n');
    const again = loadLabs(root).problems.join('\n');
    assert.match(again, /vm-bad2\/lab\.yaml: vm\.memory: .*256/);
    assert.match(again, /vm-bad2\/lab\.yaml: vm\.cpus: .*1/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

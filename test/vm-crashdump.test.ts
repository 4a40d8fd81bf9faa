// test-budget: 26m
// A real kernel panic in a real VM leaves a memory dump that crash can read:
// the runner dumps the stopped guest (QMP dump-guest-memory, kdump-zlib), the
// rebooted guest gets it as /var/crash/<time>/dump.<time>, and crash, run in
// the guest with the image's debug vmlinux, shows the task that panicked.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResolvedLab } from '../runner/src/common/lab-schema.ts';
import type { LabHandle } from '../runner/src/node/backends/lab-backend.ts';
import { EXIT_VM_RESTARTED, QemuBackend } from '../runner/src/node/backends/qemu/index.ts';
import { readVmImage, VmImageBuilder } from '../runner/src/node/images/vm-image-builder.ts';
import { loadLabs } from '../runner/src/node/labs/registry.ts';
import { LABS_DIR } from '../runner/src/node/util/paths.ts';
import { QEMU_SKIP, qemuPids } from './helpers/qemu.ts';

/** Boot, panic, dump, reboot and crash's start-up, all on TCG on a loaded host. */
const TEST_TIMEOUT_MS = 1_500_000;
/** crash reads half a gigabyte of debug information in an emulated CPU: minutes on a busy TCG host. */
const CRASH_RUN_MS = 600_000;
/** Boot limit of these VMs (and how long a command waits for a rebooting one). */
const BOOT_LIMIT_MS = 600_000;
const SESSION_PREFIX = `s-c${process.pid}`;

const skip = QEMU_SKIP;

let dataDir = '';
let imageDir = '';
let lab: ResolvedLab;
const started: Array<{ b: QemuBackend; h: LabHandle }> = [];

before(async () => {
  if (skip) return;
  dataDir = mkdtempSync(join(tmpdir(), 'kdlabs-crashdump-'));
  const found = loadLabs(LABS_DIR).labs.get('driver-panic');
  assert.ok(found?.vm, 'the driver-panic lab loads');
  // The kernel alone: no lab files and nothing to prepare (sysrq panics it; the module is not needed).
  lab = { ...found, image: { ...found.image, labLayerDir: null }, vm: { ...found.vm, cmdline: [], prepare: null } };
  const given = process.env.KDLABS_VM_TEST_IMAGE;
  if (given) assert.ok(readVmImage(given), `KDLABS_VM_TEST_IMAGE=${given} holds no complete VM image`);
  imageDir = given ?? await new VmImageBuilder().ensureVmImage(lab, (l) => console.log(`  … ${l}`));
});

after(async () => {
  for (const { b, h } of started) await b.stop(h);
  for (const pid of qemuPids(SESSION_PREFIX)) {
    try { process.kill(Number(pid), 'SIGKILL'); } catch { /* gone meanwhile */ }
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});


async function sh(b: QemuBackend, h: LabHandle, script: string, timeoutMs: number) {
  const r = await b.exec(h, ['bash', '-s'], { stdin: script, timeoutMs });
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  return r.value;
}

test('a kernel panic leaves /var/crash/<time>/dump.<time>, and crash in the guest shows the task that panicked', { skip, timeout: TEST_TIMEOUT_MS }, async () => {
  // A reboot on a busy TCG host can take minutes: the dump, the boot, then the copy into /var/crash.
  const b = new QemuBackend({ runnerName: 'crashdump', dataDir, bootTimeoutMs: BOOT_LIMIT_MS, log: (l) => console.log(`  [runner ${new Date().toISOString().slice(11, 19)}] ${l}`) });
  const r = await b.start(lab, { sessionId: `${SESSION_PREFIX}${Math.random().toString(36).slice(2, 8)}`, image: imageDir, onProgress: () => {} });
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  const h = r.value;
  started.push({ b, h });
  const shell = await b.openShell(h, { cols: 120, rows: 32 });
  assert.ok(shell.ok);
  let out = '';
  shell.value.onData((c) => { out += c.toString('utf8'); });

  // A task with a name of its own panics the kernel: crash must name it.
  const t = Date.now();
  const crash = await sh(b, h, 'cp /bin/bash /tmp/crashme && /tmp/crashme -c "echo c > /proc/sysrq-trigger"; sleep 30', 60_000);
  assert.equal(crash.exitCode, EXIT_VM_RESTARTED);

  const rec = await sh(b, h, 'cd /var/crash/* && pwd && stat -c "%n %a %s" dump.* dmesg.* && uname -r', 60_000);
  console.log(`  panic → back with the record and the dump in ${((Date.now() - t) / 1000).toFixed(1)} s: ${rec.stdout.trim().replace(/\n/g, ' | ')}`);
  const m = /^(\/var\/crash\/(\d{12}))\ndump\.(\d{12}) 600 (\d+)\ndmesg\.\d{12} 644 \d+\n(\S+)\n$/.exec(rec.stdout);
  assert.ok(m, `kdump's layout: /var/crash/<time>/{dump,dmesg}.<time>, the dump root-only: ${rec.stdout}`);
  const [, dir, stamp, dumpStamp, size, release] = m;
  assert.equal(dumpStamp, stamp);
  assert.ok(Number(size) > 1024 * 1024, `a dump of a booted kernel is megabytes (${size} bytes)`);
  assert.match(out, /memory dump taken \(\d+ MiB in [\d.]+ s\)/, 'the terminal says the dump was taken');
  assert.match(out, new RegExp(`dump\\.${stamp} for crash`));

  const t2 = Date.now();
  const bt = await sh(b, h, `printf '%s\\n' bt 'log | grep -m1 sysrq' 'kmem -i' quit | crash -s /usr/lib/debug/boot/vmlinux-${release} ${dir}/dump.${stamp}`, CRASH_RUN_MS);
  console.log(`  crash -s vmlinux dump (bt, log, kmem -i) took ${((Date.now() - t2) / 1000).toFixed(1)} s`);
  assert.equal(bt.exitCode, 0, `crash ran: ${bt.stderr.slice(-2000)}`);
  assert.match(bt.stdout, /^PID: \d+\s+TASK: [0-9a-f]+\s+CPU: \d+\s+COMMAND: "crashme"/m, `bt names the task that panicked: ${bt.stdout.slice(0, 3000)}`);
  assert.match(bt.stdout, /sysrq_handle_crash/, 'and its frames lead to the crash trigger');
  assert.match(bt.stdout, /sysrq: Trigger a crash/, 'log reads the kernel log out of the dump');
  assert.match(bt.stdout, /TOTAL MEM/, 'kmem -i summarises memory');
  await b.stop(h);
  assert.deepEqual(qemuPids(h.ref), []);
});

// VM section of `npm run bench`, part 2: cold boot against restore from a saved
// state, in one run on the same host. A fresh data folder, so the first start
// is a cold boot (and runs the lab's vm.prepare); then the lab's state is saved
// (one more boot) and each further start restores it. Measured as a learner
// meets it: from start() through the lab's setup (the session runs it before
// the terminal is shown) to root's prompt on the console, and to the answer of
// a command typed there. BENCH_VM=0 or
// BENCH_VM_RESTORE=0 skips it. Standalone: node --import tsx bench/vm-restore.mts
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BOOT_TIMEOUT_MS, QemuBackend } from '../runner/src/node/backends/qemu/index.ts';
import type { QemuBackend as Backend } from '../runner/src/node/backends/qemu/qemu-backend.ts';
import type { ResolvedLab } from '../runner/src/common/lab-schema.ts';
import { VmImageBuilder } from '../runner/src/node/images/vm-image-builder.ts';
import { loadLabs } from '../runner/src/node/labs/registry.ts';
import { LABS_DIR } from '../runner/src/node/util/paths.ts';
import { median } from './stats.ts';
import type { VmRow } from './vm-boot.mts';

const RESTORE_RUNS = Number(process.env.BENCH_VM_RESTORE_RUNS ?? 3);
/** The targets for start → prompt by restore. */
const RESTORE_TARGET_MS = { kvm: 500, tcg: 1000 } as const;
const PROMPT = /# $/;

interface Timing { vmMs: number; promptMs: number; commandMs: number; restored: boolean }

export async function vmRestoreBench(log: (line: string) => void): Promise<VmRow[]> {
  if (process.env.BENCH_VM === '0' || process.env.BENCH_VM_RESTORE === '0') return [];
  if (spawnSync('qemu-system-x86_64', ['--version']).status !== 0) { log('VM restore section skipped: qemu-system-x86_64 is not installed'); return []; }
  const lab = loadLabs(LABS_DIR).labs.get(process.env.BENCH_VM_LAB ?? 'driver-panic');
  if (!lab?.vm) { log('VM restore section skipped: no VM lab'); return []; }
  const image = await new VmImageBuilder().ensureVmImage(lab, (l) => log(l));
  const dataDir = mkdtempSync(join(tmpdir(), 'kdlabs-bench-restore-'));
  const backend = new QemuBackend({ runnerName: `bench-restore-${process.pid}`, dataDir, log });
  try {
    const decision = (await backend.accelFor(image))!;
    const accel = decision.accel;
    const cold = await startToCommand(backend, lab, image, 'cold', accel);
    log(`cold boot: VM up ${cold.vmMs.toFixed(0)} ms, prompt after setup ${cold.promptMs.toFixed(0)} ms, command answered ${cold.commandMs.toFixed(0)} ms`);
    const t = performance.now();
    const saved = await backend.saveState(lab, image);
    if (!saved) throw new Error('the VM state could not be saved (see the log above)');
    const saveMs = performance.now() - t;
    const runs: Timing[] = [];
    for (let i = 0; i < RESTORE_RUNS; i++) {
      const r = await startToCommand(backend, lab, image, `r${i}`, accel);
      if (!r.restored) throw new Error('a start with a saved state booted instead of restoring (see the log above)');
      log(`restore ${i + 1}: VM up ${r.vmMs.toFixed(0)} ms, prompt after setup ${r.promptMs.toFixed(0)} ms, command answered ${r.commandMs.toFixed(0)} ms`);
      runs.push(r);
    }
    const A = accel.toUpperCase();
    const prompt = median(runs.map((r) => r.promptMs));
    const row = (metric: string, value: number, target: string, pass: boolean | null): VmRow => ({ metric, value: Math.round(value), unit: 'ms', target, pass });
    return [
      row(`VM cold boot start-to-prompt, setup run (${A})`, cold.promptMs, '', null),
      row(`VM cold boot start-to-command-answered (${A})`, cold.commandMs, '', null),
      row(`VM state save, one-off (${A})`, saveMs, '', null),
      row(`VM restore start-to-VM-up median (${A})`, median(runs.map((r) => r.vmMs)), '', null),
      row(`VM restore start-to-prompt, setup run, median (${A})`, prompt, `≤ ${RESTORE_TARGET_MS[accel]}`, prompt <= RESTORE_TARGET_MS[accel]),
      row(`VM restore start-to-command-answered median (${A})`, median(runs.map((r) => r.commandMs)), '', null),
    ];
  } finally {
    await backend.savesDone();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** start() → prompt on the console → a typed command's answer; stops the VM. */
async function startToCommand(backend: Backend, lab: ResolvedLab, image: string, tag: string, accel: 'kvm' | 'tcg'): Promise<Timing> {
  const progress: string[] = [];
  const t0 = performance.now();
  const r = await backend.start(lab, { sessionId: `s-bench${process.pid}${tag}`, image, onProgress: (m) => progress.push(typeof m === 'string' ? m : m.en) });
  if (!r.ok) throw new Error(`VM did not start: ${r.error.message}`);
  const vmMs = performance.now() - t0;
  try {
    if (lab.setup) {
      const setup = await backend.exec(r.value, ['bash', '-s'], { stdin: lab.setup, timeoutMs: 360_000, env: { KDLABS_LAB: lab.id } });
      if (!setup.ok || setup.value.exitCode !== 0) throw new Error(`the lab's setup failed: ${setup.ok ? setup.value.stderr : setup.error.message}`);
    }
    const shell = await backend.openShell(r.value, { cols: 120, rows: 32 });
    if (!shell.ok) throw new Error(shell.error.message);
    let text = '';
    let waiter: (() => void) | null = null;
    shell.value.onData((c) => { text = (text + c.toString('utf8')).slice(-512); waiter?.(); });
    const seen = (re: RegExp): Promise<void> => new Promise((resolve, reject) => {
      const timer = setTimeout(() => { waiter = null; reject(new Error(`no ${re} on the console within ${BOOT_TIMEOUT_MS[accel]} ms`)); }, BOOT_TIMEOUT_MS[accel]);
      waiter = () => { if (re.test(text)) { clearTimeout(timer); waiter = null; resolve(); } };
      waiter();
    });
    await seen(PROMPT);
    const promptMs = performance.now() - t0;
    text = '';
    shell.value.write('echo KD$((40+2))\r');
    await seen(/KD42/);
    const commandMs = performance.now() - t0;
    shell.value.dispose();
    return { vmMs, promptMs, commandMs, restored: progress.some((m) => /from the saved state/.test(m)) };
  } finally {
    await backend.stop(r.value);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await vmRestoreBench((l) => console.error(`[bench] ${l}`));
  console.log(JSON.stringify(rows, null, 2));
}

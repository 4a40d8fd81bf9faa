// VM section of `npm run bench`: start-to-prompt of a lab VM (QEMU backend,
// KVM when it works, else TCG), from start() until the serial console shows
// root's shell prompt. Skipped when QEMU is missing or BENCH_VM=0; the VM
// image is built first if needed (minutes, once).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BOOT_TIMEOUT_MS, QemuBackend } from '../runner/src/node/backends/qemu/index.ts';
import { VmImageBuilder } from '../runner/src/node/images/vm-image-builder.ts';
import { loadLabs } from '../runner/src/node/labs/registry.ts';
import { LABS_DIR } from '../runner/src/node/util/paths.ts';
import { median, percentile } from './stats.ts';

const VM_RUNS = Number(process.env.BENCH_VM_RUNS ?? 5);
/** Targets: a VM lab should feel like a container lab on KVM, and stay usable on TCG. */
const TARGET_MS = { kvm: 3000, tcg: 20_000 } as const;
const PROMPT = /# $/m;

export interface VmRow { metric: string; value: number; unit: string; target: string; pass: boolean | null }

export async function vmBootBench(log: (line: string) => void): Promise<VmRow[]> {
  if (process.env.BENCH_VM === '0') return [];
  if (spawnSync('qemu-system-x86_64', ['--version']).status !== 0) { log('VM section skipped: qemu-system-x86_64 is not installed'); return []; }
  const base = loadLabs(LABS_DIR).labs.get(process.env.BENCH_VM_LAB ?? 'driver-panic');
  if (!base?.vm) { log('VM section skipped: no VM lab'); return []; }
  // The bare VM: no lab files, no lab kernel parameters.
  const lab = { ...base, image: { ...base.image, labLayerDir: null }, vm: { ...base.vm, cmdline: [] } };
  const image = await new VmImageBuilder().ensureVmImage(lab, (l) => log(l));
  const dataDir = mkdtempSync(join(tmpdir(), 'kdlabs-bench-vm-'));
  const backend = new QemuBackend({ runnerName: `bench-vm-${process.pid}`, dataDir });
  const decision = await backend.accelFor(image);
  if (!decision) throw new Error(`VM image ${image} is incomplete`);
  const { accel } = decision;
  log(`VM accelerator: ${accel} (${decision.reason})`);
  // The prompt comes right after the boot: the backend's own boot deadline bounds the wait.
  const promptTimeoutMs = BOOT_TIMEOUT_MS[accel];
  const times: number[] = [];
  try {
    for (let i = 0; i < VM_RUNS; i++) {
      const t0 = performance.now();
      const r = await backend.start(lab, { sessionId: `s-bench${process.pid}x${i}`, image });
      if (!r.ok) throw new Error(`VM did not start: ${r.error.message}`);
      const shell = await backend.openShell(r.value, { cols: 120, rows: 32 });
      if (!shell.ok) throw new Error(shell.error.message);
      await new Promise<void>((resolve, reject) => {
        let text = '';
        const timer = setTimeout(() => reject(new Error(`no prompt within ${promptTimeoutMs} ms`)), promptTimeoutMs);
        shell.value.onData((c) => { text = (text + c.toString('utf8')).slice(-256); if (PROMPT.test(text)) { clearTimeout(timer); resolve(); } });
      });
      times.push(performance.now() - t0);
      shell.value.dispose();
      await backend.stop(r.value);
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  log(`VM start-to-prompt (${accel}): ${times.map((x) => x.toFixed(0)).join(', ')} ms`);
  const target = TARGET_MS[accel];
  const row = (metric: string, value: number, t: string, pass: boolean | null): VmRow => ({ metric, value: Math.round(value), unit: 'ms', target: t, pass });
  return [
    row(`VM start-to-prompt median (${accel.toUpperCase()})`, median(times), `≤ ${target}`, median(times) <= target),
    row(`VM start-to-prompt p95 (${accel.toUpperCase()})`, percentile(times, 95), '', null),
  ];
}

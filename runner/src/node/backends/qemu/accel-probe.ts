// KVM or TCG for lab VMs, decided by a real boot of the lab kernel under KVM
// (kernel-probe.ts), once per host + QEMU version + kernel file, and kept in
// <data dir>/vm-accel.json. Used by the QEMU backend before every first start
// and by `labs doctor`.
//
//   KDLABS_QEMU_ACCEL=tcg|kvm         skips the probe and uses that accelerator.
//   KDLABS_QEMU_PROBE_SIMULATE=kvm-hang   FOR TESTS: acts as if /dev/kvm were usable
//       but the kernel hung under it (the probe VM is started with its CPUs
//       stopped), so the fallback to TCG can be exercised on any host; the
//       cache is neither read nor written.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants as fsConstants, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, hostname, release } from 'node:os';
import { join } from 'node:path';
import type { Accel } from './args.ts';
import { QEMU, parseQemuVersion } from './host-probe.ts';
import { probeKernelBoot, type KernelProbeRequest, type ProbeOutcome } from './kernel-probe.ts';

export type { Accel } from './args.ts';

export interface AccelDecision {
  accel: 'kvm' | 'tcg';
  /** Why, in one sentence for the start progress and `labs doctor`. */
  reason: string;
  /** What to do about it (or how to get the faster choice); null when nothing needs doing. */
  fix: string | null;
  /** Taken from <cacheDir>/vm-accel.json instead of probed now. */
  cached: boolean;
  /** When the decision was made (ISO time). */
  probedAt: string;
}

export const ACCEL_ENV = 'KDLABS_QEMU_ACCEL';
export const SIMULATE_ENV = 'KDLABS_QEMU_PROBE_SIMULATE';
export const ACCEL_CACHE_FILE = 'vm-accel.json';
/**
 * How long the lab kernel gets to print its banner under KVM. Working KVM gets
 * there in well under a second (the kernel is only decompressed and started);
 * 8 s leaves room for a loaded host, and a host where KVM hangs pays this once
 * (the answer is cached), instead of a 90 s boot timeout on every start.
 */
export const KVM_BOOT_PROBE_TIMEOUT_MS = 8000;
/** Decisions kept in the cache file (one per host/QEMU/kernel seen); the oldest go first. */
const MAX_CACHE_ENTRIES = 16;

const TCG_NOTE = 'VM labs run on TCG, QEMU\'s software CPU emulation: the same labs, slower boots (tens of seconds)';

/** What identifies one probe's answer: re-probe when any part changes. */
export interface ProbeKey { host: string; qemu: string; kernelSha256: string }

export interface DecideAccelOptions {
  kernelPath: string;
  initrdPath?: string;
  /** Folder of vm-accel.json (the runner's data dir). */
  cacheDir: string;
  qemuBinary?: string;
  /** Probe again even when a cached answer exists. */
  force?: boolean;
}

/** Everything decideAccel touches outside its own logic; tests replace it. */
export interface AccelProbeDeps {
  env: Record<string, string | undefined>;
  /** null when /dev/kvm can be opened read-write, else the error code (ENOENT, EACCES…). */
  kvmDeviceError(): string | null;
  /** `qemu --version` first line, or null when QEMU does not run. */
  qemuVersion(qemu: string): string | null;
  hostId(): string;
  kernelSha256(path: string): string;
  bootProbe(req: KernelProbeRequest): Promise<ProbeOutcome>;
  now(): Date;
}

export const realAccelProbeDeps: AccelProbeDeps = {
  env: process.env,
  kvmDeviceError: () => {
    try {
      accessSync('/dev/kvm', fsConstants.R_OK | fsConstants.W_OK);
      return null;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code ?? 'EIO';
    }
  },
  qemuVersion: (qemu) => {
    const r = spawnSync(qemu, ['--version'], { encoding: 'utf8' });
    if (r.status !== 0) return null;
    const v = parseQemuVersion(r.stdout);
    return v.ok ? v.text : r.stdout.split('\n')[0] ?? 'QEMU';
  },
  // The host kernel and CPU decide whether KVM works; the name tells hosts that share a data dir apart.
  hostId: () => `${hostname()} ${release()} ${cpus()[0]?.model ?? 'unknown CPU'}`,
  kernelSha256: (path) => createHash('sha256').update(readFileSync(path)).digest('hex'),
  bootProbe: probeKernelBoot,
  now: () => new Date(),
};

/** KVM when the lab kernel really boots under it here, else TCG. Never throws for an expected problem. */
export function decideAccel(opts: DecideAccelOptions): Promise<AccelDecision> {
  return decideAccelWith(opts, realAccelProbeDeps);
}

export async function decideAccelWith(opts: DecideAccelOptions, deps: AccelProbeDeps): Promise<AccelDecision> {
  const forced = deps.env[ACCEL_ENV];
  if (forced === 'kvm' || forced === 'tcg') {
    return { accel: forced, reason: `${ACCEL_ENV}=${forced} is set, so the KVM probe was skipped`, fix: null, cached: false, probedAt: deps.now().toISOString() };
  }
  const d = await probeOrRecall(opts, deps);
  return forced && forced !== 'auto' ? { ...d, reason: `${d.reason} (${ACCEL_ENV}=${forced} ignored: use tcg or kvm)` } : d;
}

async function probeOrRecall(opts: DecideAccelOptions, deps: AccelProbeDeps): Promise<AccelDecision> {
  const qemu = opts.qemuBinary ?? QEMU;
  const at = (): string => deps.now().toISOString();
  const decision = (accel: Accel, reason: string, fix: string | null): AccelDecision => ({ accel, reason, fix, cached: false, probedAt: at() });
  const simulate = deps.env[SIMULATE_ENV] === 'kvm-hang';

  if (!simulate) {
    const err = deps.kvmDeviceError();
    if (err === 'ENOENT') {
      return decision('tcg', `/dev/kvm is missing: this host offers no KVM, so ${TCG_NOTE}`,
        'nothing needed for the labs; for faster VM labs enable hardware virtualisation (VT-x/AMD-V in the firmware, or nested virtualisation in the hypervisor this host runs in) and load the module: modprobe kvm_intel (or kvm_amd)');
    }
    if (err) {
      return decision('tcg', `/dev/kvm cannot be opened (${err}), so ${TCG_NOTE}`,
        'run the runner as root, or add its user to the kvm group (usermod -aG kvm USER) and log in again');
    }
  }

  const version = deps.qemuVersion(qemu);
  if (!version) {
    return decision('tcg', `${qemu} does not run, so no accelerator could be probed`, 'install QEMU: apt-get install -y qemu-system-x86 qemu-utils');
  }

  let key: ProbeKey;
  try {
    key = { host: deps.hostId(), qemu: version, kernelSha256: deps.kernelSha256(opts.kernelPath) };
  } catch (e) {
    return decision('tcg', `the lab kernel ${opts.kernelPath} cannot be read (${(e as Error).message}), so KVM was not probed`,
      'rebuild the VM image: node runner/bin/labs.mjs build --all');
  }
  const cacheFile = join(opts.cacheDir, ACCEL_CACHE_FILE);
  if (!simulate && !opts.force) {
    const hit = readCache(cacheFile).find((e) => sameKey(e.key, key));
    if (hit) return { ...hit.decision, cached: true };
  }

  const outcome = await deps.bootProbe({
    qemu, kernel: opts.kernelPath, initrd: opts.initrdPath, timeoutMs: KVM_BOOT_PROBE_TIMEOUT_MS,
    // The simulated hang: a real QEMU whose CPUs never start, on TCG since this host may have no KVM.
    ...(simulate ? { accel: 'tcg', frozen: true } : { accel: 'kvm' }),
  });
  const made = fromOutcome(outcome, cacheFile, at());
  if (simulate) return { ...made, reason: `${made.reason} (simulated by ${SIMULATE_ENV}=kvm-hang, for tests)` };
  writeCache(cacheFile, key, made);
  return made;
}

/** The decision a probe outcome leads to. */
export function fromOutcome(o: ProbeOutcome, cacheFile: string, probedAt: string): AccelDecision {
  const reprobe = `delete ${cacheFile} to probe again`;
  if (o.kind === 'booted') {
    return { accel: 'kvm', reason: `KVM booted the lab kernel ("${o.line}" after ${seconds(o.ms)})`, fix: null, cached: false, probedAt };
  }
  if (o.kind === 'silent') {
    const last = o.lastOutput ? `its console stopped at "${o.lastOutput}"` : 'it printed nothing at all';
    return {
      accel: 'tcg', cached: false, probedAt,
      reason: `/dev/kvm is there, but the lab kernel did not boot under KVM (no kernel banner within ${seconds(KVM_BOOT_PROBE_TIMEOUT_MS)}; ${last}), so ${TCG_NOTE}`,
      fix: `nothing needed for the labs; to use KVM, fix it on this host (nested virtualisation, kvm module, firmware settings), then ${reprobe}; ${ACCEL_ENV}=tcg skips the probe`,
    };
  }
  return {
    accel: 'tcg', cached: false, probedAt,
    reason: `/dev/kvm is there, but QEMU could not boot the lab kernel under KVM (${o.message}), so ${TCG_NOTE}`,
    fix: `nothing needed for the labs; to use KVM, fix what QEMU reports above, then ${reprobe}; ${ACCEL_ENV}=tcg skips the probe`,
  };
}

interface CacheEntry { key: ProbeKey; decision: AccelDecision }

function readCache(file: string): CacheEntry[] {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { entries?: CacheEntry[] };
    return Array.isArray(parsed.entries) ? parsed.entries.filter((e) => e && e.key && e.decision && (e.decision.accel === 'kvm' || e.decision.accel === 'tcg')) : [];
  } catch {
    return []; // none yet, or unreadable: probe again
  }
}

/** Best effort: a cache that cannot be written only means probing again next time. */
function writeCache(file: string, key: ProbeKey, decision: AccelDecision): void {
  try {
    const entries = [...readCache(file).filter((e) => !sameKey(e.key, key)), { key, decision }].slice(-MAX_CACHE_ENTRIES);
    mkdirSync(join(file, '..'), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ entries }, null, 2)}\n`);
    renameSync(tmp, file); // readers never see half a file
  } catch { /* read-only or full data dir: the decision still stands for this run */ }
}

function sameKey(a: ProbeKey, b: ProbeKey): boolean {
  return a.host === b.host && a.qemu === b.qemu && a.kernelSha256 === b.kernelSha256;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

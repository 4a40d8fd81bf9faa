// QEMU backend: one virtual machine per lab session, for faults that crash a kernel.
//  - qemu-system-x86_64 runs under node-pty; the VM's serial console (ttyS0, where
//    root is logged in automatically) is the lab terminal (vm.ts, console.ts).
//  - QMP (a unix socket) controls the VM: quit, system_reset, cont, and the
//    GUEST_PANICKED event that `-device pvpanic -action panic=pause` raises (qmp.ts).
//  - Scripts and checks run through the guest agent (guest-exec.ts).
//  - Each session boots from its own qcow2 overlay on the shared, read-only base
//    image, with the lab's own files on a small read-only disk at /opt/lab (disks.ts).
//  - On a panic the runner keeps the console's last words, takes a memory dump,
//    puts both on the VM's crash disk and resets it; early in the next boot the
//    guest copies them to /var/crash/<time>/, like kdump would (vmcore.ts, crash-record.ts).
//  - KVM only when the lab kernel really boots under it here, else TCG (accel-probe.ts).
//  - A lab's VM saved once (save.ts, saved-state.ts) is restored instead of booted:
//    about a second on TCG instead of a minute; a restore that fails is logged and
//    the start boots as before.
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResolvedLab } from '../../../common/lab-schema.ts';
import { readVmImage } from '../../images/vm-image-builder.ts';
import { DEFAULT_DATA_DIR } from '../../util/paths.ts';
import { fireAndForget } from '../../util/unexpected-error.ts';
import type {
  BackendError, ExecOptions, ExecResult, LabBackend, LabHandle, Result, ShellStream, StartOptions, TermSize,
} from '../lab-backend.ts';
import { decideAccel, SIMULATE_ENV, type AccelDecision } from './accel-probe.ts';
import { labCmdline, MAX_SOCKET_PATH, qmpSocket, type Accel } from './args.ts';
import { qemuVersion, type QemuVersion } from './host-probe.ts';
import { PREPARE_TIMEOUT_MS, saveVmState } from './save.ts';
import { labFilesHash, readSavedState, stateKey, type SavedState } from './saved-state.ts';
import { killAndRemove, removeRunnerDirIfEmpty, runnerDir, vmName } from './session-files.ts';
import { Vm } from './vm.ts';
import type { Words } from '../../../common/langs.ts';

/** Boot to a logged-in console and an answering guest agent takes ~3 s on KVM; a minute means it is stuck. */
const KVM_BOOT_TIMEOUT_MS = 60_000;
/**
 * TCG emulates every instruction: boots took 15 s on one 2-core host and 45 s
 * on another (5–15× KVM), and a loaded CI host is slower still; its deadline is
 * KVM's times this.
 */
const TCG_BOOT_SLOWDOWN = 5;
export const BOOT_TIMEOUT_MS: Record<Accel, number> = { kvm: KVM_BOOT_TIMEOUT_MS, tcg: KVM_BOOT_TIMEOUT_MS * TCG_BOOT_SLOWDOWN };

interface VmHandle extends LabHandle { readonly backend: 'vm' }

export interface QemuBackendOptions {
  runnerName: string;
  /** Session folders (overlay, meta) go under <dataDir>/vms/<runner>/; the accelerator probe's answer in <dataDir>/vm-accel.json. */
  dataDir?: string;
  /** auto (default): KVM when the lab kernel really boots under it, else TCG. Env KDLABS_QEMU_ACCEL overrides. */
  accel?: 'auto' | Accel;
  /**
   * After a cold boot of a lab with no saved state, save one in the background
   * (a second QEMU boots the lab once), so its next start restores in about a
   * second. Off by default: tests and tools that start a VM once do not want it.
   */
  saveStates?: boolean;
  /** Tests shorten the boot limit to prove a VM that never boots fails in bounded time. */
  bootTimeoutMs?: number;
  log?: (line: string) => void;
}

export class QemuBackend implements LabBackend {
  readonly kind = 'vm' as const;
  private readonly vms = new Map<string, Vm>();
  private readonly dataDir: string;
  /** One decision per kernel file, shared by every start that needs it (the probe runs once). */
  private readonly decisions = new Map<string, Promise<AccelDecision>>();
  private lastDecision: AccelDecision | null = null;
  private version: QemuVersion | null = null;
  /** Saves under way, by state key: one save per key at a time. */
  private readonly saves = new Map<string, Promise<SavedState | null>>();
  /** Sessions stop() was called for while they started: a failed restore of one must not fall back to a boot. */
  private readonly stopped = new Set<string>();
  /** Ends every save under way when the runner stops. */
  private readonly saveAbort = new AbortController();

  constructor(private readonly opts: QemuBackendOptions) {
    this.dataDir = opts.dataDir ?? DEFAULT_DATA_DIR;
  }

  async preflight(): Promise<Result<string, BackendError>> {
    this.version ??= qemuVersion();
    if (!this.version.ok) return { ok: false, error: { code: 'backend-unavailable', message: this.version.message } };
    const accel = this.lastDecision ? ` (${this.lastDecision.accel.toUpperCase()})` : '';
    return { ok: true, value: `${this.version.text}${accel}` };
  }

  /** The accelerator for the VM image in `imageDir` (probed once, then remembered); null when the image is missing. */
  async accelFor(imageDir: string, onProgress?: (note: string | Words) => void): Promise<AccelDecision | null> {
    const image = readVmImage(imageDir);
    if (!image) return null;
    const fixed = this.opts.accel && this.opts.accel !== 'auto' && !process.env.KDLABS_QEMU_ACCEL ? this.opts.accel : null;
    if (fixed) return { accel: fixed, reason: `the runner was configured with accel=${fixed}`, fix: null, cached: false, probedAt: new Date().toISOString() };
    let p = this.decisions.get(image.kernel);
    if (!p) {
      // Only a host with /dev/kvm may need the probe (up to KVM_BOOT_PROBE_TIMEOUT_MS, once per host and kernel).
      if (existsSync('/dev/kvm') || process.env[SIMULATE_ENV]) onProgress?.({ en: 'checking whether the lab kernel boots under KVM on this host', ko: '실습 커널이 이 호스트의 KVM에서 부팅되는지 확인하는 중' });
      p = decideAccel({ kernelPath: image.kernel, initrdPath: image.initrd, cacheDir: this.dataDir });
      this.decisions.set(image.kernel, p);
    }
    const d = await p;
    if (this.lastDecision?.reason !== d.reason) this.opts.log?.(`QEMU accelerator: ${d.accel} (${d.reason}${d.cached ? '; remembered from an earlier probe' : ''})`);
    this.lastDecision = d;
    return d;
  }

  async start(lab: ResolvedLab, opts: StartOptions): Promise<Result<LabHandle, BackendError>> {
    const pre = await this.preflight();
    if (!pre.ok) return pre;
    const image = readVmImage(opts.image);
    if (!image) return { ok: false, error: { code: 'image-missing', message: `VM image ${opts.image} is missing or incomplete; run \`npm run labs -- build ${lab.id}\`` } };
    if (!lab.vm) return { ok: false, error: { code: 'start-failed', message: `lab ${lab.id} is not a VM lab` } };
    const decision = (await this.accelFor(opts.image, opts.onProgress))!;
    opts.onProgress?.({ en: `VM accelerator: ${decision.accel.toUpperCase()} — ${decision.reason}`, ko: `VM 가속기: ${decision.accel.toUpperCase()} — ${decision.reason}` });
    const name = vmName(opts.sessionId);
    const dir = join(runnerDir(this.dataDir, this.opts.runnerName), opts.sessionId);
    const socketDir = join(tmpdir(), name);
    if (qmpSocket(socketDir).length > MAX_SOCKET_PATH) {
      return { ok: false, error: { code: 'start-failed', message: `the socket folder ${socketDir} is too long for a unix socket; set TMPDIR to a shorter path` } };
    }
    const base = {
      name, sessionId: opts.sessionId, lab, dir, socketDir, accel: decision.accel, accelReason: decision.reason,
      kernel: image.kernel, initrd: image.initrd, rootfs: image.rootfs, checkTools: image.checkTools,
      bootTimeoutMs: this.opts.bootTimeoutMs ?? BOOT_TIMEOUT_MS[decision.accel],
      onProgress: opts.onProgress ?? (() => {}),
      log: this.opts.log ?? (() => {}),
    };
    const key = this.stateKeyFor(lab, image.hash, decision.accel);
    const saved = readSavedState(this.dataDir, key);
    if (saved) {
      const restored = await this.runVm({ ...base, restore: saved });
      const stoppedMeanwhile = this.stopped.delete(opts.sessionId);
      if (restored.ok) return { ok: true, value: { backend: 'vm', sessionId: opts.sessionId, labId: lab.id, ref: name } satisfies VmHandle };
      if (stoppedMeanwhile) return restored; // stopped while it restored: boot nothing
      // The saved state is an optimisation: say why it failed, then boot as if there were none.
      this.opts.log?.(`${name}: restoring saved state ${key} failed (${restored.error.message}); cold boot instead`);
      opts.onProgress?.({ en: 'the saved VM state did not restore; booting the VM instead', ko: '저장된 VM 상태를 복원하지 못해 대신 VM을 부팅합니다' });
    }
    const r = await this.runVm(base);
    this.stopped.delete(opts.sessionId);
    if (!r.ok) return r;
    const prepared = await this.prepareColdBooted(lab, opts);
    if (!prepared.ok) return prepared;
    if (!saved && this.opts.saveStates) fireAndForget(this.saveState(lab, opts.image), `saving the VM state of ${lab.id}`);
    return { ok: true, value: { backend: 'vm', sessionId: opts.sessionId, labId: lab.id, ref: name } satisfies VmHandle };
  }

  /**
   * A cold-booted VM has not run the lab's vm.prepare (a saved state ran it
   * before the save): run it now, before the session's setup. On failure the
   * VM is stopped and the error says what prepare printed.
   */
  private async prepareColdBooted(lab: ResolvedLab, opts: StartOptions): Promise<Result<void, BackendError>> {
    const vm = this.vms.get(opts.sessionId);
    if (!lab.vm?.prepare || !vm) return { ok: true, value: undefined };
    opts.onProgress?.({ en: 'preparing the lab in the VM (its vm.prepare script; a saved state skips this)', ko: 'VM 안에서 실습을 준비하는 중 (vm.prepare 스크립트; 저장된 상태가 있으면 건너뜀)' });
    const res = await vm.exec(['bash', '-s'], { stdin: lab.vm.prepare, timeoutMs: PREPARE_TIMEOUT_MS, env: { KDLABS_LAB: lab.id } });
    if (res.ok && res.value.exitCode === 0) {
      vm.keepPrepareRecords(res.value.stdout);
      return { ok: true, value: undefined };
    }
    await vm.stop();
    this.vms.delete(opts.sessionId);
    const detail = res.ok ? `exit ${res.value.exitCode}: ${`${res.value.stdout}\n${res.value.stderr}`.trim().split('\n').slice(-12).join('\n')}` : res.error.message;
    return { ok: false, error: { code: 'start-failed', message: `the lab's vm.prepare script failed (${detail})` } };
  }

  /** Starts one VM; on failure it is stopped and forgotten. */
  private async runVm(cfg: ConstructorParameters<typeof Vm>[0]): Promise<Result<void, BackendError>> {
    const vm = new Vm(cfg);
    this.vms.set(cfg.sessionId, vm);
    let r: Result<void, BackendError>;
    try {
      r = await vm.start();
    } catch (e) {
      // A bug: still leave no QEMU or files behind before it goes up.
      await vm.stop();
      this.vms.delete(cfg.sessionId);
      throw e;
    }
    if (!r.ok) {
      await vm.stop();
      this.vms.delete(cfg.sessionId);
    }
    return r;
  }

  /** What a saved state of this lab on this image, QEMU and accelerator is filed under. */
  private stateKeyFor(lab: ResolvedLab, imageHash: string, accel: Accel): string {
    const { memoryMb, cpus, cmdline } = lab.vm!;
    return stateKey({
      qemuVersion: this.version?.ok ? this.version.text : 'unknown', imageHash, labFilesHash: labFilesHash(lab.image.labLayerDir), prepare: lab.vm!.prepare,
      vm: { accel, memoryMb, cpus, cmdline: labCmdline(lab.id, cmdline), dataDisk: lab.vm!.dataDisk },
    });
  }

  /**
   * The lab's saved state on the image in `imageDir`: the one on disk, or a new
   * one (boots the lab once: a minute on TCG). Resolves null when saving failed
   * (logged); concurrent calls for one state share one save.
   */
  async saveState(lab: ResolvedLab, imageDir: string): Promise<SavedState | null> {
    const pre = await this.preflight();
    const image = readVmImage(imageDir);
    if (!pre.ok || !image || !lab.vm) return null;
    const decision = (await this.accelFor(imageDir))!;
    const key = this.stateKeyFor(lab, image.hash, decision.accel);
    const existing = readSavedState(this.dataDir, key);
    if (existing) return existing;
    let p = this.saves.get(key);
    if (!p) {
      const log = this.opts.log ?? (() => {});
      p = saveVmState({
        dataDir: this.dataDir, key, labId: lab.id, imageHash: image.hash, qemuVersion: this.version?.ok ? this.version.text : 'unknown',
        accel: decision.accel, memoryMb: lab.vm.memoryMb, cpus: lab.vm.cpus, kernel: image.kernel, initrd: image.initrd, rootfs: image.rootfs, checkTools: image.checkTools,
        cmdline: labCmdline(lab.id, lab.vm.cmdline), labLayerDir: lab.image.labLayerDir, prepare: lab.vm.prepare, dataDisk: lab.vm.dataDisk,
        bootTimeoutMs: this.opts.bootTimeoutMs ?? BOOT_TIMEOUT_MS[decision.accel], log, signal: this.saveAbort.signal,
      }).then(() => readSavedState(this.dataDir, key), (e: Error) => {
        log(`could not save the VM state of ${lab.id}: ${e.message}; its sessions keep booting`);
        return null;
      }).finally(() => this.saves.delete(key));
      this.saves.set(key, p);
    }
    return p;
  }

  /** Resolves when no save is under way (tests and tools wait for it before they end). */
  async savesDone(): Promise<void> {
    while (this.saves.size) await Promise.all([...this.saves.values()]);
  }

  /** Ends the saves under way (their QEMU is killed, nothing is kept) and waits for them: the runner is stopping. */
  async stopSaves(): Promise<void> {
    this.saveAbort.abort();
    await this.savesDone();
  }

  async openShell(handle: LabHandle, size: TermSize): Promise<Result<ShellStream, BackendError>> {
    const vm = this.vms.get(handle.sessionId);
    if (!vm || !vm.alive) return { ok: false, error: { code: 'gone', message: `lab ${handle.labId}: its VM is not running` } };
    const shell = vm.openConsole();
    fireAndForget(vm.setTermSize(size), `${handle.ref}: setting the console size`);
    return { ok: true, value: shell };
  }

  async exec(handle: LabHandle, command: string[], opts: ExecOptions): Promise<Result<ExecResult, BackendError>> {
    const vm = this.vms.get(handle.sessionId);
    if (!vm || !vm.alive) return { ok: false, error: { code: 'gone', message: `lab ${handle.labId}: its VM is not running` } };
    return vm.exec(command, opts);
  }

  async isAlive(handle: LabHandle): Promise<Result<boolean, BackendError>> {
    // The VM is this process's child: whether it runs is always known.
    return { ok: true, value: this.vms.get(handle.sessionId)?.alive ?? false };
  }

  async stop(handle: LabHandle): Promise<Result<void, BackendError>> {
    const vm = this.vms.get(handle.sessionId);
    if (vm) {
      if (vm.starting) this.stopped.add(handle.sessionId);
      await vm.stop();
      this.vms.delete(handle.sessionId);
    } else {
      // Not ours in memory (an earlier runner's): remove by its folder.
      await killAndRemove(join(runnerDir(this.dataDir, this.opts.runnerName), handle.sessionId));
    }
    removeRunnerDirIfEmpty(runnerDir(this.dataDir, this.opts.runnerName));
    return { ok: true, value: undefined };
  }

  async reapOrphans(runnerName: string, keep: (sessionId: string) => boolean = () => false): Promise<Result<number, BackendError>> {
    const base = runnerDir(this.dataDir, runnerName);
    if (!existsSync(base)) return { ok: true, value: 0 };
    let n = 0;
    for (const sessionId of readdirSync(base)) {
      if (keep(sessionId) || (runnerName === this.opts.runnerName && this.vms.has(sessionId))) continue;
      await killAndRemove(join(base, sessionId));
      n++;
    }
    removeRunnerDirIfEmpty(base);
    return { ok: true, value: n };
  }

  async listOwned(runnerName: string): Promise<Result<string[], BackendError>> {
    const base = runnerDir(this.dataDir, runnerName);
    return { ok: true, value: existsSync(base) ? readdirSync(base).map(vmName) : [] };
  }
}

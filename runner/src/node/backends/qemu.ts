// QEMU backend: one virtual machine per lab session, for faults that crash a kernel.
//  - qemu-system-x86_64 runs under node-pty; the VM's serial console (ttyS0, where
//    root is logged in automatically) is the lab terminal.
//  - QMP (a unix socket) controls the VM: quit, system_reset, cont, and the
//    GUEST_PANICKED event that `-device pvpanic -action panic=pause` raises when the
//    guest kernel panics.
//  - Scripts and checks run through the guest agent (qemu-ga on a virtio-serial
//    port): guest-exec + guest-exec-status, never by typing into the console.
//  - Each session boots from its own qcow2 overlay on the shared, read-only base image,
//    with the lab's own files (labs/<id>/image/) on a small read-only disk at /opt/lab.
//  - On a panic the runner keeps the console's last words, resets the VM and, once it
//    is back, writes them into it as /var/crash/<time>/dmesg.<time>, like kdump would.
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants as fsConstants, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as pty from 'node-pty';
import type { ResolvedLab } from '../../common/lab-schema.ts';
import { readVmImage } from '../images/vm-image-builder.ts';
import { DEFAULT_DATA_DIR } from '../util/paths.ts';
import type {
  BackendError, ExecOptions, ExecResult, LabBackend, LabHandle, Result, ShellStream, StartOptions, TermSize,
} from './lab-backend.ts';
import { ChannelError, GuestAgent, QmpClient, sleep, type GuestExecStatus } from './qmp.ts';
import { BOOT_FAILURE_PATTERNS, ByteRing, crashDmesg, crashStamp, LineSplitter, replayTail, stripAnsi } from './vm-console.ts';

const QEMU = process.env.KDLABS_QEMU ?? 'qemu-system-x86_64';
const QEMU_IMG = process.env.KDLABS_QEMU_IMG ?? 'qemu-img';
/** `-action panic=pause` appeared in QEMU 6.0; Debian 12 ships 7.2. */
const MIN_QEMU_VERSION: [number, number] = [6, 0];

/** Console bytes kept per VM: the end of the boot log, the shell, a whole Oops. */
const CONSOLE_RING_BYTES = 256 * 1024;
/** Console output before a panic that goes into the crash record (an Oops is 3–6 KB; keep what led up to it). */
const CRASH_LOG_BYTES = 64 * 1024;
/** Console replayed to a newly opened terminal, so it shows the prompt and what happened last. */
const SHELL_REPLAY_BYTES = 8 * 1024;
/** Output held for a paused terminal (its viewers are behind); older output is dropped past this. */
const SHELL_PAUSED_MAX_BYTES = 1024 * 1024;
/** QEMU creates its sockets as it starts; this only bounds a QEMU that hangs before that. */
const SOCKET_CONNECT_TIMEOUT_MS = 15_000;
/** Boot to a logged-in console and an answering guest agent: ~3 s on KVM, 15–25 s on TCG on a busy 2-core host; generous for loaded CI. */
const BOOT_TIMEOUT_MS = { kvm: 90_000, tcg: 300_000 } as const;
/** How often the guest agent is asked whether it is up, while the VM boots. */
const AGENT_SYNC_INTERVAL_MS = 1000;
/** A guest agent request unanswered this long means the agent is gone (the guest is rebooting or hung). */
const AGENT_REQUEST_TIMEOUT_MS = 15_000;
/** Polling guest-exec-status: start fast (most checks take milliseconds), back off to this. */
const EXEC_POLL_MAX_MS = 200;
/** Extra time past `timeout -k 2` before the runner gives up on a guest command. */
const EXEC_GRACE_MS = 5000;
/** Exit code reported for a command the VM's panic (or reboot) cut short. */
export const EXIT_VM_RESTARTED = 255;
/** Output kept from a check or setup script; learners read a message, not a log. */
const MAX_EXEC_OUTPUT = 64 * 1024;
/** quit over QMP → process gone; after this, SIGKILL. */
const STOP_GRACE_MS = 3000;
/** The console showed a panic but pvpanic raised no event (driver not loaded): act on the text after this. */
const PANIC_EVENT_GRACE_MS = 3000;
/** system_reset → RESET event; QEMU handles it on its next main-loop turn. */
const RESET_EVENT_TIMEOUT_MS = 10_000;
/** Working KVM runs SeaBIOS's first debug line in ~0.1 s; a busy host gets some slack. */
const KVM_PROBE_TIMEOUT_MS = 8000;
/** Smallest lab files disk; ext4 wants a few MiB for itself. */
const LAB_DISK_MIN_MB = 8;
/** Longest accepted socket path (sun_path is 108 bytes with its NUL). */
const MAX_SOCKET_PATH = 100;

/** Kernel parameters of every lab VM; the lab's `vm.cmdline` comes after them. */
const BASE_CMDLINE = [
  'root=/dev/vda', 'rootfstype=ext4', 'rw', 'console=ttyS0,115200', 'loglevel=4',
  'modprobe.blacklist=ahci', // q35's built-in SATA controller: probing its six empty ports costs seconds on TCG
  'audit=0',
  // To systemd's environment: plain status lines. Its coloured ones get cut inside an escape sequence when too long.
  'SYSTEMD_COLORS=0',
];
const GUEST_PATH = '/opt/kdlabs/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const LOGIN_MARKER = /\(automatic login\)/;
/** The panic line itself, not its `---[ end Kernel panic …` trailer (which may arrive after a reset). */
const PANIC_TEXT = /(?<!end )Kernel panic - not syncing/;

export type Accel = 'kvm' | 'tcg';
type VmState = 'booting' | 'ready' | 'panicked' | 'rebooting' | 'failed' | 'dead' | 'stopped';

interface VmHandle extends LabHandle { readonly backend: 'vm' }

export interface QemuBackendOptions {
  runnerName: string;
  /** Session folders (overlay, pid) go under <dataDir>/vms/<runner>/. */
  dataDir?: string;
  /** auto (default): KVM when it really runs a guest, else TCG. Env KDLABS_QEMU_ACCEL overrides. */
  accel?: 'auto' | Accel;
  /** Tests shorten the boot limit to prove a VM that never boots fails in bounded time. */
  bootTimeoutMs?: number;
  log?: (line: string) => void;
}

interface SessionMeta { pid: number; sessionId: string; socketDir: string; name: string; startedAt: string }

export class QemuBackend implements LabBackend {
  readonly kind = 'vm' as const;
  private readonly vms = new Map<string, Vm>();
  private readonly dataDir: string;
  private readonly accelSetting: 'auto' | Accel;
  private accelChoice: Promise<{ accel: Accel; why: string }> | null = null;
  private version: { ok: true; text: string } | { ok: false; message: string } | null = null;

  constructor(private readonly opts: QemuBackendOptions) {
    this.dataDir = opts.dataDir ?? DEFAULT_DATA_DIR;
    const env = process.env.KDLABS_QEMU_ACCEL;
    this.accelSetting = env === 'kvm' || env === 'tcg' || env === 'auto' ? env : opts.accel ?? 'auto';
  }

  async preflight(): Promise<Result<string, BackendError>> {
    this.version ??= qemuVersion();
    if (!this.version.ok) return { ok: false, error: { code: 'backend-unavailable', message: this.version.message } };
    const accel = this.accelChoice ? ` (${(await this.accelChoice).accel.toUpperCase()})` : '';
    return { ok: true, value: `${this.version.text}${accel}` };
  }

  /** KVM when it really runs guest code, else TCG; decided once per backend. */
  accel(onProgress?: (m: string) => void): Promise<{ accel: Accel; why: string }> {
    if (!this.accelChoice) {
      if (this.accelSetting !== 'auto') {
        this.accelChoice = Promise.resolve({ accel: this.accelSetting, why: 'KDLABS_QEMU_ACCEL' });
      } else {
        onProgress?.('checking whether KVM works on this host');
        this.accelChoice = probeKvm();
      }
      void this.accelChoice.then((a) => this.opts.log?.(`QEMU accelerator: ${a.accel} (${a.why})`));
    }
    return this.accelChoice;
  }

  async start(lab: ResolvedLab, opts: StartOptions): Promise<Result<LabHandle, BackendError>> {
    const pre = await this.preflight();
    if (!pre.ok) return pre;
    const image = readVmImage(opts.image);
    if (!image) return { ok: false, error: { code: 'image-missing', message: `VM image ${opts.image} is missing or incomplete; run \`npm run labs -- build ${lab.id}\`` } };
    if (!lab.vm) return { ok: false, error: { code: 'start-failed', message: `lab ${lab.id} is not a VM lab` } };
    const { accel, why } = await this.accel(opts.onProgress);
    const name = vmName(opts.sessionId);
    const dir = join(this.runnerDir(this.opts.runnerName), opts.sessionId);
    const socketDir = join(tmpdir(), name);
    if (join(socketDir, 'qmp.sock').length > MAX_SOCKET_PATH) {
      return { ok: false, error: { code: 'start-failed', message: `the socket folder ${socketDir} is too long for a unix socket; set TMPDIR to a shorter path` } };
    }
    const vm = new Vm({
      name, sessionId: opts.sessionId, lab, dir, socketDir, accel, accelWhy: why,
      kernel: image.kernel, initrd: image.initrd, rootfs: image.rootfs,
      bootTimeoutMs: this.opts.bootTimeoutMs ?? BOOT_TIMEOUT_MS[accel],
      onProgress: opts.onProgress ?? (() => {}),
      log: this.opts.log ?? (() => {}),
    });
    this.vms.set(opts.sessionId, vm);
    const r = await vm.start();
    if (!r.ok) {
      await vm.stop();
      this.vms.delete(opts.sessionId);
      return r;
    }
    return { ok: true, value: { backend: 'vm', sessionId: opts.sessionId, labId: lab.id, ref: name } satisfies VmHandle };
  }

  async openShell(handle: LabHandle, size: TermSize): Promise<Result<ShellStream, BackendError>> {
    const vm = this.vms.get(handle.sessionId);
    if (!vm || !vm.alive) return { ok: false, error: { code: 'gone', message: `lab ${handle.labId}: its VM is not running` } };
    const shell = vm.openConsole();
    void vm.setTermSize(size);
    return { ok: true, value: shell };
  }

  async exec(handle: LabHandle, command: string[], opts: ExecOptions): Promise<Result<ExecResult, BackendError>> {
    const vm = this.vms.get(handle.sessionId);
    if (!vm || !vm.alive) return { ok: false, error: { code: 'gone', message: `lab ${handle.labId}: its VM is not running` } };
    return vm.exec(command, opts);
  }

  async isAlive(handle: LabHandle): Promise<boolean> {
    return this.vms.get(handle.sessionId)?.alive ?? false;
  }

  async stop(handle: LabHandle): Promise<void> {
    const vm = this.vms.get(handle.sessionId);
    if (vm) {
      await vm.stop();
      this.vms.delete(handle.sessionId);
      return;
    }
    // Not ours in memory (an earlier runner's): remove by its folder.
    await killAndRemove(join(this.runnerDir(this.opts.runnerName), handle.sessionId));
  }

  async reapOrphans(runnerName: string): Promise<number> {
    const base = this.runnerDir(runnerName);
    if (!existsSync(base)) return 0;
    let n = 0;
    for (const sessionId of readdirSync(base)) {
      if (runnerName === this.opts.runnerName && this.vms.has(sessionId)) continue;
      await killAndRemove(join(base, sessionId));
      n++;
    }
    return n;
  }

  async listOwned(runnerName: string): Promise<string[]> {
    const base = this.runnerDir(runnerName);
    if (!existsSync(base)) return [];
    return readdirSync(base).map(vmName);
  }

  private runnerDir(runnerName: string): string {
    return join(this.dataDir, 'vms', runnerName.replace(/[^A-Za-z0-9._-]/g, '_'));
  }
}

interface VmConfig {
  name: string;
  sessionId: string;
  lab: ResolvedLab;
  dir: string;
  socketDir: string;
  accel: Accel;
  accelWhy: string;
  kernel: string;
  initrd: string;
  rootfs: string;
  bootTimeoutMs: number;
  onProgress: (m: string) => void;
  log: (line: string) => void;
}

/** One lab VM: its QEMU process, console, control channels and state. */
class Vm {
  private state: VmState = 'booting';
  /** Goes up with every boot; a guest command from an older boot was cut short. */
  private epoch = 0;
  private proc: pty.IPty | null = null;
  private exited = false;
  private readonly exitWaiters = new Set<() => void>();
  private qmp: QmpClient | null = null;
  private agent: GuestAgent | null = null;
  private readonly ring = new ByteRing(CONSOLE_RING_BYTES);
  private readonly lines: LineSplitter;
  private readonly consoles = new Set<ConsoleShell>();
  private readonly stateWaiters = new Set<() => void>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private boot: BootWatch | null = null;
  private termSize: TermSize | null = null;
  private panicFallback: NodeJS.Timeout | null = null;
  private stopping: Promise<void> | null = null;
  private failure = '';
  private crashes = 0;

  constructor(private readonly cfg: VmConfig) {
    this.lines = new LineSplitter((line) => this.onConsoleLine(line));
  }

  get alive(): boolean {
    return this.state !== 'dead' && this.state !== 'stopped' && this.state !== 'failed';
  }

  async start(): Promise<Result<void, BackendError>> {
    const { cfg } = this;
    try {
      mkdirSync(cfg.dir, { recursive: true });
      rmSync(cfg.socketDir, { recursive: true, force: true });
      mkdirSync(cfg.socketDir, { recursive: true, mode: 0o700 });
      const overlay = join(cfg.dir, 'overlay.qcow2');
      const img = await runTool(QEMU_IMG, ['create', '-q', '-f', 'qcow2', '-b', cfg.rootfs, '-F', 'raw', overlay]);
      if (img) return this.startFailed(`qemu-img could not create the disk overlay: ${img}`);
      const labDisk = join(cfg.dir, 'lab.img');
      const made = await makeLabDisk(cfg.lab.image.labLayerDir, labDisk);
      if (made) return this.startFailed(made);

      if (this.state === 'stopped') return this.startFailed('the lab was stopped while it started');
      const { memoryMb, cpus, cmdline } = cfg.lab.vm!;
      cfg.onProgress(`starting QEMU: ${cfg.accel.toUpperCase()}${cfg.accel === 'tcg' ? ' (software emulation, slower)' : ''}, ${cpus} vCPU, ${memoryMb} MiB`);
      cfg.log(`${cfg.name}: ${cfg.accel} because ${cfg.accelWhy}`);
      const args = qemuArgs({ ...cfg, memoryMb, cpus, overlay, labDisk, cmdline: [...BASE_CMDLINE, `systemd.hostname=${cfg.lab.id.slice(0, 63)}`, ...cmdline] });
      const proc = pty.spawn(QEMU, args, {
        name: 'xterm-256color', cols: 120, rows: 32, cwd: cfg.dir, env: process.env as Record<string, string>,
        encoding: null, // raw bytes: the ring and the crash record must not split UTF-8 or mangle escapes
      });
      this.proc = proc;
      const meta: SessionMeta = { pid: proc.pid, sessionId: cfg.sessionId, socketDir: cfg.socketDir, name: cfg.name, startedAt: new Date().toISOString() };
      writeFileSync(join(cfg.dir, 'meta.json'), JSON.stringify(meta, null, 2));
      proc.onData((d) => this.onConsole(typeof d === 'string' ? Buffer.from(d, 'utf8') : (d as unknown as Buffer)));
      proc.onExit(({ exitCode, signal }) => this.onExit(exitCode, signal));

      const giveUp = (): string | null => (this.exited ? `QEMU exited: ${this.lastConsole(8)}` : null);
      this.qmp = await QmpClient.connect(join(cfg.socketDir, 'qmp.sock'), SOCKET_CONNECT_TIMEOUT_MS, giveUp);
      this.progress('booting the Linux kernel');
      this.qmp.onEvent((e) => this.onQmpEvent(e.event, e.data ?? {}));
      this.agent = new GuestAgent(join(cfg.socketDir, 'qga.sock'));
      await this.agent.connect(SOCKET_CONNECT_TIMEOUT_MS, giveUp);

      const booted = await this.waitForBoot();
      if (!booted.ok) return this.startFailed(booted.message);
      this.setState('ready');
      return { ok: true, value: undefined };
    } catch (e) {
      return this.startFailed(this.exited ? `QEMU exited: ${this.lastConsole(8)}` : (e as Error).message);
    }
  }

  /** Runs a command in the guest through the agent; waits for a rebooting VM first. */
  async exec(command: string[], opts: ExecOptions): Promise<Result<ExecResult, BackendError>> {
    const ready = await this.whenReady(this.cfg.bootTimeoutMs);
    if (!ready.ok) return { ok: false, error: { code: 'gone', message: ready.message } };
    const env: Record<string, string> = { PATH: GUEST_PATH, HOME: '/root', LANG: 'C.UTF-8', TERM: 'xterm-256color', ...opts.env };
    return { ok: true, value: await this.guestExec(command, opts.stdin, opts.timeoutMs, env) };
  }

  openConsole(): ConsoleShell {
    const shell = new ConsoleShell(this, replayTail(this.ring, SHELL_REPLAY_BYTES));
    this.consoles.add(shell);
    return shell;
  }

  closeConsole(shell: ConsoleShell): void { this.consoles.delete(shell); }

  writeConsole(data: string | Buffer): void {
    if (this.proc && !this.exited) this.proc.write(data);
  }

  /** The serial line has no window size: set it on the guest's tty (which signals the shell). */
  async setTermSize(size: TermSize): Promise<void> {
    this.termSize = size;
    if (this.state !== 'ready') return; // applied when the VM is (back) up
    await this.applyTermSize();
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const wasRunning = this.proc && !this.exited;
      this.setState('stopped');
      this.agent?.abortAll('the lab is stopping');
      if (wasRunning) {
        try { await this.qmp?.execute('quit', undefined, STOP_GRACE_MS); } catch { /* killed below */ }
        if (!(await this.waitExit(STOP_GRACE_MS))) {
          try { this.proc?.kill('SIGKILL'); } catch { /* already gone */ }
          await this.waitExit(STOP_GRACE_MS);
        }
      }
      this.release();
    })();
    return this.stopping;
  }

  // ---- boot ----

  /** Resolves when root is logged in on the console and the guest agent answers; then the VM is ready. */
  private async waitForBoot(): Promise<{ ok: true } | { ok: false; message: string }> {
    const watch = new BootWatch();
    this.boot = watch;
    const limit = setTimeout(() => watch.fail(`the VM did not finish booting within ${Math.round(this.cfg.bootTimeoutMs / 1000)} s; last console lines: ${this.lastConsole(6)}`), this.cfg.bootTimeoutMs);
    this.timers.add(limit);
    const agentLoop = (async () => {
      while (!watch.done) {
        const t = Date.now();
        if (await this.agent!.sync(AGENT_SYNC_INTERVAL_MS)) { watch.agentUp(); return; }
        await sleep(Math.max(0, AGENT_SYNC_INTERVAL_MS - (Date.now() - t)));
      }
    })();
    const result = await watch.result;
    clearTimeout(limit);
    this.timers.delete(limit);
    await agentLoop;
    if (this.boot === watch) this.boot = null;
    if (!result.ok) return result;
    if (this.termSize) await this.applyTermSize();
    return { ok: true };
  }

  private onConsole(chunk: Buffer): void {
    this.ring.push(chunk);
    this.lines.push(chunk);
    for (const c of this.consoles) c.deliver(chunk);
    const boot = this.boot;
    if (boot && !boot.done) {
      if (!boot.sawOutput) { boot.sawOutput = true; this.progress('kernel up, initramfs mounting the root disk'); }
      if (/^\(initramfs\) $/.test(this.lines.current)) {
        boot.fail(`the VM could not mount its root disk and stopped in the initramfs shell; last console lines: ${this.lastConsole(6)}`);
      }
    }
  }

  private onConsoleLine(line: string): void {
    const boot = this.boot;
    if (boot && !boot.done) {
      if (/Welcome to .*Debian/.test(line)) this.progress('systemd is starting services');
      if (LOGIN_MARKER.test(line)) { this.progress('root logged in on the serial console'); boot.loginSeen(); }
      const failed = BOOT_FAILURE_PATTERNS.find((p) => p.test(line));
      if (failed) {
        // Give the rest of the message a moment to arrive, then fail with it.
        const t = setTimeout(() => boot.fail(`the VM failed to boot: ${this.lastConsole(8)}`), 300);
        this.timers.add(t);
      }
    }
    if (PANIC_TEXT.test(line) && this.state === 'ready' && !this.panicFallback) {
      // pvpanic normally reports this within microseconds; without its driver, act on the text.
      this.panicFallback = setTimeout(() => { this.panicFallback = null; void this.onPanic('console'); }, PANIC_EVENT_GRACE_MS);
    }
  }

  private progress(message: string): void {
    if (this.state === 'booting') this.cfg.onProgress(message);
  }

  private onQmpEvent(event: string, data: Record<string, unknown>): void {
    if (event === 'GUEST_PANICKED') void this.onPanic('pvpanic');
    else if (event === 'RESET' && data.guest === true && this.state === 'ready') void this.onGuestReboot();
  }

  // ---- panic → crash record → reboot ----

  private async onPanic(source: 'pvpanic' | 'console'): Promise<void> {
    if (this.panicFallback) { clearTimeout(this.panicFallback); this.panicFallback = null; }
    if (this.state === 'booting' || this.state === 'rebooting') {
      this.boot?.fail(`the kernel panicked while booting: ${this.lastConsole(10)}`);
      return;
    }
    if (this.state !== 'ready') return;
    this.setState('panicked');
    this.crashes++;
    const at = new Date();
    const tail = this.ring.tail(CRASH_LOG_BYTES);
    const stamp = this.uniqueStamp(at);
    const dmesg = crashDmesg(tail);
    mkdirSync(join(this.cfg.dir, 'crash'), { recursive: true });
    writeFileSync(join(this.cfg.dir, 'crash', `console.${stamp}`), tail);
    this.cfg.log(`${this.cfg.name}: guest kernel panic (${source}); rebooting, crash record ${stamp}`);
    this.notice(`kernel panic caught by the lab runner (${source === 'pvpanic' ? 'pvpanic' : 'console'}); console log saved, rebooting the VM…`);
    try {
      const reset = this.qmp!.nextEvent('RESET', RESET_EVENT_TIMEOUT_MS);
      await this.qmp!.execute('system_reset');
      await reset;
      await this.qmp!.execute('cont'); // leaves the paused (guest-panicked) state; a no-op on a running VM
    } catch (e) {
      return this.fail(`the VM could not be restarted after the panic: ${(e as Error).message}`);
    }
    this.setState('rebooting');
    const booted = await this.waitForBoot();
    if (!booted.ok) return this.fail(`the VM did not come back after the panic: ${booted.message}`);
    try {
      await this.writeCrashRecord(stamp, dmesg);
    } catch (e) {
      this.cfg.log(`${this.cfg.name}: could not write the crash record: ${(e as Error).message}`);
    }
    this.setState('ready');
    this.notice(`the VM is back; the crash record is in /var/crash/${stamp}/`);
  }

  private async onGuestReboot(): Promise<void> {
    this.setState('rebooting');
    const booted = await this.waitForBoot();
    if (!booted.ok) return this.fail(`the VM did not come back after a reboot: ${booted.message}`);
    this.setState('ready');
  }

  private uniqueStamp(at: Date): string {
    const base = crashStamp(at);
    return this.crashes > 1 && existsSync(join(this.cfg.dir, 'crash', `console.${base}`)) ? `${base}${String(at.getUTCSeconds()).padStart(2, '0')}` : base;
  }

  private async writeCrashRecord(stamp: string, dmesg: string): Promise<void> {
    const dir = `/var/crash/${stamp}`;
    const file = `${dir}/dmesg.${stamp}`;
    // The folder, and the file with kdump's mode (0644); the agent then writes its content.
    const mk = await this.guestExec(['sh', '-c', 'mkdir -p "$1" && install -m 0644 /dev/null "$2"', 'sh', dir, file], undefined, 10_000, { PATH: GUEST_PATH });
    if (mk.exitCode !== 0) throw new Error(`creating ${file}: ${mk.stderr.trim()}`);
    await this.writeGuestFile(file, Buffer.from(dmesg, 'utf8'));
    await this.guestExec(['sync'], undefined, 10_000, { PATH: GUEST_PATH }); // the learner may crash it again soon
  }

  /** guest-file-open/write/close: the agent writes the file itself, no shell involved. */
  private async writeGuestFile(path: string, data: Buffer): Promise<void> {
    const agent = this.agent!;
    const handle = await agent.execute<number>('guest-file-open', { path, mode: 'w' }, AGENT_REQUEST_TIMEOUT_MS);
    try {
      const CHUNK = 48 * 1024;
      for (let off = 0; off < data.length; off += CHUNK) {
        await agent.execute('guest-file-write', { handle, 'buf-b64': data.subarray(off, off + CHUNK).toString('base64') }, AGENT_REQUEST_TIMEOUT_MS);
      }
    } finally {
      await agent.execute('guest-file-close', { handle }, AGENT_REQUEST_TIMEOUT_MS).catch(() => {});
    }
  }

  private async applyTermSize(): Promise<void> {
    const s = this.termSize;
    if (!s) return;
    await this.guestExec(['stty', '-F', '/dev/ttyS0', 'rows', String(s.rows), 'cols', String(s.cols)], undefined, 10_000, { PATH: GUEST_PATH })
      .catch(() => { /* the shell may be gone for a moment; the next resize sets it */ });
  }

  // ---- guest commands ----

  private async guestExec(command: string[], stdin: string | Buffer | undefined, timeoutMs: number, env: Record<string, string>): Promise<ExecResult> {
    const started = Date.now();
    const epoch = this.epoch;
    const seconds = Math.max(1, Math.ceil(timeoutMs / 1000));
    const interrupted = (): ExecResult => ({
      exitCode: EXIT_VM_RESTARTED, stdout: '', timedOut: false, durationMs: Date.now() - started,
      stderr: this.state === 'panicked' || this.crashes > 0
        ? 'the VM\'s kernel panicked while this ran; the runner saved the console and is rebooting the VM (the crash record appears in /var/crash/)'
        : 'the VM restarted while this ran',
    });
    const agent = this.agent;
    if (!agent) return interrupted();
    let pid: number;
    try {
      const args: Record<string, unknown> = {
        // `timeout` in the guest ends a hung command; the runner's deadline below is the backstop.
        path: '/usr/bin/timeout', arg: ['-k', '2', String(seconds), ...command],
        env: Object.entries(env).map(([k, v]) => `${k}=${v}`), 'capture-output': true,
      };
      if (stdin !== undefined) args['input-data'] = Buffer.from(stdin).toString('base64');
      pid = (await agent.execute<{ pid: number }>('guest-exec', args, AGENT_REQUEST_TIMEOUT_MS)).pid;
    } catch (e) {
      if (this.epoch !== epoch || this.state !== 'ready') return interrupted();
      throw e;
    }
    const deadline = started + timeoutMs + 2000 + EXEC_GRACE_MS;
    let delay = 5;
    for (;;) {
      await sleep(delay);
      delay = Math.min(EXEC_POLL_MAX_MS, delay * 2);
      if (this.epoch !== epoch) return interrupted();
      let st: GuestExecStatus;
      try {
        st = await agent.execute<GuestExecStatus>('guest-exec-status', { pid }, AGENT_REQUEST_TIMEOUT_MS);
      } catch (e) {
        if (this.epoch !== epoch || this.state !== 'ready') return interrupted();
        if (e instanceof ChannelError && e.reason === 'timeout' && Date.now() < deadline) continue;
        throw e;
      }
      if (st.exited) {
        const exitCode = st.exitcode ?? (st.signal !== undefined ? 128 + st.signal : 1);
        return {
          exitCode, stdout: decode(st['out-data']), stderr: decode(st['err-data']),
          timedOut: exitCode === 124 || exitCode === 137, durationMs: Date.now() - started,
        };
      }
      if (Date.now() > deadline) {
        return { exitCode: 137, stdout: '', stderr: `no result within ${Math.round(timeoutMs / 1000)} s`, timedOut: true, durationMs: Date.now() - started };
      }
    }
  }

  // ---- state ----

  private setState(s: VmState): void {
    if (this.state === 'stopped' || (this.state === 'dead' && s !== 'stopped')) return;
    if (s === 'panicked' || s === 'rebooting') {
      this.epoch++;
      this.agent?.abortAll('the VM is restarting');
    }
    this.state = s;
    for (const w of [...this.stateWaiters]) w();
  }

  private async whenReady(timeoutMs: number): Promise<{ ok: true } | { ok: false; message: string }> {
    const deadline = Date.now() + timeoutMs;
    while (this.state !== 'ready') {
      if (!this.alive) return { ok: false, message: `the lab VM is not running${this.failure ? `: ${this.failure}` : ''}` };
      const left = deadline - Date.now();
      if (left <= 0) return { ok: false, message: `the lab VM did not become ready within ${Math.round(timeoutMs / 1000)} s` };
      await new Promise<void>((resolve) => {
        const done = (): void => { clearTimeout(t); this.stateWaiters.delete(done); resolve(); };
        const t = setTimeout(done, left);
        this.stateWaiters.add(done);
      });
    }
    return { ok: true };
  }

  private fail(message: string): void {
    this.failure = message;
    this.cfg.log(`${this.cfg.name}: ${message}`);
    this.notice(message);
    this.setState('failed');
  }

  private startFailed(message: string): Result<void, BackendError> {
    this.failure = message;
    return { ok: false, error: { code: 'start-failed', message: `the lab VM did not start: ${message}` } };
  }

  /** A line from the runner on the lab terminal (not typed into the VM). */
  private notice(text: string): void {
    const chunk = Buffer.from(`\r\n\x1b[1;33m[kdlabs] ${text}\x1b[0m\r\n`, 'utf8');
    this.ring.push(chunk);
    for (const c of this.consoles) c.deliver(chunk);
  }

  private lastConsole(lines: number): string {
    const text = stripAnsi(this.ring.tail(8192).toString('utf8'));
    return text.split('\n').map((l) => l.trim()).filter(Boolean).slice(-lines).join(' | ') || '(no console output)';
  }

  private onExit(exitCode: number, signal: number | undefined): void {
    this.exited = true;
    for (const w of [...this.exitWaiters]) w();
    if (this.state === 'stopped') return;
    const why = `QEMU exited (${signal ? `signal ${signal}` : `code ${exitCode}`})`;
    this.failure ||= why;
    this.boot?.fail(`${why}: ${this.lastConsole(8)}`);
    this.cfg.log(`${this.cfg.name}: ${why}`);
    this.setState('dead');
    // Nothing is left to use: free everything now (the session learns of it from isAlive).
    this.release();
  }

  private waitExit(ms: number): Promise<boolean> {
    if (this.exited) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (): void => { clearTimeout(t); this.exitWaiters.delete(done); resolve(true); };
      const t = setTimeout(() => { this.exitWaiters.delete(done); resolve(false); }, ms);
      this.exitWaiters.add(done);
    });
  }

  /** Frees every resource: timers, sockets, terminals, files. Idempotent. */
  private release(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    if (this.panicFallback) { clearTimeout(this.panicFallback); this.panicFallback = null; }
    this.boot?.fail('the VM stopped');
    this.qmp?.close();
    this.agent?.close();
    for (const c of [...this.consoles]) c.ended();
    this.consoles.clear();
    for (const w of [...this.stateWaiters]) w();
    rmSync(this.cfg.socketDir, { recursive: true, force: true });
    rmSync(this.cfg.dir, { recursive: true, force: true });
  }
}

/** Tracks one boot: login on the console and the guest agent, or the first failure. */
class BootWatch {
  done = false;
  sawOutput = false;
  private login = false;
  private agent = false;
  private settle!: (r: { ok: true } | { ok: false; message: string }) => void;
  readonly result = new Promise<{ ok: true } | { ok: false; message: string }>((r) => { this.settle = r; });

  loginSeen(): void { this.login = true; this.check(); }
  agentUp(): void { this.agent = true; this.check(); }
  fail(message: string): void {
    if (this.done) return;
    this.done = true;
    this.settle({ ok: false, message });
  }
  private check(): void {
    if (this.done || !this.login || !this.agent) return;
    this.done = true;
    this.settle({ ok: true });
  }
}

/** The lab terminal: the VM's serial console. Many may be open; each sees the output from its opening on. */
class ConsoleShell implements ShellStream {
  private readonly dataListeners = new Set<(chunk: Buffer) => void>();
  private readonly exitListeners = new Set<() => void>();
  private paused = false;
  private held: Buffer[] = [];
  private heldBytes = 0;
  private disposed = false;
  private pendingReplay: Buffer | null;

  constructor(private readonly vm: Vm, replay: Buffer) {
    this.pendingReplay = replay.length ? replay : null;
  }

  write(data: string | Buffer): void {
    if (!this.disposed) this.vm.writeConsole(data);
  }
  resize(size: TermSize): Promise<void> {
    return this.disposed ? Promise.resolve() : this.vm.setTermSize(size);
  }
  onData(listener: (chunk: Buffer) => void): void {
    this.dataListeners.add(listener);
    if (this.pendingReplay) {
      const r = this.pendingReplay;
      this.pendingReplay = null;
      queueMicrotask(() => this.deliver(r));
    }
  }
  onExit(listener: () => void): void { this.exitListeners.add(listener); }
  /** The console is always read (the runner watches it for panics); a paused terminal holds a bounded backlog. */
  pause(): void { this.paused = true; }
  resume(): void {
    this.paused = false;
    const held = this.held;
    this.held = [];
    this.heldBytes = 0;
    for (const c of held) this.deliver(c);
  }
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.dataListeners.clear();
    this.exitListeners.clear();
    this.held = [];
    this.vm.closeConsole(this);
  }

  deliver(chunk: Buffer): void {
    if (this.disposed) return;
    if (this.paused) {
      this.held.push(chunk);
      this.heldBytes += chunk.length;
      while (this.heldBytes > SHELL_PAUSED_MAX_BYTES && this.held.length > 1) this.heldBytes -= this.held.shift()!.length;
      return;
    }
    for (const l of this.dataListeners) l(chunk);
  }

  ended(): void {
    const listeners = [...this.exitListeners];
    this.dispose();
    for (const l of listeners) l();
  }
}

/**
 * The lab's own files (labs/<id>/image/) as a small read-only ext4 disk, mounted
 * at /opt/lab by the VM before anyone logs in. Returns an error message or null.
 */
async function makeLabDisk(labDir: string | null, file: string): Promise<string | null> {
  const src = labDir ?? mkdtempSync(join(tmpdir(), 'kdlabs-nolab-'));
  try {
    const sizeMb = Math.ceil((dirBytes(src) * 2) / 1024 / 1024) + LAB_DISK_MIN_MB;
    const err = await runTool('mkfs.ext4', ['-q', '-F', '-L', 'kdlabs-lab', '-O', '^has_journal', '-d', src, '-E', 'root_owner=0:0', file, `${sizeMb}M`]);
    return err ? `mkfs.ext4 could not make the lab files disk: ${err} (install e2fsprogs)` : null;
  } finally {
    if (!labDir) rmSync(src, { recursive: true, force: true });
  }
}

function dirBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    n += e.isDirectory() ? dirBytes(p) : e.isFile() ? statSync(p).size : 0;
  }
  return n;
}

/** Runs a helper program; resolves with its error output on failure, null on success. */
function runTool(cmd: string, args: string[]): Promise<string | null> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('error', (e) => resolve(`${cmd} could not start (${e.message})`));
    child.on('close', (code) => resolve(code === 0 ? null : err.trim() || `${cmd} exited ${code}`));
  });
}

function qemuArgs(c: VmConfig & { memoryMb: number; cpus: number; overlay: string; labDisk: string; cmdline: string[] }): string[] {
  const sock = (n: string): string => join(c.socketDir, n);
  return [
    '-name', c.name,
    '-accel', c.accel,
    '-machine', 'q35',
    '-cpu', c.accel === 'kvm' ? 'host' : 'max',
    '-smp', String(c.cpus), '-m', String(c.memoryMb),
    '-nodefaults', '-no-user-config', '-display', 'none', '-nic', 'none',
    '-kernel', c.kernel, '-initrd', c.initrd, '-append', c.cmdline.join(' '),
    // The overlay is thrown away with the session: no need to flush it to the host's disk.
    '-drive', `file=${c.overlay},if=virtio,format=qcow2,cache=unsafe,discard=unmap`,
    '-drive', `file=${c.labDisk},if=virtio,format=raw,readonly=on`,
    // The serial console on QEMU's stdio (the pty); signal=off: Ctrl-C goes to the guest, not QEMU.
    '-chardev', 'stdio,id=console,signal=off', '-serial', 'chardev:console',
    '-chardev', `socket,id=qmp,path=${sock('qmp.sock')},server=on,wait=off`, '-mon', 'chardev=qmp,mode=control',
    '-chardev', `socket,id=qga,path=${sock('qga.sock')},server=on,wait=off`,
    '-device', 'virtio-serial-pci', '-device', 'virtserialport,chardev=qga,name=org.qemu.guest_agent.0',
    '-device', 'virtio-rng-pci',
    // A guest panic pauses the VM and raises GUEST_PANICKED on QMP; the runner takes it from there.
    '-device', 'pvpanic', '-action', 'panic=pause',
    '-sandbox', 'on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny',
  ];
}

function vmName(sessionId: string): string {
  return `kdlabs-${sessionId}`;
}

function decode(b64: string | undefined): string {
  if (!b64) return '';
  const buf = Buffer.from(b64, 'base64');
  return buf.subarray(0, MAX_EXEC_OUTPUT).toString('utf8');
}

function qemuVersion(): { ok: true; text: string } | { ok: false; message: string } {
  const r = spawnSync(QEMU, ['--version'], { encoding: 'utf8' });
  if (r.status !== 0) {
    return { ok: false, message: `${QEMU} not found; install it with: apt-get install -y qemu-system-x86 qemu-utils (or run scripts/ensure-prereqs.sh)` };
  }
  if (spawnSync(QEMU_IMG, ['--version']).status !== 0) {
    return { ok: false, message: `${QEMU_IMG} not found; install it with: apt-get install -y qemu-utils (or run scripts/ensure-prereqs.sh)` };
  }
  const m = /version (\d+)\.(\d+)(\.\d+)?/.exec(r.stdout);
  if (!m) return { ok: true, text: r.stdout.split('\n')[0] ?? 'QEMU' };
  const [maj, min] = [Number(m[1]), Number(m[2])];
  if (maj < MIN_QEMU_VERSION[0] || (maj === MIN_QEMU_VERSION[0] && min < MIN_QEMU_VERSION[1])) {
    return { ok: false, message: `QEMU ${m[0].slice(8)} is too old: VM labs need ${MIN_QEMU_VERSION.join('.')} or newer (-action panic=pause)` };
  }
  return { ok: true, text: `QEMU ${m[1]}.${m[2]}${m[3] ?? ''}` };
}

/**
 * Does KVM really run a guest here? /dev/kvm may open and still fail (nested
 * virtualisation without the CPU features QEMU needs). Boot SeaBIOS with no
 * disks under KVM and wait for its first line on the debug port.
 */
async function probeKvm(): Promise<{ accel: Accel; why: string }> {
  try {
    accessSync('/dev/kvm', fsConstants.R_OK | fsConstants.W_OK);
  } catch {
    return { accel: 'tcg', why: '/dev/kvm is missing or not accessible' };
  }
  return new Promise((resolve) => {
    const child = spawn(QEMU, [
      '-accel', 'kvm', '-machine', 'q35', '-cpu', 'host', '-m', '64', '-nodefaults', '-no-user-config', '-display', 'none',
      '-chardev', 'stdio,id=dbg', '-device', 'isa-debugcon,iobase=0x402,chardev=dbg',
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    let settled = false;
    const finish = (r: { accel: Accel; why: string }): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      resolve(r);
    };
    const timer = setTimeout(() => finish({ accel: 'tcg', why: `KVM started but ran no guest code within ${KVM_PROBE_TIMEOUT_MS / 1000} s` }), KVM_PROBE_TIMEOUT_MS);
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); if (/SeaBIOS/.test(out)) finish({ accel: 'kvm', why: 'KVM runs guests on this host' }); });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('error', (e) => finish({ accel: 'tcg', why: `QEMU could not start: ${e.message}` }));
    child.on('close', () => finish({ accel: 'tcg', why: `KVM failed: ${err.trim().split('\n').pop() ?? 'QEMU exited'}` }));
  });
}

/** Kills the QEMU of an earlier runner's session (if it still runs) and removes its files. */
async function killAndRemove(dir: string): Promise<void> {
  let meta: SessionMeta | null = null;
  try { meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as SessionMeta; } catch { /* no meta: files only */ }
  if (meta && Number.isInteger(meta.pid) && meta.pid > 0) {
    let cmdline = '';
    try { cmdline = readFileSync(`/proc/${meta.pid}/cmdline`, 'utf8'); } catch { /* not running */ }
    // The pid may have been reused: kill only a QEMU that names this session.
    if (cmdline.includes(meta.name)) {
      try { process.kill(meta.pid, 'SIGKILL'); } catch { /* gone meanwhile */ }
      for (let i = 0; i < 50 && existsSync(`/proc/${meta.pid}`); i++) await sleep(20);
    }
  }
  if (meta?.socketDir) rmSync(meta.socketDir, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
}

// One lab VM: its QEMU process (under node-pty: the serial console is the lab
// terminal), its control channels (QMP, guest agent), its boots, and the
// panic → crash record → reboot cycle. Expected failures come back as Results;
// background work goes through fireAndForget.
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as pty from 'node-pty';
import type { ResolvedLab } from '../../../common/lab-schema.ts';
import { GUEST_CHECK_TOOLS_DIR, GUEST_LAB_DIR } from '../../images/vm-check-tools.ts';
import { fireAndForget } from '../../util/unexpected-error.ts';
import type { BackendError, ExecOptions, ExecResult, Result, TermSize } from '../lab-backend.ts';
import { agentSocket, labCmdline, qemuArgs, qmpSocket, type Accel } from './args.ts';
import { BootWatch } from './boot-watch.ts';
import { ConsoleShell, type ConsoleHost } from './console.ts';
import { collectCrashRecord, saveConsoleLog, uniqueStamp } from './crash-record.ts';
import { prepareDataDisk } from './data-disk.ts';
import { createOverlay, makeLabDisk } from './disks.ts';
import { GUEST_CHECK_PATH, GUEST_PATH, guestExec, readGuestFile, setGuestClock, writeGuestFile, type GuestContext } from './guest-exec.ts';
import { QEMU } from './host-probe.ts';
import { labDiskDev, labMountProblem, parseMountinfo } from './lab-mount.ts';
import { migrateFromFile } from './migrate-stream.ts';
import { parsePrepareRecords, recordsEnv, type PrepareRecords } from './prepare-records.ts';
import type { SavedState } from './saved-state.ts';
import { ChannelError, GuestAgent, QmpClient, sleep } from './qmp.ts';
import { INPUT_BACKLOG_MAX_BYTES, INPUT_DRAIN_POLL_MS, ptyInputBacklog } from './pty-input.ts';
import { writeMeta } from './session-files.ts';
import { ByteRing, crashDmesg, LineSplitter, replayTail, stripAnsi, BOOT_FAILURE_PATTERNS } from './vm-console.ts';
import { VmStateMachine, type VmState } from './vm-state.ts';
import { createCrashDisk, dumpGuestMemory, writeCrashDisk, type Vmcore } from './vmcore.ts';
import type { Words } from '../../../common/langs.ts';

/** Console bytes kept per VM: the end of the boot log, the shell, a whole Oops. */
const CONSOLE_RING_BYTES = 256 * 1024;
/** Console output before a panic that goes into the crash record (an Oops is 3–6 KB; keep what led up to it). */
const CRASH_LOG_BYTES = 64 * 1024;
/** Console replayed to a newly opened terminal, so it shows the prompt and what happened last. */
const SHELL_REPLAY_BYTES = 8 * 1024;
/** QEMU creates its sockets as it starts; this only bounds a QEMU that hangs before that. */
const SOCKET_CONNECT_TIMEOUT_MS = 15_000;
/** How often the guest agent is asked whether it is up, while the VM boots. */
const AGENT_SYNC_INTERVAL_MS = 1000;
/** How often the start progress shows the boot's elapsed time and last console line: lively, but not a flood. */
const BOOT_PROGRESS_INTERVAL_MS = 2000;
/** A boot failure line is followed by its explanation; give it this long to arrive before failing with it. */
const BOOT_FAILURE_SETTLE_MS = 300;
/** quit over QMP → process gone; after this, SIGKILL. */
const STOP_GRACE_MS = 3000;
/** The console showed a panic but pvpanic raised no event (driver not loaded): act on the text after this. */
const PANIC_EVENT_GRACE_MS = 3000;
/** system_reset → RESET event; QEMU handles it on its next main-loop turn. */
const RESET_EVENT_TIMEOUT_MS = 10_000;
/** The stty that applies a terminal size is quick; this bounds it on a struggling guest. */
const STTY_TIMEOUT_MS = 10_000;
/** A restored guest's agent was answering at the save: it answers at once, or the restore went wrong. */
const RESTORED_AGENT_TIMEOUT_MS = 10_000;
/** Host randomness written into a restored guest's pool, so sessions restored from one state do not share their random numbers. */
const RESEED_BYTES = 512;
/** Setting the clock is one quick guest command; this bounds it on a struggling guest. */
const RESTORE_STEP_TIMEOUT_MS = 10_000;
/**
 * The guest copies a dump into /var/crash before its login (kdlabs-crash-record):
 * a boot after a panic gets this much longer per MiB of dump. A TCG guest starved
 * by a loaded host (RCU stalls, soft lockups) copied ~1 MiB/s.
 */
const CRASH_COPY_MS_PER_MIB = 1000;
/** A memory dump of a 1 GiB guest takes seconds (TCG, loaded host); this bounds a stuck one. */
const VMCORE_TIMEOUT_MS = 180_000;
/**
 * Resets tried to bring a VM back after a panic: under TCG a reset boot once stalled
 * in the initramfs (the root disk's I/O never completed); another reset boots.
 */
const POST_PANIC_RESETS = 2;
/** The panic line itself, not its `---[ end Kernel panic …` trailer (which may arrive after a reset). */
const PANIC_TEXT = /(?<!end )Kernel panic - not syncing/;

/** The guest agent's own view of its mounts (the learner's shell shares that namespace). */
const MOUNTINFO = '/proc/self/mountinfo';
/** A lab VM has tens of mounts; a learner's thousands of bind mounts are no reason to read megabytes. */
const MOUNTINFO_MAX_BYTES = 256 * 1024;

export interface VmConfig {
  name: string;
  sessionId: string;
  lab: ResolvedLab;
  /** Session folder: overlay, lab disk, meta.json, saved console logs. */
  dir: string;
  socketDir: string;
  accel: Accel;
  /** Why this accelerator (the decision's reason), for the log. */
  accelReason: string;
  kernel: string;
  initrd: string;
  rootfs: string;
  /** The image's check tool set, staged onto the lab files disk (vm-check-tools.ts). */
  checkTools: string;
  /** Start from this saved state instead of booting (saved-state.ts); the backend falls back to a boot when it fails. */
  restore?: SavedState | null;
  bootTimeoutMs: number;
  onProgress: (note: string | Words) => void;
  log: (line: string) => void;
}

export class Vm implements ConsoleHost {
  private readonly sm: VmStateMachine;
  private proc: pty.IPty | null = null;
  private exited = false;
  private readonly exitWaiters = new Set<() => void>();
  private qmp: QmpClient | null = null;
  private agent: GuestAgent | null = null;
  private readonly ring = new ByteRing(CONSOLE_RING_BYTES);
  private readonly lines: LineSplitter;
  private readonly consoles = new Set<ConsoleShell>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private boot: BootWatch | null = null;
  /** The lab files disk's device in the guest, read at the start (lab-mount.ts); null if it was not mounted. */
  private labDisk: string | null = null;
  /** What the lab's vm.prepare recorded, for checks (prepare-records.ts). */
  private records: PrepareRecords;
  private termSize: TermSize | null = null;
  private panicFallback: NodeJS.Timeout | null = null;
  private drainPoll: NodeJS.Timeout | null = null;
  private stopping: Promise<void> | null = null;
  private failure = '';
  private crashes = 0;
  /** How long each step after a restore took, for the log. */
  private restoreSteps = '';
  private readonly guest: GuestContext;
  /** The crash disk (vmcore.ts): a panic's memory dump goes onto it for the rebooted guest. */
  private readonly crashDisk: string;

  constructor(private readonly cfg: VmConfig) {
    this.sm = new VmStateMachine(() => this.agent?.abortAll('the VM is restarting'));
    this.lines = new LineSplitter((line) => this.onConsoleLine(line));
    this.crashDisk = join(cfg.dir, 'crash-dump.img');
    this.records = cfg.restore?.meta.records ?? {};
    const agent = (): GuestAgent | null => this.agent;
    this.guest = {
      get agent() { return agent(); },
      epoch: () => this.sm.epoch,
      ready: () => this.sm.state === 'ready',
      interruptedBecause: () => (this.sm.state === 'panicked' || this.crashes > 0
        ? 'the VM\'s kernel panicked while this ran; the runner saved the console and is rebooting the VM (the crash record appears in /var/crash/)'
        : 'the VM restarted while this ran'),
    };
  }

  get alive(): boolean { return this.sm.alive; }
  /** start() has not finished yet. */
  get starting(): boolean { return this.sm.state === 'booting'; }

  async start(): Promise<Result<void, BackendError>> {
    const { cfg } = this;
    const restore = cfg.restore ?? null;
    const t0 = Date.now();
    try {
      mkdirSync(cfg.dir, { recursive: true });
      rmSync(cfg.socketDir, { recursive: true, force: true });
      mkdirSync(cfg.socketDir, { recursive: true, mode: 0o700 });
      const overlay = join(cfg.dir, 'overlay.qcow2');
      // Restored: the guest's disk must be exactly the one at the save, so the overlay is on the saved disk.
      const img = restore ? await createOverlay(restore.disk, overlay, 'qcow2') : await createOverlay(cfg.rootfs, overlay);
      if (img) return this.startFailed(img);
      const tDisk = Date.now();
      // Restored: the guest has the saved lab disk mounted; every session of the lab shares it read-only.
      const labDisk = restore ? restore.labDisk : join(cfg.dir, 'lab.img');
      if (!restore) {
        const made = await makeLabDisk(cfg.lab.image.labLayerDir, cfg.checkTools, labDisk);
        if (made) return this.startFailed(made);
      }
      // The lab's data disk (vm.dataDisk): restored, an overlay on the saved one, like the root disk; else fresh and empty.
      const data = await prepareDataDisk(cfg.lab.vm!.dataDisk, cfg.dir, restore ? { savedDisk: restore.dataDisk } : null);
      if (!data.ok) return this.startFailed(data.message);

      if (this.sm.state === 'stopped') return this.startFailed('the lab was stopped while it started');
      const { memoryMb, cpus, cmdline } = cfg.lab.vm!;
      createCrashDisk(this.crashDisk, memoryMb);
      const accel = cfg.accel.toUpperCase();
      cfg.onProgress({
        en: `starting QEMU: ${accel}${cfg.accel === 'tcg' ? ' (software emulation, slower)' : ''}, ${cpus} vCPU, ${memoryMb} MiB${restore ? ', from the saved state' : ''}`,
        ko: `QEMU 시작: ${accel}${cfg.accel === 'tcg' ? ' (소프트웨어 에뮬레이션, 더 느림)' : ''}, vCPU ${cpus}개, ${memoryMb} MiB${restore ? ', 저장된 상태에서' : ''}`,
      });
      cfg.log(`${cfg.name}: ${cfg.accel} because ${cfg.accelReason}${restore ? `; restoring saved state ${restore.meta.key}` : ''}`);
      const args = qemuArgs({
        name: cfg.name, accel: cfg.accel, memoryMb, cpus, kernel: cfg.kernel, initrd: cfg.initrd,
        cmdline: labCmdline(cfg.lab.id, cmdline), overlay, labDisk, socketDir: cfg.socketDir, dataDisk: data.disk, crashDisk: this.crashDisk,
        ...(restore ? { ramFile: { path: restore.ram, shared: false }, incoming: true } : {}),
      });
      const watch = restore ? null : this.beginBoot();
      const proc = pty.spawn(QEMU, args, {
        name: 'xterm-256color', cols: 120, rows: 32, cwd: cfg.dir, env: process.env as Record<string, string>,
        encoding: null, // raw bytes: the ring and the crash record must not split UTF-8 or mangle escapes
      });
      this.proc = proc;
      writeMeta(cfg.dir, { pid: proc.pid, sessionId: cfg.sessionId, socketDir: cfg.socketDir, name: cfg.name, startedAt: new Date().toISOString() });
      proc.onData((d) => this.onConsole(typeof d === 'string' ? Buffer.from(d, 'utf8') : (d as unknown as Buffer)));
      proc.onExit(({ exitCode, signal }) => this.onExit(exitCode, signal));

      const giveUp = (): string | null => (this.exited ? `QEMU exited: ${this.lastConsole(8)}` : null);
      this.qmp = await QmpClient.connect(qmpSocket(cfg.socketDir), SOCKET_CONNECT_TIMEOUT_MS, giveUp);
      const tQemu = Date.now();
      if (restore) {
        this.progress({ en: 'restoring the saved VM state', ko: '저장된 VM 상태를 복원하는 중' });
        try {
          await migrateFromFile(this.qmp, join(cfg.socketDir, 'in.sock'), restore.state);
        } catch (e) {
          // QEMU refusing the stream exits with its reason on the console (the pty): quote it.
          if (e instanceof ChannelError) await this.waitExit(STOP_GRACE_MS);
          return this.startFailed(`its saved state did not load: ${(e as Error).message}${this.exited ? ` (${this.lastConsole(3)})` : ''}`);
        }
      } else {
        this.progress({ en: 'booting the Linux kernel', ko: '리눅스 커널을 부팅하는 중' });
      }
      this.qmp.onEvent((e) => this.onQmpEvent(e.event, e.data ?? {}));
      this.agent = new GuestAgent(agentSocket(cfg.socketDir));
      await this.agent.connect(SOCKET_CONNECT_TIMEOUT_MS, giveUp);

      if (restore) {
        const tLoaded = Date.now();
        const resumed = await this.resumeRestored();
        if (resumed) return this.startFailed(resumed);
        // Where a restore's time goes, for the log (the target is about a second on TCG).
        cfg.log(`${cfg.name}: restored in ${Date.now() - t0} ms (overlay ${tDisk - t0} ms, QEMU up ${tQemu - tDisk} ms, state ${tLoaded - tQemu} ms, ${this.restoreSteps})`);
      } else {
        const booted = await this.waitForBoot(watch!);
        if (!booted.ok) return this.startFailed(booted.message);
      }
      this.labDisk = await this.readLabDiskDev();
      this.sm.set('ready');
      return { ok: true, value: undefined };
    } catch (e) {
      // A control socket that failed is most often QEMU exiting: wait for that, so its own last words make the message.
      if (e instanceof ChannelError) await this.waitExit(STOP_GRACE_MS);
      if (this.exited) return this.startFailed(`QEMU exited: ${this.lastConsole(8)}`);
      // Files the runner could not write, sockets that never answered: expected on a broken host.
      if (e instanceof ChannelError || isSystemError(e)) return this.startFailed((e as Error).message);
      throw e;
    }
  }

  /**
   * A loaded saved state, still paused: run it, check the agent answers, set
   * the guest's clock (it stopped at the save) and stir host randomness into
   * its pool (every session restores the same pool). Returns an error message
   * or null; a failed agent request throws ChannelError (start() reports it).
   */
  private async resumeRestored(): Promise<string | null> {
    const t0 = Date.now();
    await this.qmp!.execute('cont');
    if (!(await this.agent!.sync(RESTORED_AGENT_TIMEOUT_MS))) return `the guest agent did not answer after the restore: ${this.lastConsole(4)}`;
    const tAgent = Date.now();
    const clock = await setGuestClock(this.agent!, Date.now(), RESTORE_STEP_TIMEOUT_MS);
    if (!clock.ok) return `setting the restored guest's clock failed: ${clock.message}`;
    const tClock = Date.now();
    await writeGuestFile(this.agent!, '/dev/urandom', randomBytes(RESEED_BYTES));
    this.restoreSteps = `agent ${tAgent - t0} ms, clock ${tClock - tAgent} ms (${clock.via}), reseed ${Date.now() - tClock} ms`;
    // The saved console sat at a prompt that is in no one's scrollback: an empty line makes the shell print a fresh one.
    this.proc?.write('\r');
    if (this.termSize) await this.applyTermSize();
    return null;
  }

  /** The lab disk's device at the start, before the learner has a shell. */
  private async readLabDiskDev(): Promise<string | null> {
    const dev = labDiskDev(parseMountinfo((await readGuestFile(this.agent!, MOUNTINFO, MOUNTINFO_MAX_BYTES)).toString()), GUEST_LAB_DIR);
    if (!dev) this.cfg.log(`${this.cfg.name}: nothing is mounted at ${GUEST_LAB_DIR} in the guest; its checks will not run`);
    return dev;
  }

  /** Why the check tool set in the guest may not be the runner's (lab-mount.ts); null when it is. */
  private async checkToolsProblem(): Promise<string | null> {
    if (!this.labDisk) return `the lab files disk was not mounted at ${GUEST_LAB_DIR} when the lab started`;
    const agent = this.guest.agent;
    if (!agent) return 'the guest agent is not connected';
    const entries = parseMountinfo((await readGuestFile(agent, MOUNTINFO, MOUNTINFO_MAX_BYTES)).toString());
    return labMountProblem(entries, this.labDisk, GUEST_LAB_DIR, GUEST_CHECK_TOOLS_DIR);
  }

  /** Keeps what a cold boot's vm.prepare printed for the checks (a restored VM has its state's). */
  keepPrepareRecords(prepareStdout: string): void {
    this.records = parsePrepareRecords(prepareStdout);
  }

  /** Runs a command in the guest through the agent; waits for a rebooting VM first. */
  async exec(command: string[], opts: ExecOptions): Promise<Result<ExecResult, BackendError>> {
    const ready = await this.sm.whenReady(this.cfg.bootTimeoutMs, () => this.failure);
    if (!ready.ok) return { ok: false, error: { code: 'gone', message: ready.message } };
    const env: Record<string, string> = { PATH: GUEST_PATH, HOME: '/root', LANG: 'C.UTF-8', TERM: 'xterm-256color', ...opts.env };
    if (opts.protectedTools) Object.assign(env, recordsEnv(this.records), { PATH: GUEST_CHECK_PATH });
    try {
      if (opts.protectedTools) {
        const problem = await this.checkToolsProblem();
        if (problem) return { ok: true, value: { exitCode: 1, stdout: `the check did not run: ${problem}. Reset the lab to get its check tools back.\n`, stderr: '', timedOut: false, durationMs: 0 } };
      }
      return { ok: true, value: await guestExec(this.guest, command, opts.stdin, opts.timeoutMs, env, opts.protectedTools) };
    } catch (e) {
      if (e instanceof ChannelError) return { ok: false, error: { code: 'gone', message: `the lab VM's guest agent failed: ${e.message}` } };
      throw e;
    }
  }

  openConsole(): ConsoleShell {
    const shell = new ConsoleShell(this, replayTail(this.ring, SHELL_REPLAY_BYTES));
    this.consoles.add(shell);
    return shell;
  }

  closeConsole(shell: ConsoleShell): void { this.consoles.delete(shell); }

  writeConsole(data: string | Buffer): boolean {
    if (!this.proc || this.exited) return true; // nothing will ever read it: do not hold the writer back
    this.proc.write(data);
    if (ptyInputBacklog(this.proc) <= INPUT_BACKLOG_MAX_BYTES) return true;
    this.watchDrain();
    return false;
  }

  /** Polls until the guest took the queued input, then lets every console write again. */
  private watchDrain(): void {
    if (this.drainPoll) return;
    const poll = (): void => {
      this.drainPoll = null;
      if (!this.proc || this.exited) return;
      if (ptyInputBacklog(this.proc) > 0) { this.drainPoll = setTimeout(poll, INPUT_DRAIN_POLL_MS); return; }
      for (const c of [...this.consoles]) c.drained();
    };
    this.drainPoll = setTimeout(poll, INPUT_DRAIN_POLL_MS);
  }

  /** The serial line has no window size: set it on the guest's tty (which signals the shell). */
  async setTermSize(size: TermSize): Promise<void> {
    this.termSize = size;
    if (this.sm.state !== 'ready') return; // applied when the VM is (back) up
    await this.applyTermSize();
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const wasRunning = this.proc && !this.exited;
      this.sm.set('stopped');
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

  private beginBoot(retryable = false): BootWatch {
    this.boot?.fail('a new boot began');
    this.boot = new BootWatch(this.cfg.accel, Date.now(), `npm run labs -- build ${this.cfg.lab.id}`, retryable);
    return this.boot;
  }

  /** Resolves when root is logged in on the console and the guest agent answers, or with what stalled. */
  private async waitForBoot(watch: BootWatch, extraMs = 0): Promise<{ ok: true } | { ok: false; message: string }> {
    const limitMs = this.cfg.bootTimeoutMs + extraMs;
    const limit = setTimeout(() => watch.fail(watch.stallMessage(limitMs, this.lastConsole(6))), Math.max(0, watch.startedAt + limitMs - Date.now()));
    this.timers.add(limit);
    // Only the first boot has a start progress to show; reboots show on the lab terminal itself.
    const ticker = this.sm.state === 'booting' ? setInterval(() => this.progress(watch.progressLine(Date.now())), BOOT_PROGRESS_INTERVAL_MS) : null;
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
    if (ticker) clearInterval(ticker);
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
      const milestone = boot.output();
      if (milestone) this.progress(milestone);
      if (/^\(initramfs\) $/.test(this.lines.current)) {
        boot.fail(`the VM could not mount its root disk and stopped in the initramfs shell. Fix: rebuild the VM image with \`npm run labs -- build ${this.cfg.lab.id}\`. Last console lines: ${this.lastConsole(6)}`);
      }
    }
  }

  private onConsoleLine(line: string): void {
    const boot = this.boot;
    if (boot && !boot.done) {
      const milestone = boot.line(line);
      if (milestone) this.progress(milestone);
      if (BOOT_FAILURE_PATTERNS.some((p) => p.test(line))) {
        // Give the rest of the message a moment to arrive, then fail with it.
        const t = setTimeout(() => boot.fail(`the VM failed to boot: ${this.lastConsole(8)}`), BOOT_FAILURE_SETTLE_MS);
        this.timers.add(t);
      }
    }
    if (PANIC_TEXT.test(line) && this.sm.state === 'ready' && !this.panicFallback) {
      // pvpanic normally reports this within microseconds; without its driver, act on the text.
      this.panicFallback = setTimeout(() => {
        this.panicFallback = null;
        fireAndForget(() => this.onPanic('console'), `${this.cfg.name}: handling a kernel panic seen on the console`);
      }, PANIC_EVENT_GRACE_MS);
    }
  }

  private progress(message: string | Words): void {
    if (this.sm.state === 'booting') this.cfg.onProgress(message);
  }

  private onQmpEvent(event: string, data: Record<string, unknown>): void {
    if (event === 'GUEST_PANICKED') fireAndForget(() => this.onPanic('pvpanic'), `${this.cfg.name}: handling a kernel panic`);
    else if (event === 'RESET' && data.guest === true && this.sm.state === 'ready') fireAndForget(() => this.onGuestReboot(), `${this.cfg.name}: a guest reboot`);
  }

  // ---- panic → crash record → reboot ----

  private async onPanic(source: 'pvpanic' | 'console'): Promise<void> {
    if (this.panicFallback) { clearTimeout(this.panicFallback); this.panicFallback = null; }
    const state: VmState = this.sm.state;
    if (state === 'booting' || state === 'rebooting') {
      this.boot?.fail(`the kernel panicked while booting: ${this.lastConsole(10)}`);
      return;
    }
    if (state !== 'ready') return;
    this.sm.set('panicked');
    this.crashes++;
    const tail = this.ring.tail(CRASH_LOG_BYTES);
    const stamp = uniqueStamp(this.cfg.dir, new Date());
    const dmesg = crashDmesg(tail);
    const saved = saveConsoleLog(this.cfg.dir, stamp, tail);
    if (saved) this.cfg.log(`${this.cfg.name}: ${saved}`);
    this.cfg.log(`${this.cfg.name}: guest kernel panic (${source}); rebooting, crash record ${stamp}`);
    this.notice(`kernel panic caught by the lab runner (${source === 'pvpanic' ? 'pvpanic' : 'console'}); console log saved, taking a memory dump…`);
    const core = await this.takeVmcore(stamp);
    const onDisk = this.recordOnCrashDisk(stamp, dmesg, core);
    this.notice(`${core && onDisk ? `memory dump taken (${Math.round(core.bytes / 1048576)} MiB in ${(core.ms / 1000).toFixed(1)} s); ` : ''}rebooting the VM…`);
    if (this.sm.state !== 'panicked') return; // stopped meanwhile
    const copyMs = onDisk && core ? Math.ceil(core.bytes / 1048576) * CRASH_COPY_MS_PER_MIB : 0;
    let booted: { ok: true } | { ok: false; message: string } = { ok: false, message: 'not reset yet' };
    for (let resets = 0; !booted.ok && resets < POST_PANIC_RESETS; resets++) {
      if (resets > 0) {
        if ((this.sm.state as VmState) !== 'rebooting') return; // stopped meanwhile
        this.cfg.log(`${this.cfg.name}: the boot after the panic stalled (${booted.message}); resetting the VM once more`);
        this.notice('the VM\'s restart stalled; resetting it once more…');
      }
      const watch = this.beginBoot(resets + 1 < POST_PANIC_RESETS);
      try {
        await this.resetGuest();
      } catch (e) {
        return this.fail(`the VM could not be restarted after the panic: ${(e as Error).message}`);
      }
      this.sm.set('rebooting');
      booted = await this.waitForBoot(watch, copyMs);
    }
    if (!booted.ok) return this.fail(`the VM did not come back after the panic: ${booted.message}`);
    let collected = onDisk;
    if (onDisk) {
      try {
        await collectCrashRecord(this.guest, stamp);
      } catch (e) {
        // A full guest disk or a guest that went away again: the VM is still usable, the record is lost.
        collected = false;
        this.cfg.log(`${this.cfg.name}: the crash record did not reach the guest: ${(e as Error).message}`);
      }
    }
    this.sm.set('ready');
    this.notice(collected
      ? `the VM is back; the crash record is in /var/crash/${stamp}/ (dmesg.${stamp}${core ? `, and dump.${stamp} for crash` : ''})`
      : `the VM is back, without a crash record this time (the console's last lines are in the runner's log)`);
  }

  /** A hard reset of the guest, running again afterwards (the crash record waits on the crash disk). */
  private async resetGuest(): Promise<void> {
    const reset = this.qmp!.nextEvent('RESET', RESET_EVENT_TIMEOUT_MS);
    await this.qmp!.execute('system_reset');
    await reset;
    await this.qmp!.execute('cont'); // leaves the paused (guest-panicked) state; a no-op on a running VM
    await this.ensureRunning();
  }

  /**
   * After reset + cont the vCPUs must be running. Once (test 3 of the vmcore
   * work) a guest stayed idle after a dump; a second `cont` is harmless, and
   * the log says which state QEMU was in if it was needed.
   */
  private async ensureRunning(): Promise<void> {
    const st = await this.qmp!.execute<{ status: string; running: boolean }>('query-status');
    if (st.running) return;
    this.cfg.log(`${this.cfg.name}: after the reset QEMU is '${st.status}', not running; continuing it again`);
    await this.qmp!.execute('cont');
    const again = await this.qmp!.execute<{ status: string; running: boolean }>('query-status');
    if (!again.running) throw new Error(`QEMU stays '${again.status}' after cont`);
  }

  /** QMP dump-guest-memory of the stopped guest; null (logged) when it fails: the dmesg record still comes. */
  private async takeVmcore(stamp: string): Promise<Vmcore | null> {
    try {
      const core = await dumpGuestMemory(this.qmp!, join(this.cfg.dir, 'crash', `vmcore.${stamp}`), VMCORE_TIMEOUT_MS);
      this.cfg.log(`${this.cfg.name}: memory dump ${stamp}: ${core.bytes} bytes in ${core.ms} ms`);
      return core;
    } catch (e) {
      this.cfg.log(`${this.cfg.name}: no memory dump for ${stamp}: ${(e as Error).message}`);
      this.notice(`no memory dump this time: ${(e as Error).message}`);
      return null;
    }
  }

  /** The record for the guest's next boot, on the crash disk; false (logged, told) when the host could not write it. */
  private recordOnCrashDisk(stamp: string, dmesg: string, core: Vmcore | null): boolean {
    try {
      writeCrashDisk(this.crashDisk, stamp, dmesg, core);
      return true;
    } catch (e) {
      this.cfg.log(`${this.cfg.name}: could not put crash record ${stamp} on the crash disk: ${(e as Error).message}`);
      this.notice(`no crash record this time: ${(e as Error).message}`);
      return false;
    }
  }

  private async onGuestReboot(): Promise<void> {
    const watch = this.beginBoot();
    this.sm.set('rebooting');
    const booted = await this.waitForBoot(watch);
    if (!booted.ok) return this.fail(`the VM did not come back after a reboot: ${booted.message}`);
    this.sm.set('ready');
  }

  private async applyTermSize(): Promise<void> {
    const s = this.termSize;
    if (!s) return;
    await guestExec(this.guest, ['stty', '-F', '/dev/ttyS0', 'rows', String(s.rows), 'cols', String(s.cols)], undefined, STTY_TIMEOUT_MS, { PATH: GUEST_PATH })
      .catch(() => { /* the shell may be gone for a moment; the next resize sets it */ });
  }

  // ---- failures and the end ----

  private fail(message: string): void {
    this.failure = message;
    this.cfg.log(`${this.cfg.name}: ${message}`);
    this.notice(message);
    this.sm.set('failed');
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
    if (this.sm.state === 'stopped') return;
    const why = `QEMU exited (${signal ? `signal ${signal}` : `code ${exitCode}`})`;
    this.failure ||= why;
    this.boot?.fail(`${why}: ${this.lastConsole(8)}`);
    this.cfg.log(`${this.cfg.name}: ${why}`);
    this.sm.set('dead');
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
    if (this.drainPoll) { clearTimeout(this.drainPoll); this.drainPoll = null; }
    this.boot?.fail('the VM stopped');
    this.qmp?.close();
    this.agent?.close();
    for (const c of [...this.consoles]) c.ended();
    this.consoles.clear();
    this.sm.wake();
    for (const dir of [this.cfg.socketDir, this.cfg.dir]) {
      try { rmSync(dir, { recursive: true, force: true }); } catch (e) { this.cfg.log(`${this.cfg.name}: could not remove ${dir}: ${(e as Error).message}`); }
    }
  }
}

/** A failed file or socket operation of the host (ENOSPC, EACCES…), as opposed to a bug. */
function isSystemError(e: unknown): boolean {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string';
}

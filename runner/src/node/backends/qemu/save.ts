// Saving a lab VM's state (saved-state.ts): boot the lab's VM once with its RAM
// in a shared file, wait until root is logged in on the console and the guest
// agent answers, let it settle, then migrate its device state to a file. Runs
// as its own QEMU (never a learner's VM: the saved RAM file must not change
// after the save). Errors are thrown with a message that says what failed.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agentSocket, qemuArgs, qmpSocket, type Accel } from './args.ts';
import { createEmptyDisk, type DataDiskSpec } from './data-disk.ts';
import { createOverlay, makeLabDisk } from './disks.ts';
import { GUEST_PATH, guestExec } from './guest-exec.ts';
import { QEMU } from './host-probe.ts';
import { migrateToFile } from './migrate-stream.ts';
import { parsePrepareRecords, type PrepareRecords } from './prepare-records.ts';
import { GuestAgent, QmpClient, sleep } from './qmp.ts';
import { pruneSavedStates, SAVED_STATE_FORMAT, statePaths, statesDir, type SavedStateMeta } from './saved-state.ts';
import { stripAnsi } from './vm-console.ts';
import { createCrashDisk } from './vmcore.ts';

/** QEMU creates its sockets as it starts; this bounds a QEMU that hangs before that. */
const SOCKET_CONNECT_TIMEOUT_MS = 15_000;
/** How often the guest agent and the console are looked at while the VM boots. */
const BOOT_POLL_MS = 1000;
/** A boot on TCG takes a minute: say it is still going this often. */
const PROGRESS_EVERY_MS = 15_000;
/** After the prompt: boot-time jobs (utmp, timers) finish, so every restore starts from a quiet guest. */
const SETTLE_MS = 3000;
/** quit over QMP → process gone; after this, SIGKILL. */
const QUIT_GRACE_MS = 3000;
/** A lab's `vm.prepare` (say, compiling its modules on TCG, 25–90 s on a loaded host) must end within this. */
export const PREPARE_TIMEOUT_MS = 15 * 60_000;
/** Root's shell prompt at the end of the console (the image logs root in on ttyS0). */
const PROMPT_AT_END = /# $/;

export interface SaveRequest {
  dataDir: string;
  key: string;
  labId: string;
  imageHash: string;
  qemuVersion: string;
  accel: Accel;
  memoryMb: number;
  cpus: number;
  kernel: string;
  initrd: string;
  rootfs: string;
  /** The image's check tool set, staged onto the lab files disk (vm-check-tools.ts). */
  checkTools: string;
  cmdline: readonly string[];
  labLayerDir: string | null;
  /** The lab's `vm.prepare` script, run in the booted VM before the save. */
  prepare: string | null;
  /** The lab's data disk (vm.dataDisk): saved with the state, empty as on a cold boot. */
  dataDisk?: DataDiskSpec | null;
  bootTimeoutMs: number;
  log: (line: string) => void;
  /** Aborted when the runner stops: the save's QEMU is killed and nothing is kept. */
  signal?: AbortSignal;
}

/** Boots, saves into <dataDir>/vm-states/<key>/ and returns its folder. */
export async function saveVmState(r: SaveRequest): Promise<string> {
  const finalDir = join(statesDir(r.dataDir), r.key);
  // Built beside the final folder and renamed into place: a half-saved state is never found.
  const work = `${finalDir}.saving-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const p = statePaths(work);
  const sockets = join(tmpdir(), `kdlabs-save-${process.pid}-${r.key.slice(0, 8)}`);
  rmSync(sockets, { recursive: true, force: true });
  mkdirSync(sockets, { recursive: true, mode: 0o700 });
  const consoleLog = join(work, 'console.log');
  let proc: ChildProcess | null = null;
  let qmp: QmpClient | null = null;
  let agent: GuestAgent | null = null;
  let exited = false;
  try {
    const overlayErr = await createOverlay(r.rootfs, p.disk);
    if (overlayErr) throw new Error(overlayErr);
    const labErr = await makeLabDisk(r.labLayerDir, r.checkTools, p.labDisk);
    if (labErr) throw new Error(labErr);
    // The crash disk is a device of every lab VM, so the saved one has it too (a session brings its own file).
    const crashDisk = join(sockets, 'crash-dump.img');
    createCrashDisk(crashDisk, r.memoryMb);
    const dataErr = r.dataDisk ? await createEmptyDisk(p.dataDisk, r.dataDisk.sizeMb) : null;
    if (dataErr) throw new Error(dataErr);
    const args = qemuArgs({
      name: `kdlabs-save-${r.key.slice(0, 8)}`, accel: r.accel, memoryMb: r.memoryMb, cpus: r.cpus, kernel: r.kernel, initrd: r.initrd,
      cmdline: r.cmdline, overlay: p.disk, labDisk: p.labDisk, socketDir: sockets, ramFile: { path: p.ram, shared: true }, consoleLog, crashDisk,
      dataDisk: r.dataDisk ? { file: p.dataDisk, spec: r.dataDisk } : null,
    });
    const started = Date.now();
    proc = spawn(QEMU, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr?.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-2000); });
    proc.on('exit', () => { exited = true; });
    proc.on('error', (e) => { exited = true; stderr += e.message; });
    const child = proc;
    r.signal?.addEventListener('abort', () => { if (!exited) child.kill('SIGKILL'); }, { once: true });
    const giveUp = (): string | null => (r.signal?.aborted ? 'the runner is stopping'
      : exited ? `QEMU exited: ${stderr.trim() || consoleTail(consoleLog)}` : null);
    qmp = await QmpClient.connect(qmpSocket(sockets), SOCKET_CONNECT_TIMEOUT_MS, giveUp);
    agent = new GuestAgent(agentSocket(sockets));
    await agent.connect(SOCKET_CONNECT_TIMEOUT_MS, giveUp);
    r.log(`saving a VM state for ${r.labId}: booting it once (${r.accel})`);
    for (let agentUp = false, shown = started; ;) {
      const why = giveUp();
      if (Date.now() - shown >= PROGRESS_EVERY_MS) {
        shown = Date.now();
        r.log(`saving a VM state for ${r.labId}: still booting (${Math.round((shown - started) / 1000)} s, ${r.accel})`);
      }
      if (why) throw new Error(why);
      if (Date.now() - started > r.bootTimeoutMs) throw new Error(`the VM did not boot within ${r.bootTimeoutMs} ms: ${consoleTail(consoleLog)}`);
      agentUp ||= await agent.sync(BOOT_POLL_MS);
      if (agentUp && PROMPT_AT_END.test(stripAnsi(readFileSync(consoleLog, 'utf8')))) break;
      await sleep(BOOT_POLL_MS);
    }
    const bootMs = Date.now() - started;
    let prepareMs = 0;
    let records: PrepareRecords = {};
    if (r.prepare !== null) {
      r.log(`saving a VM state for ${r.labId}: running its vm.prepare script`);
      const t = Date.now();
      const alive = (): boolean => !exited && !r.signal?.aborted;
      const guest = { agent, epoch: () => (alive() ? 0 : 1), ready: alive, interruptedBecause: () => giveUp() ?? 'the VM stopped' };
      const res = await guestExec(guest, ['bash', '-s'], r.prepare, PREPARE_TIMEOUT_MS, { PATH: GUEST_PATH, KDLABS_LAB: r.labId });
      if (res.exitCode !== 0) throw new Error(`the lab's vm.prepare script failed (exit ${res.exitCode}): ${lastLines(`${res.stdout}\n${res.stderr}`)}`);
      prepareMs = Date.now() - t;
      records = parsePrepareRecords(res.stdout);
      // Whatever prepare wrote must be on the saved disk, not only in the saved page cache.
      await guestExec(guest, ['sync'], undefined, 60_000, { PATH: GUEST_PATH });
    }
    await sleep(SETTLE_MS);
    const bytes = await migrateToFile(qmp, join(sockets, 'save.sock'), p.state);
    await qmp.execute('quit').catch(() => { /* exiting anyway */ });
    await waitExit(proc, () => exited);
    // The saved disk is the backing file of every restored session's overlay: it must never change.
    chmodSync(p.disk, 0o444);
    if (r.dataDisk) chmodSync(p.dataDisk, 0o444); // the same for the data disk: restored sessions overlay it
    const meta: SavedStateMeta = {
      format: SAVED_STATE_FORMAT, key: r.key, labId: r.labId, imageHash: r.imageHash, qemu: r.qemuVersion, accel: r.accel,
      memoryMb: r.memoryMb, savedAt: new Date().toISOString(), bootMs, prepareMs, records,
    };
    writeFileSync(p.metaFile, `${JSON.stringify(meta, null, 2)}\n`);
    rmSync(finalDir, { recursive: true, force: true });
    renameSync(work, finalDir);
    const pruned = pruneSavedStates(r.dataDir, r.labId, r.key);
    if (pruned.length) r.log(`removed ${pruned.length} older saved state(s) of ${r.labId}: ${pruned.join(', ')}`);
    r.log(`saved the VM state of ${r.labId} in ${finalDir} (boot ${(bootMs / 1000).toFixed(1)} s${r.prepare !== null ? `, prepare ${(prepareMs / 1000).toFixed(1)} s` : ''}, device state ${Math.round(bytes / 1024)} KiB)`);
    return finalDir;
  } finally {
    qmp?.close();
    agent?.close();
    if (proc && !exited) {
      proc.kill('SIGKILL');
      await waitExit(proc, () => exited);
    }
    rmSync(sockets, { recursive: true, force: true });
    if (existsSync(work)) rmSync(work, { recursive: true, force: true });
  }
}

async function waitExit(proc: ChildProcess, exited: () => boolean): Promise<void> {
  const deadline = Date.now() + QUIT_GRACE_MS;
  while (!exited() && Date.now() < deadline) await sleep(50);
  if (!exited()) proc.kill('SIGKILL');
  // A SIGKILLed process leaves within milliseconds; bounded all the same.
  for (let i = 0; i < 100 && !exited(); i++) await sleep(20);
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-12).join('\n') || '(no output)';
}

function consoleTail(file: string): string {
  try {
    return stripAnsi(readFileSync(file, 'utf8')).split('\n').map((l) => l.trim()).filter(Boolean).slice(-6).join(' | ') || '(no console output)';
  } catch {
    return '(no console output)';
  }
}

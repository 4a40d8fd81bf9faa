// Commands and files in the guest through its agent (qemu-ga): guest-exec +
// guest-exec-status, guest-file-*. Never by typing into the console, which is
// the learner's. A command the VM's panic or reboot cut short is reported as
// such (EXIT_VM_RESTARTED), not as a failure of the command.
import { GUEST_CHECK_TOOLS_DIR } from '../../images/vm-check-tools.ts';
import { LAB_TOOL_PATH, type ExecResult } from '../lab-backend.ts';
import { ChannelError, sleep, type GuestAgent, type GuestExecStatus } from './qmp.ts';

/** Exit code reported for a command the VM's panic (or reboot) cut short. */
export const EXIT_VM_RESTARTED = 255;
/**
 * PATH of guest commands: the bundled tools (kdiag, ktrace) first. The agent's
 * own environment is systemd's, which the image also extends; this keeps
 * checks working on an image built before that.
 */
export const GUEST_PATH = LAB_TOOL_PATH;
/** The checks' tool set on the read-only lab files disk: static bash and busybox. */
const GUEST_CHECK_BIN = `${GUEST_CHECK_TOOLS_DIR}/bin`;
/** PATH of a check: its tool set first, then the image's folders for the lab's own programs. */
export const GUEST_CHECK_PATH = `${GUEST_CHECK_BIN}:${LAB_TOOL_PATH}`;
/** A guest agent request unanswered this long means the agent is gone (the guest is rebooting or hung). */
export const AGENT_REQUEST_TIMEOUT_MS = 15_000;
/** After the agent went silent: a TCG guest on a loaded host took over 15 s from `systemctl reboot` to its reset. */
const SHUTDOWN_SHOWS_MS = 60_000;
const SHUTDOWN_POLL_MS = 250;
/** Polling guest-exec-status: start fast (most checks take milliseconds), back off to this. */
const EXEC_POLL_MAX_MS = 200;
/** `timeout -k` in the guest: after the command's time, SIGTERM, then SIGKILL this much later. */
const GUEST_KILL_AFTER_S = 2;
/** Extra time past the guest's own kill before the runner gives up on a guest command. */
const EXEC_GRACE_MS = 5000;
/** Output kept from a check or setup script; learners read a message, not a log. */
const MAX_EXEC_OUTPUT = 64 * 1024;
/** Added to the error output of a command the guest stopped at its time limit. */
export const EXEC_TIMEOUT_NOTE = '[kdlabs] stopped: it did not finish within';
/** guest-file-write takes base64 in one JSON message; keep each well under the agent's limits. */
const FILE_CHUNK_BYTES = 48 * 1024;

/** The guest as a command runner sees it; the VM answers these from its state. */
export interface GuestContext {
  /** The agent of the current boot, null before QEMU is up. */
  readonly agent: GuestAgent | null;
  /** Boot counter: a different value means the guest restarted meanwhile. */
  epoch(): number;
  /** Whether the guest is up and taking commands. */
  ready(): boolean;
  /** Why a command was cut short (a panic, or a plain reboot). */
  interruptedBecause(): string;
}

/**
 * `timeout` and the program to run: the guest's own, or, for a check
 * (`protectedTools`), the tool set's, which a learner who is root in the guest
 * cannot replace; the check's PATH is then the caller's to set (GUEST_CHECK_PATH).
 */
export function guestCommand(command: readonly string[], seconds: number, protectedTools: boolean): { path: string; arg: string[] } {
  const limit = ['-k', String(GUEST_KILL_AFTER_S), String(seconds)];
  if (!protectedTools) return { path: '/usr/bin/timeout', arg: [...limit, ...command] };
  if (command[0] !== 'bash') throw new Error(`a check runs as bash, not "${command[0]}"`);
  return { path: `${GUEST_CHECK_BIN}/timeout`, arg: [...limit, `${GUEST_CHECK_BIN}/bash`, '--noprofile', '--norc', ...command.slice(1)] };
}

export async function guestExec(
  g: GuestContext, command: string[], stdin: string | Buffer | undefined, timeoutMs: number, env: Record<string, string>,
  protectedTools = false,
): Promise<ExecResult> {
  const started = Date.now();
  const epoch = g.epoch();
  const seconds = Math.max(1, Math.ceil(timeoutMs / 1000));
  const interrupted = (): ExecResult => ({
    exitCode: EXIT_VM_RESTARTED, stdout: '', timedOut: false, durationMs: Date.now() - started, stderr: g.interruptedBecause(),
  });
  const agent = g.agent;
  if (!agent) return interrupted();
  let pid: number;
  try {
    const args: Record<string, unknown> = {
      // `timeout` in the guest ends a hung command; the runner's deadline below is the backstop.
      ...guestCommand(command, seconds, protectedTools),
      env: Object.entries(env).map(([k, v]) => `${k}=${v}`), 'capture-output': true,
    };
    if (stdin !== undefined) args['input-data'] = Buffer.from(stdin).toString('base64');
    pid = (await agent.execute<{ pid: number }>('guest-exec', args, AGENT_REQUEST_TIMEOUT_MS)).pid;
  } catch (e) {
    if (g.epoch() !== epoch || !g.ready()) return interrupted();
    // A silent agent is often a guest shutting down (`systemctl reboot` stops qemu-ga well before QEMU's
    // reset): give the reboot a moment to show before calling the agent broken.
    if (e instanceof ChannelError && e.reason === 'timeout') {
      for (const until = Date.now() + SHUTDOWN_SHOWS_MS; Date.now() < until;) {
        await sleep(SHUTDOWN_POLL_MS);
        if (g.epoch() !== epoch || !g.ready()) return interrupted();
      }
    }
    throw e;
  }
  const deadline = started + timeoutMs + GUEST_KILL_AFTER_S * 1000 + EXEC_GRACE_MS;
  let delay = 5;
  for (;;) {
    await sleep(delay);
    delay = Math.min(EXEC_POLL_MAX_MS, delay * 2);
    if (g.epoch() !== epoch) return interrupted();
    let st: GuestExecStatus;
    try {
      st = await agent.execute<GuestExecStatus>('guest-exec-status', { pid }, AGENT_REQUEST_TIMEOUT_MS);
    } catch (e) {
      if (g.epoch() !== epoch || !g.ready()) return interrupted();
      if (e instanceof ChannelError && e.reason === 'timeout' && Date.now() < deadline) continue;
      throw e;
    }
    if (st.exited) {
      const exitCode = st.exitcode ?? (st.signal !== undefined ? 128 + st.signal : 1);
      const durationMs = Date.now() - started;
      const timedOut = exitCode === 124 || exitCode === 137;
      // The guest's `timeout` ends a command silently: say so, or a caller shows an empty error.
      const note = timedOut && durationMs >= timeoutMs ? `${EXEC_TIMEOUT_NOTE} ${seconds} s\n` : '';
      return { exitCode, stdout: decode(st['out-data']), stderr: decode(st['err-data']) + note, timedOut, durationMs };
    }
    if (Date.now() > deadline) {
      return { exitCode: 137, stdout: '', stderr: `no result within ${Math.round(timeoutMs / 1000)} s`, timedOut: true, durationMs: Date.now() - started };
    }
  }
}

/**
 * One guest program run straight by the agent: no `timeout` wrapper, no shell,
 * so one exec instead of two (right after a restore on TCG each exec costs
 * hundreds of ms: the translation cache starts empty). Resolves with its exit
 * code; throws ChannelError when the agent fails or `timeoutMs` passes.
 */
export async function guestRunDirect(agent: GuestAgent, path: string, args: string[], timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  const { pid } = await agent.execute<{ pid: number }>('guest-exec', { path, arg: args, 'capture-output': false }, AGENT_REQUEST_TIMEOUT_MS);
  for (let delay = 5; ; delay = Math.min(EXEC_POLL_MAX_MS, delay * 2)) {
    await sleep(delay);
    const st = await agent.execute<GuestExecStatus>('guest-exec-status', { pid }, AGENT_REQUEST_TIMEOUT_MS);
    if (st.exited) return st.exitcode ?? (st.signal !== undefined ? 128 + st.signal : 1);
    if (Date.now() > deadline) throw new ChannelError(`${path} did not finish within ${timeoutMs} ms`, 'timeout');
  }
}

/** Where the image's kdlabs-clockd reads "<seconds> <nanoseconds>" lines (vm-images/vm/files/usr/local/src/kdlabs-clockd.c). */
export const GUEST_CLOCK_FIFO = '/run/kdlabs/clock';

/**
 * Sets a just-restored guest's clock to `nowMs`: a line into kdlabs-clockd's
 * FIFO where the image has it (a file write, tens of ms), else `/bin/date -s`
 * (one process: 0.3–0.8 s right after a restore on TCG). Not the agent's
 * guest-set-time: that also runs `hwclock -w`, which waits for the RTC's next
 * second. Returns how it was set, or an error message.
 */
export async function setGuestClock(agent: GuestAgent, nowMs: number, timeoutMs: number): Promise<{ ok: true; via: 'clockd' | 'date' } | { ok: false; message: string }> {
  const sec = Math.floor(nowMs / 1000);
  const msec = nowMs % 1000;
  let handle: number | null = null;
  try {
    // "r+": open without creating — an image without the daemon has no FIFO, and must not get a plain file instead.
    handle = await agent.execute<number>('guest-file-open', { path: GUEST_CLOCK_FIFO, mode: 'r+' }, AGENT_REQUEST_TIMEOUT_MS);
  } catch (e) {
    if (!(e instanceof ChannelError) || e.reason !== 'command') throw e;
  }
  if (handle !== null) {
    try {
      await agent.execute('guest-file-write', { handle, 'buf-b64': Buffer.from(`${sec} ${msec * 1_000_000}\n`).toString('base64') }, AGENT_REQUEST_TIMEOUT_MS);
    } finally {
      await agent.execute('guest-file-close', { handle }, AGENT_REQUEST_TIMEOUT_MS).catch(() => { /* the write's own error (if any) is the one to report */ });
    }
    return { ok: true, via: 'clockd' };
  }
  const code = await guestRunDirect(agent, '/bin/date', ['-u', '-s', `@${sec}.${String(msec).padStart(3, '0')}`], timeoutMs);
  return code === 0 ? { ok: true, via: 'date' } : { ok: false, message: `/bin/date exited ${code}` };
}

/** guest-file-open/write/close: the agent writes the file itself, no shell involved. */
export async function writeGuestFile(agent: GuestAgent, path: string, data: Buffer): Promise<void> {
  const handle = await agent.execute<number>('guest-file-open', { path, mode: 'w' }, AGENT_REQUEST_TIMEOUT_MS);
  try {
    for (let off = 0; off < data.length; off += FILE_CHUNK_BYTES) {
      await agent.execute('guest-file-write', { handle, 'buf-b64': data.subarray(off, off + FILE_CHUNK_BYTES).toString('base64') }, AGENT_REQUEST_TIMEOUT_MS);
    }
  } finally {
    await agent.execute('guest-file-close', { handle }, AGENT_REQUEST_TIMEOUT_MS).catch(() => { /* the write's own error (if any) is the one to report */ });
  }
}

/** guest-file-open/read/close: the agent reads the file itself, no program runs. Up to `maxBytes`. */
export async function readGuestFile(agent: GuestAgent, path: string, maxBytes: number): Promise<Buffer> {
  const handle = await agent.execute<number>('guest-file-open', { path, mode: 'r' }, AGENT_REQUEST_TIMEOUT_MS);
  const parts: Buffer[] = [];
  let size = 0;
  try {
    while (size < maxBytes) {
      const r = await agent.execute<{ count: number; 'buf-b64': string; eof: boolean }>(
        'guest-file-read', { handle, count: Math.min(FILE_CHUNK_BYTES, maxBytes - size) }, AGENT_REQUEST_TIMEOUT_MS);
      const chunk = Buffer.from(r['buf-b64'], 'base64');
      parts.push(chunk);
      size += chunk.length;
      if (r.eof || chunk.length === 0) break;
    }
  } finally {
    await agent.execute('guest-file-close', { handle }, AGENT_REQUEST_TIMEOUT_MS).catch(() => { /* what was read stands */ });
  }
  return Buffer.concat(parts);
}

function decode(b64: string | undefined): string {
  if (!b64) return '';
  return Buffer.from(b64, 'base64').subarray(0, MAX_EXEC_OUTPUT).toString('utf8');
}

// The walkthrough: what a learner is told to type, typed into the lab's real
// terminal (the page's WebSocket, the page's size, the same login shell), in
// step order, before the solution — so it sees what the learner sees. A command
// fails it on "command not found", on "No such file or directory" about a path
// it names, or on a non-zero exit, unless its marker says how it ends
// (walkthrough-markers.ts).
import { TerminalClient } from '../cli/terminal-client.ts';
import { INTERACTIVE_GRACE_SECONDS, describeMode, type WalkthroughMode } from '../../common/walkthrough-markers.ts';
import type { WalkthroughItem, WalkthroughPlan } from '../../common/walkthrough-plan.ts';
import type { TerminalSize } from '../../common/terminal-size.ts';
import { MarkedShell, type LineEnd } from './marked-shell.ts';
import { inspectOutput, plainLines } from './walkthrough-output.ts';

/** A command that should end by itself and has not after this long fails (a marker says ctrl-c:N if it runs until stopped). */
const RUN_LIMIT_MS = 150_000;
/** After Ctrl-C or its quit keys, a tool gets this long to give the prompt back. */
const STOP_GRACE_MS = 15_000;
/**
 * Ctrl-C is pressed again after this long, as a learner would: bpftrace 0.17 misses a
 * SIGINT that arrives outside its epoll_wait (likely on a busy machine) and needs a second.
 */
const CTRL_C_AGAIN_MS = 4000;
/** The first prompt: a login shell, or a VM console that may still be printing its boot. */
const SHELL_READY_MS = 60_000;
/**
 * A lab that panics or reboots gets this long to show a shell again: a VM boots in
 * ~15–60 s under TCG on a quiet host, and took 300 s with eight VMs sharing two cores;
 * after a panic it first copies its memory dump (hundreds of MiB once crash has run).
 */
const REBOOT_LIMIT_MS = 900_000;
/** How long the page's size may take to reach the shell (a VM sets it through its guest agent). */
const SIZE_SETTLE_MS = 10_000;
/** Lines of a failing command's output quoted in the report. */
const QUOTED_LINES = 4;

export interface WalkthroughTarget {
  url: string;
  sessionId: string;
  token: string;
  size: TerminalSize;
}

export interface WalkthroughReport {
  ok: boolean;
  /** One line per failing command: where it comes from, what was typed, why it failed. */
  failures: string[];
  notes: string[];
  typed: number;
  skipped: number;
  /** `stty size` in the walkthrough's shell: rows × columns, as the learner's page would have them. */
  size: string;
}

class ShellGone extends Error {}

export async function runWalkthrough(plan: WalkthroughPlan, target: WalkthroughTarget, onProgress?: (m: string) => void): Promise<WalkthroughReport> {
  const failures = [...plan.problems];
  const notes: string[] = [];
  const client = new TerminalClient({ url: target.url, sessionId: target.sessionId, token: target.token });
  const shell = new MarkedShell(client);
  let size = '';
  try {
    await client.opened;
    // The page sends its size as soon as it connects; so does the walkthrough.
    client.resize(target.size.cols, target.size.rows);
    size = await settleSize(client, shell, target.size);
    for (const [i, item] of plan.items.entries()) {
      onProgress?.(`walkthrough ${i + 1}/${plan.items.length}: ${item.source}: ${item.command.split('\n')[0]!.slice(0, 70)} [${describeMode(item.mode)}]`);
      const r = await typeItem(shell, item, target.size.cols);
      failures.push(...r.failures);
      notes.push(...r.notes);
    }
  } catch (e) {
    if (!(e instanceof ShellGone)) throw e;
    failures.push(e.message);
  } finally {
    client.close();
  }
  return { ok: failures.length === 0, failures, notes, typed: plan.items.length, skipped: plan.skipped.length, size };
}

async function settleSize(client: TerminalClient, shell: MarkedShell, want: TerminalSize): Promise<string> {
  const until = Date.now() + SIZE_SETTLE_MS;
  let size = await shell.install(SHELL_READY_MS);
  if (size === null) throw new ShellGone(`the lab's terminal never gave a prompt (${shell.closedBy ?? `${SHELL_READY_MS / 1000} s`}); it showed: ${tail(shell.transcript)}`);
  while (size !== `${want.rows} ${want.cols}` && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 500));
    client.resize(want.cols, want.rows);
    size = (await shell.install(SHELL_READY_MS)) ?? size;
  }
  return size;
}

interface ItemResult { failures: string[]; notes: string[] }

async function typeItem(shell: MarkedShell, item: WalkthroughItem, cols: number): Promise<ItemResult> {
  const failures: string[] = [];
  const notes: string[] = [];
  // A file a hint points at is checked by listing it: a missing one prints "No such file or directory".
  const mode: WalkthroughMode = item.mode.kind === 'file' ? { kind: 'run' } : item.mode;
  const text = item.mode.kind === 'file' ? `ls -d -- ${item.command}` : item.command;
  const where = `${item.source}: \`${text.length > 90 ? `${text.slice(0, 90)}…` : text}\``;
  for (const line of text.split('\n')) {
    const from = shell.position;
    const limit = mode.kind === 'ctrl-c' || mode.kind === 'wait' ? mode.seconds * 1000 : mode.kind === 'interactive' ? INTERACTIVE_GRACE_SECONDS * 1000 : RUN_LIMIT_MS;
    let end: LineEnd = await shell.typeLine(line, limit, mode.kind === 'reboots');
    if (shell.closedBy) throw new ShellGone(`${where}: ${shell.closedBy}; the walkthrough stops here: ${tail(shell.transcript)}`);
    let stopped = false;
    if (end.kind === 'timeout') {
      if (mode.kind === 'ctrl-c') {
        stopped = true;
        let presses = 0;
        for (const until = Date.now() + STOP_GRACE_MS; end.kind === 'timeout' && Date.now() < until;) {
          presses++;
          end = await shell.sendAndWait('\x03', from, Math.min(CTRL_C_AGAIN_MS, until - Date.now()));
        }
        if (end.kind === 'timeout') failures.push(`${where}: did not give the prompt back after Ctrl-C, pressed ${presses} times: ${tail(end.output)}`);
        else if (presses > 1) notes.push(`${item.source}: stopped after ${presses} Ctrl-C presses`);
      } else if (mode.kind === 'interactive') {
        stopped = true;
        end = await shell.sendAndWait(mode.keys, from, STOP_GRACE_MS);
        if (end.kind === 'timeout') {
          failures.push(`${where}: did not give the prompt back after its quit keys (${mode.label}): ${tail(end.output)}`);
          end = await shell.sendAndWait('\x03', from, STOP_GRACE_MS);
        }
      } else {
        stopped = true; // its exit status after Ctrl-C says nothing more
        failures.push(`${where}: still running after ${limit / 1000} s (a command that runs until stopped needs walkthrough=ctrl-c:<seconds>; a slow one that ends by itself, walkthrough=wait:<seconds>): ${tail(end.output)}`);
        end = await shell.sendAndWait('\x03', from, STOP_GRACE_MS);
      }
      if (end.kind === 'timeout') {
        throw new ShellGone(`${where}: the shell no longer answers, even to Ctrl-C (a command that panics or reboots a VM needs walkthrough=reboots); the walkthrough stops here: ${tail(end.output)}`);
      }
    }
    if (end.kind === 'more') continue;
    if (end.kind === 'panic') {
      notes.push(`${item.source}: the lab rebooted (kernel panic), as marked`);
      if ((await shell.install(REBOOT_LIMIT_MS)) === null) throw new ShellGone(`${where}: ${shell.closedBy ?? `no shell came back within ${REBOOT_LIMIT_MS / 1000} s`} after the panic: ${tail(shell.transcript)}`);
      continue;
    }
    const output = plainLines(end.output).slice(1); // the first line is the echo of what was typed
    const found = inspectOutput(line, output, cols);
    for (const e of found.errors) failures.push(`${where}: ${e}`);
    if (mode.kind !== 'interactive') for (const n of found.notes) notes.push(`${item.source}: ${n}`);
    if (end.status !== 0 && !stopped && mode.kind !== 'expect-fail' && !found.errors.length) {
      failures.push(`${where}: exit status ${end.status}${quote(output)}`);
    }
  }
  return { failures, notes };
}

function quote(lines: string[]): string {
  const shown = lines.map((l) => l.trim()).filter(Boolean).slice(-QUOTED_LINES);
  return shown.length ? `: ${shown.join(' | ')}` : '';
}

function tail(raw: string): string {
  return quote(plainLines(raw)).replace(/^: /, '') || '(nothing)';
}

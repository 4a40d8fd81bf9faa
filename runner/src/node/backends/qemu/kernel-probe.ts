// Boots the lab kernel in a throw-away VM (no disks) and waits for its first
// console line. /dev/kvm opening, or even firmware running, does not prove the
// lab kernel runs under KVM: on one host SeaBIOS printed, then the Debian
// kernel hung at "Probing EDD". Only the kernel's own banner proves it.
import { spawn } from 'node:child_process';
import { kernelProbeArgs, type ProbeArgsInput } from './args.ts';
import { stripAnsi } from './vm-console.ts';

/** The kernel's banner, its first printk ("Linux version 6.1.0-… (debian-kernel@…)"). */
export const KERNEL_BANNER = /Linux version \d+\.\d+\S*/;
/** After SIGKILL a QEMU is gone within milliseconds; this bounds a wait on a process stuck in the kernel (D state). */
const KILL_WAIT_MS = 5000;
/** Console output kept for the reason text: the last line is what matters ("Probing EDD … ok"). */
const KEPT_OUTPUT = 4096;

export type ProbeOutcome =
  /** The kernel printed its banner: this accelerator runs it. */
  | { kind: 'booted'; ms: number; line: string }
  /** QEMU ran but the kernel said nothing within the time limit (hung, or far too slow). */
  | { kind: 'silent'; ms: number; lastOutput: string }
  /** QEMU refused or died (no KVM support it can use, a bad kernel file, QEMU missing). */
  | { kind: 'failed'; message: string };

export interface KernelProbeRequest extends ProbeArgsInput {
  qemu: string;
  timeoutMs: number;
}

/** Runs the probe VM until the banner, an exit, or the time limit; the VM is always killed. */
export function probeKernelBoot(req: KernelProbeRequest): Promise<ProbeOutcome> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(req.qemu, kernelProbeArgs(req), { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let outcome: ProbeOutcome | null = null;
    let killWait: NodeJS.Timeout | null = null;
    const finish = (o: ProbeOutcome): void => {
      if (outcome) return;
      outcome = o;
      clearTimeout(limit);
      if (child.exitCode !== null || child.signalCode !== null) { resolve(o); return; }
      child.kill('SIGKILL');
      // Resolve once QEMU is really gone, so no probe VM outlives its answer.
      killWait = setTimeout(() => resolve(o), KILL_WAIT_MS);
    };
    // The banner counts once its line is complete: a read can end inside it ("Linux version 6.1.0-2").
    const banner = (complete: boolean): ProbeOutcome | null => {
      const text = stripAnsi(out);
      const m = KERNEL_BANNER.exec(text);
      if (!m || (complete && !text.includes('\n', m.index))) return null;
      return { kind: 'booted', ms: Date.now() - started, line: bannerLine(text, m.index) };
    };
    const limit = setTimeout(() => finish(banner(false) ?? { kind: 'silent', ms: Date.now() - started, lastOutput: lastLine(out) }), req.timeoutMs);
    child.stdout.on('data', (d: Buffer) => {
      out = (out + d.toString('latin1')).slice(-KEPT_OUTPUT);
      const booted = banner(true);
      if (booted) finish(booted);
    });
    child.stderr.on('data', (d: Buffer) => { err = (err + d.toString()).slice(-KEPT_OUTPUT); });
    child.on('error', (e) => {
      finish({ kind: 'failed', message: `${req.qemu} could not start (${e.message})` });
      if (killWait) clearTimeout(killWait);
      resolve(outcome!);
    });
    child.on('close', (code, signal) => {
      const said = err.trim().split('\n').pop()?.replace(/^qemu-system-\S+: /, '');
      finish({ kind: 'failed', message: said || `QEMU exited (${signal ?? `code ${code}`}) before the kernel printed anything` });
      if (killWait) clearTimeout(killWait);
      resolve(outcome!);
    });
  });
}

/** The last non-empty console line (for "it stopped at: …"). */
export function lastLine(output: string): string {
  return stripAnsi(output).split('\n').map((l) => l.trim()).filter(Boolean).pop() ?? '';
}

function bannerLine(text: string, at: number): string {
  const end = text.indexOf('\n', at);
  return text.slice(at, end < 0 ? undefined : end).trim().slice(0, 160);
}

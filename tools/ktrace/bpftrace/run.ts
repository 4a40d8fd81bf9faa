// Runs bpftrace as a child process and collects its JSON output.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { emptyOutput, parseLine, type BpftraceOutput } from './output.ts';

import { PROGRESS_EVERY_S, STARTUP_GRACE_S } from './startup.ts';

/**
 * bpftrace 0.17 prints this when it cannot raise RLIMIT_MEMLOCK (no CAP_SYS_RESOURCE).
 * Kernels >= 5.11 account BPF memory to the memory cgroup instead, so it is harmless there.
 */
const HARMLESS_STDERR = [/couldn't set RLIMIT_MEMLOCK/];

export interface RunResult {
  /** bpftrace's process id, as ktrace's pid namespace sees it. */
  readonly pid: number | null;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly output: BpftraceOutput;
  /** stderr minus known-harmless noise. */
  readonly stderr: string;
  /** Seconds between probes attaching and bpftrace exiting: the real tracing window. */
  readonly tracedSeconds: number;
  readonly timedOut: boolean;
}

export interface RunOptions {
  readonly bpftrace: string;
  readonly program: string;
  readonly durationSeconds: number;
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Seconds bpftrace may take to attach its probes (see startup.ts), and again
   * after the window to print its maps and exit.
   */
  readonly graceSeconds?: number;
  /** Called every PROGRESS_EVERY_S seconds while bpftrace has not attached yet, with the seconds waited. */
  readonly onWaiting?: (seconds: number) => void;
  /** Default PROGRESS_EVERY_S; tests use fractions. */
  readonly progressEverySeconds?: number;
}

export function filterStderr(text: string): string {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '' && !HARMLESS_STDERR.some((re) => re.test(l)))
    .join('\n');
}

export function runBpftrace(opts: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(opts.bpftrace, ['-f', 'json', '-e', opts.program], {
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = emptyOutput();
    const stderr: string[] = [];
    const started = process.hrtime.bigint();
    let attachedAt: bigint | null = null;
    // Maps are printed after exit(): the first one marks the end of tracing.
    let firstResultAt: bigint | null = null;
    let timedOut = false;

    // Ctrl+C reaches bpftrace too (same process group); bpftrace then prints
    // its maps and exits, so we stay alive to report what was collected.
    const onSigint = () => undefined;
    process.on('SIGINT', onSigint);
    // Two deadlines: attaching within the grace, then the window plus the
    // grace to print maps (a slow start must not eat into the window).
    const grace = opts.graceSeconds ?? STARTUP_GRACE_S;
    const expire = () => {
      timedOut = true;
      child.kill('SIGINT');
    };
    let killer = setTimeout(expire, grace * 1000);
    const progress = setInterval(() => {
      if (attachedAt === null) opts.onWaiting?.(Math.round(Number(process.hrtime.bigint() - started) / 1e8) / 10);
    }, (opts.progressEverySeconds ?? PROGRESS_EVERY_S) * 1000);
    const onAttached = () => {
      clearInterval(progress);
      clearTimeout(killer);
      killer = setTimeout(expire, (opts.durationSeconds + grace) * 1000);
    };

    createInterface({ input: child.stdout }).on('line', (line) => {
      const type = parseLine(line, output);
      if (type === 'attached_probes') {
        attachedAt = process.hrtime.bigint();
        onAttached();
      } else if (type !== null && type !== 'printf' && firstResultAt === null) firstResultAt = process.hrtime.bigint();
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));

    child.on('error', (err) => {
      clearTimeout(killer);
      clearInterval(progress);
      process.off('SIGINT', onSigint);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      clearInterval(progress);
      process.off('SIGINT', onSigint);
      const end = firstResultAt ?? process.hrtime.bigint();
      resolve({
        pid: child.pid ?? null,
        exitCode: code,
        signal,
        output,
        stderr: filterStderr(stderr.join('')),
        tracedSeconds: Number(end - (attachedAt ?? started)) / 1e9,
        timedOut,
      });
    });
  });
}

// The soak's own runner: `labs serve` as a child process on a free port, with
// its own data folder and runner name (its containers carry that name, so
// nothing here touches another runner's labs), its log in a file, and what the
// soak measures of it from /proc: RSS, open fds, descendant processes.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../runner/src/node/util/paths.ts';
import type { RunnerMetricsView } from '../../runner/src/node/server/metrics.ts';

const LABS_CLI = join(REPO_ROOT, 'runner', 'bin', 'labs.mjs');
/** tsx plus the runner's start-up (orphan reaping through Docker) on a loaded 2-core host. */
const START_TIMEOUT_MS = 90_000;
/** A graceful stop removes every lab container first. */
const STOP_TIMEOUT_MS = 120_000;
/** No single API call of the soak may hang it (a lab start on a host loaded by other work takes a while). */
const CALL_TIMEOUT_MS = 180_000;

export interface SoakRunner {
  readonly name: string;
  readonly dataDir: string;
  readonly url: string;
  readonly port: number;
  readonly ownerToken: string;
  readonly pid: number;
  readonly logFile: string;
  /** Set when the process ended without the soak asking (a crash). */
  readonly crashed: { code: number | null; signal: NodeJS.Signals | null } | null;
  call(method: string, path: string, body?: unknown, token?: string | null): Promise<{ status: number; json: any; ms: number }>;
  metrics(reset?: boolean): Promise<RunnerMetricsView>;
  /** SIGKILL, as a power cut would; resolves once the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM (labs stopped, then exit); resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** `nodeArgs`: flags for the runner's node (e.g. --cpu-prof to see where a phase spends the runner's time). */
export async function startRunner(opts: { name: string; dataDir: string; env: Record<string, string>; nodeArgs?: string[] }): Promise<SoakRunner> {
  const info = join(opts.dataDir, 'runner.json');
  rmSync(info, { force: true }); // a killed runner leaves its advert behind
  const logFile = join(opts.dataDir, `runner-${Date.now()}.log`);
  const fd = openSync(logFile, 'a');
  const child: ChildProcess = spawn(process.execPath, [...(opts.nodeArgs ?? []), LABS_CLI, 'serve', '--port', '0', '--name', opts.name], {
    env: { ...process.env, KDLABS_DATA_DIR: opts.dataDir, ...opts.env }, stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  let expectedExit = false;
  let crashed: SoakRunner['crashed'] = null;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code, signal) => {
    if (!expectedExit) crashed = { code, signal };
    resolve(code);
  }));
  const end = Date.now() + START_TIMEOUT_MS;
  let url = '';
  while (!url) {
    if (child.exitCode !== null) throw new Error(`the runner exited (${child.exitCode}); its log: ${logFile}`);
    if (Date.now() > end) { child.kill('SIGKILL'); throw new Error(`the runner did not start within ${START_TIMEOUT_MS} ms; its log: ${logFile}`); }
    if (existsSync(info)) {
      const advert = JSON.parse(readFileSync(info, 'utf8')) as { url: string; pid: number };
      if (advert.pid === child.pid) url = advert.url;
    }
    if (!url) await sleep(100);
  }
  const ownerToken = readFileSync(join(opts.dataDir, 'owner-token'), 'utf8').trim();
  const call: SoakRunner['call'] = async (method, path, body, token = ownerToken) => {
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    const t0 = performance.now();
    const res = await fetch(`${url}${path}`, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
    });
    const text = await res.text();
    let json: unknown = text;
    try { json = JSON.parse(text); } catch { /* not JSON */ }
    return { status: res.status, json, ms: performance.now() - t0 };
  };
  return {
    name: opts.name, dataDir: opts.dataDir, url, port: Number(new URL(url).port), ownerToken, pid: child.pid!, logFile,
    get crashed() { return crashed; },
    call,
    metrics: async (reset = false) => {
      const r = await call('GET', `/api/metrics${reset ? '?reset=1' : ''}`);
      if (r.status !== 200) throw new Error(`GET /api/metrics: HTTP ${r.status} ${JSON.stringify(r.json)}`);
      return r.json as RunnerMetricsView;
    },
    kill: async () => {
      expectedExit = true;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      expectedExit = true;
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Resident memory of a process, in MiB. */
export function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 102.4) / 10 : NaN;
}

export function openFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** Every process whose parent chain leads to `pid` (QEMU, helpers a runner started). */
export function descendants(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name may hold spaces and parentheses: fields start after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(entry), Number(fields[1]));
    } catch { /* the process ended meanwhile */ }
  }
  const out: number[] = [];
  for (const p of parent.keys()) {
    for (let q = parent.get(p); q !== undefined && q > 1; q = parent.get(q)) {
      if (q === pid) { out.push(p); break; }
    }
  }
  return out;
}

/** What a process runs, for naming a leaked one. */
export function commandLine(pid: number): string {
  try { return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ').slice(0, 160); } catch { return '(gone)'; }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// A real runner as a child process (`labs serve`), for tests that kill it:
// SIGKILL a runner, then look at what it left on disk.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../runner/src/node/util/paths.ts';

const LABS_CLI = join(REPO_ROOT, 'runner', 'bin', 'labs.mjs');
/** Starting tsx and the runner takes a few seconds on a busy machine. */
const START_TIMEOUT_MS = 60_000;

export interface ChildRunner {
  name: string;
  dataDir: string;
  url: string;
  ownerToken: string;
  child: ChildProcess;
  /** fetch with the owner token unless `token` is given (null: no Authorization). */
  call(method: string, path: string, init?: { body?: unknown; token?: string | null }): Promise<{ status: number; json: any }>;
  /** SIGKILL, and wait until the process is gone. */
  kill(): Promise<void>;
}

export async function startChildRunner(opts: { name?: string; dataDir?: string; env?: Record<string, string>; args?: string[] } = {}): Promise<ChildRunner> {
  const name = opts.name ?? `child-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'kdlabs-child-'));
  const info = join(dataDir, 'runner.json');
  rmSync(info, { force: true }); // a killed runner leaves its advert behind
  const child = spawn(process.execPath, [LABS_CLI, 'serve', '--port', '0', '--name', name, ...(opts.args ?? [])], {
    env: { ...process.env, KDLABS_DATA_DIR: dataDir, ...opts.env }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => { stderr += d; });
  const end = Date.now() + START_TIMEOUT_MS;
  while (!existsSync(info)) {
    if (child.exitCode !== null) throw new Error(`the runner exited (${child.exitCode}): ${stderr}`);
    if (Date.now() > end) { child.kill('SIGKILL'); throw new Error(`the runner did not start within ${START_TIMEOUT_MS} ms: ${stderr}`); }
    await new Promise((r) => setTimeout(r, 100));
  }
  const { url } = JSON.parse(readFileSync(info, 'utf8')) as { url: string };
  const ownerToken = readFileSync(join(dataDir, 'owner-token'), 'utf8').trim();
  return {
    name, dataDir, url, ownerToken, child,
    call: async (method, path, init = {}) => {
      const token = init.token === undefined ? ownerToken : init.token;
      const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
      if (init.body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${url}${path}`, { method, headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
      const text = await res.text();
      let json: unknown = text;
      try { json = JSON.parse(text); } catch { /* not JSON */ }
      return { status: res.status, json };
    },
    kill: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await gone;
    },
  };
}

// Where a lab VM's files live, and removing those of an earlier runner:
//   <dataDir>/vms/<runner>/<session>/{overlay.qcow2, lab.img, meta.json, crash/}
//   <tmp>/kdlabs-<session>/{qmp.sock, qga.sock}   (short: sun_path is 108 bytes)
import { existsSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sleep } from './qmp.ts';

export interface SessionMeta { pid: number; sessionId: string; socketDir: string; name: string; startedAt: string }

/** After SIGKILL the process leaves /proc within milliseconds; poll this often, this many times. */
const KILL_POLL_MS = 20;
const KILL_POLLS = 50;

export function vmName(sessionId: string): string {
  return `kdlabs-${sessionId}`;
}

export function runnerDir(dataDir: string, runnerName: string): string {
  return join(dataDir, 'vms', runnerName.replace(/[^A-Za-z0-9._-]/g, '_'));
}

export function writeMeta(sessionDir: string, meta: SessionMeta): void {
  writeFileSync(join(sessionDir, 'meta.json'), JSON.stringify(meta, null, 2));
}

/** Kills the QEMU of an earlier runner's session (if it still runs) and removes its files. */
export async function killAndRemove(sessionDir: string): Promise<void> {
  let meta: SessionMeta | null = null;
  try { meta = JSON.parse(readFileSync(join(sessionDir, 'meta.json'), 'utf8')) as SessionMeta; } catch { /* no meta: files only */ }
  if (meta && Number.isInteger(meta.pid) && meta.pid > 0) {
    let cmdline = '';
    try { cmdline = readFileSync(`/proc/${meta.pid}/cmdline`, 'utf8'); } catch { /* not running */ }
    // The pid may have been reused: kill only a QEMU that names this session.
    if (cmdline.includes(meta.name)) {
      try { process.kill(meta.pid, 'SIGKILL'); } catch { /* gone meanwhile */ }
      for (let i = 0; i < KILL_POLLS && existsSync(`/proc/${meta.pid}`); i++) await sleep(KILL_POLL_MS);
    }
  }
  if (meta?.socketDir) rmSync(meta.socketDir, { recursive: true, force: true });
  rmSync(sessionDir, { recursive: true, force: true });
}

/** Removes a runner's folder once its last session is gone, so finished runners (each self-test is one) leave nothing. */
export function removeRunnerDirIfEmpty(dir: string): void {
  try { rmdirSync(dir); } catch { /* sessions still in it, or already gone */ }
}

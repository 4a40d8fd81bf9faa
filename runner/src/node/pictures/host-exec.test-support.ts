// Test support: a LabExec that runs the real scripts with the host's bash, the
// spool moved to a temporary folder, so the scripts themselves are tested
// without Docker.
import { spawnSync } from 'node:child_process';
import { PICTURE_SPOOL_DIR } from '../../common/pictures.ts';
import type { LabExec } from './lab-exec.ts';

export function hostExec(spoolDir: string, calls: string[] = []): LabExec {
  return async (script, timeoutMs, env = {}) => {
    calls.push(script);
    const r = spawnSync('bash', ['-s'], { input: script.replaceAll(PICTURE_SPOOL_DIR, spoolDir), env: { ...process.env, ...env }, timeout: timeoutMs, maxBuffer: 64 * 1024 });
    return { ok: true, value: { exitCode: r.status ?? 1, stdout: r.stdout.toString(), stderr: r.stderr.toString(), timedOut: false, durationMs: 1 } };
  };
}

/** A small valid flame picture. */
export const FLAME = { kind: 'flame', title: 'Profile of the lab, 2 s', createdAt: 1764650000000, command: 'ktrace flame --lab', stacks: [['ingestd;main;parse', 5], ['ingestd;main', 1]] };

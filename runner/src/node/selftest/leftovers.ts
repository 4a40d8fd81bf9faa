// The self-test's last question: did stopping the lab leave anything behind?
// Environments are looked up under the runner name the backends label them
// with (the self-test's own), and host processes by the environment's id.
import { readdirSync, readFileSync } from 'node:fs';
import type { LabBackend } from '../backends/lab-backend.ts';

/** What is left of a stopped lab: environments its backend still owns, host processes of it. Empty when clean. */
export async function leftBehind(backend: LabBackend | undefined, runnerName: string, envRef: string | null): Promise<string[]> {
  const problems: string[] = [];
  const envs = backend ? await backend.listOwned(runnerName) : { ok: true as const, value: [] };
  if (!envs.ok) problems.push(`could not look for environments left: ${envs.error.message}`);
  else if (envs.value.length) problems.push(`environments left: ${envs.value.join(', ')}`);
  const procs = envRef ? processesOf(envRef) : [];
  if (procs.length) problems.push(`processes left on the host: ${procs.join(', ')}`);
  return problems;
}

/** Host processes of an environment: a container id in their cgroup path, a VM name on their command line. */
function processesOf(ref: string): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/cgroup`, 'utf8').includes(ref) || readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(ref)) out.push(pid);
    } catch { /* the process ended while we looked */ }
  }
  return out;
}

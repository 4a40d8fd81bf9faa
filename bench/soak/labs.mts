// Lab sessions for the soak, through the runner's API, and the containers its
// runner name owns, asked of the host's Docker Engine directly (not through
// the soak's cuttable proxy), so a leak check works while the proxy is cut.
import Docker from 'dockerode';
import { TerminalClient } from '../../runner/src/node/cli/terminal-client.ts';
import type { StartSessionResponse } from '../../runner/src/common/protocol.ts';
import { LABEL_RUNNER } from '../../runner/src/node/backends/container.ts';
import type { SoakRunner } from './runner-child.mts';

const PROMPT = /# $/m;
/** A lab shell prints its prompt within this on a loaded host. */
const PROMPT_TIMEOUT_MS = 20_000;

export const hostDocker = new Docker({ socketPath: process.env.DOCKER_SOCKET ?? '/var/run/docker.sock' });

export interface Lab { sessionId: string; token: string }

export async function startLab(runner: SoakRunner, labId: string): Promise<Lab> {
  const r = await runner.call('POST', '/api/sessions?wait=1', { labId });
  if (r.status !== 201) throw new Error(`starting ${labId}: HTTP ${r.status} ${JSON.stringify(r.json)}`);
  const body = r.json as StartSessionResponse;
  return { sessionId: body.session.id, token: body.token };
}

export async function stopLab(runner: SoakRunner, lab: Lab): Promise<number> {
  return (await runner.call('DELETE', `/api/sessions/${lab.sessionId}`)).status;
}

/** A terminal on the lab, at a prompt. */
export async function openTerminal(runner: SoakRunner, lab: Lab): Promise<TerminalClient> {
  const t = new TerminalClient({ url: runner.url, sessionId: lab.sessionId, token: lab.token });
  await t.opened;
  t.input('\r');
  await t.waitFor(PROMPT, PROMPT_TIMEOUT_MS);
  return t;
}

/** Stops the lab's fault workload (a relay burning a CPU): labs that only stand by for a storm should not load the host. */
export async function quietFault(t: TerminalClient): Promise<void> {
  await run(t, 'relayctl stop >/dev/null 2>&1; pkill relayd; echo "quiet=$((1+2))"', /quiet=3/);
}

/** Runs a command and waits for a line it prints. */
export async function run(t: TerminalClient, command: string, expect: RegExp, timeoutMs = PROMPT_TIMEOUT_MS): Promise<string> {
  const since = { text: '' };
  const done = t.waitFor(expect, timeoutMs, since);
  t.input(`${command}\r`);
  return done;
}

/** Containers labelled with this runner name, running or not. */
export async function ownedContainers(runnerName: string): Promise<string[]> {
  const list = await hostDocker.listContainers({ all: true, filters: { label: [`${LABEL_RUNNER}=${runnerName}`] } });
  return list.map((c) => c.Id);
}

/** Removes what the soak's runner left (after counting it as leaked). */
export async function removeContainers(ids: string[]): Promise<void> {
  await Promise.all(ids.map((id) => hostDocker.getContainer(id).remove({ force: true }).catch(() => {})));
}

// Docker Engine: reachable, and which version. The runner's own preflight
// (util/docker-client.ts) answers; it has its own ping time limit.
import type { DockerPreflight } from '../util/docker-client.ts';
import { START_DOCKER_HINT } from '../util/docker-client.ts';
import type { CheckOutcome } from './check.ts';

export function decideDocker(pre: DockerPreflight): CheckOutcome {
  if (pre.ok) return { status: 'ok', detail: `Docker Engine ${pre.version} answers`, why: null, fix: null, facts: { version: pre.version } };
  // The preflight's message ends with the hint; the report keeps the two apart.
  const why = pre.message.replace(START_DOCKER_HINT, '').trim();
  return { status: 'missing', detail: 'Docker Engine does not answer', why, fix: START_DOCKER_HINT, facts: { version: null } };
}

export async function checkDockerEngine(preflight: () => Promise<DockerPreflight>): Promise<CheckOutcome> {
  return decideDocker(await preflight());
}

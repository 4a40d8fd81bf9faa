// Is the runner's Docker Engine the manager of a workshop pool? A swarm alone is
// not enough (a laptop may have run `docker swarm init` for something else): a
// pool is a swarm whose nodes an instructor has labelled with their engine's
// address (kdlabs.engine, docs/scale-out.md). Then `labs serve` uses it without
// --swarm; --no-swarm keeps the labs on this machine.
import type Docker from 'dockerode';
import { ENGINE_LABEL } from './node-engines.ts';
import { within } from './within.ts';

/** A manager that takes longer than this to say is not waited on: the runner starts on its own engine. */
const DETECT_TIMEOUT_MS = 5_000;

export interface SwarmFacts {
  /** `docker info`'s Swarm.ControlAvailable: this engine manages a swarm. */
  manager: boolean;
  /** Each node's labels, when it is a manager. */
  nodeLabels: ReadonlyArray<Readonly<Record<string, string>>>;
}

/** The pool's labelled node count, or 0 when this is not a workshop pool's manager. */
export function labelledPoolNodes(f: SwarmFacts): number {
  return f.manager ? f.nodeLabels.filter((l) => (l[ENGINE_LABEL] ?? '') !== '').length : 0;
}

/** Asks the engine; any failure (Docker down, not a manager) reads as "no pool". */
export async function detectSwarmPool(docker: Docker): Promise<number> {
  try {
    const info = await within(docker.info() as Promise<{ Swarm?: { ControlAvailable?: boolean } }>, DETECT_TIMEOUT_MS);
    if (info.Swarm?.ControlAvailable !== true) return 0;
    const nodes = await within(docker.listNodes() as Promise<Array<{ Spec?: { Labels?: Record<string, string> } }>>, DETECT_TIMEOUT_MS);
    return labelledPoolNodes({ manager: true, nodeLabels: nodes.map((n) => n.Spec?.Labels ?? {}) });
  } catch {
    return 0;
  }
}

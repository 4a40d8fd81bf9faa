// The machines a workshop's container labs run on (GET /api/pool, owner only):
// one machine, or the nodes of a Docker Swarm pool (docs/scale-out.md), each with
// whether it takes labs, why not, and how full this runner's labs make it.

export interface PoolNodeStatus {
  /** The node's hostname. */
  name: string;
  /** Swarm's view: `ready`, `down`, `unknown`. */
  state: string;
  /** `active`, `drain` or `pause`. */
  availability: string;
  /** Is the node a manager of the swarm? */
  manager: boolean;
  /** Does the runner place labs here (ready, active, its engine answers, no bridge network)? */
  takesLabs: boolean;
  /** Why it takes none; null when it does. */
  why: string | null;
  /** This runner's labs running on it now. */
  labs: number;
  /** Memory the node offers to the scheduler, and what this runner's labs reserve of it (bytes). */
  memoryBytes: number | null;
  reservedBytes: number;
  cpus: number | null;
}

export type PoolStatusResponse =
  | { mode: 'single' }
  | { mode: 'swarm'; nodes: PoolNodeStatus[] }
  | { mode: 'swarm'; nodes: null; error: string };

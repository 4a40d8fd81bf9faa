// GET /api/pool: the machines the container labs run on (the host page's
// "Workshop pool"). Owner only: it names the pool's machines and how full each is.
import type { PoolStatusResponse } from '../../common/pool-status.ts';
import type { LabBackend } from '../backends/lab-backend.ts';
import { sendJson } from './http-util.ts';
import { requireOwnerIdentity, type LearnerAuthenticator } from './identity.ts';
import type { Route } from './api.ts';

export function poolRoutes(ctx: { ownerToken: string; learners?: LearnerAuthenticator; containers: LabBackend }): Route[] {
  return [
    ['GET', /^\/api\/pool$/, async (req, res, url) => {
      requireOwnerIdentity(req, url, ctx.ownerToken, ctx.learners);
      const pool = ctx.containers.pool;
      if (!pool) { sendJson(res, 200, { mode: 'single' } satisfies PoolStatusResponse); return; }
      const nodes = await pool.call(ctx.containers);
      // The swarm manager not answering is a state of the pool to show, not a failed request.
      sendJson(res, 200, (nodes.ok ? { mode: 'swarm', nodes: nodes.value } : { mode: 'swarm', nodes: null, error: nodes.error.message }) satisfies PoolStatusResponse);
    }],
  ];
}

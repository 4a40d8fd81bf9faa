// /api/bootstrap: how the runner's own site learns its mode, and on a
// single-user runner, the owner token. The token lets whoever holds it open a
// root shell, so it goes only to a page served by this runner to a browser on
// this machine:
//  - the runner listens on loopback only (beyond it, anyone could send the
//    headers below: a Host or Origin header is the client's word, not proof),
//  - the connection comes from loopback, and not relayed by a reverse proxy
//    (which says so with Forwarded or X-Forwarded-For),
//  - the request carries an allowed Origin and `Sec-Fetch-Site: same-origin`,
//    which browsers set themselves and pages cannot change (curl sends
//    neither: the CLI reads .data/owner-token instead),
//  - no workshop is running or scheduled, and the runner is not in workshop mode.
// Browsers send Origin on a same-origin POST but not on a same-origin GET, so the site asks with POST.
import type { IncomingMessage } from 'node:http';
import type { BootstrapResponse } from '../../common/api-client.ts';
import { isLoopbackAddress } from './client-address.ts';
import { HttpError } from './http-util.ts';
import type { AccessPolicy } from './security.ts';

export interface BootstrapContext {
  ownerToken: string;
  policy: AccessPolicy;
  /** The runner's listen address is loopback only (checked once, at start). */
  listensOnLoopback: boolean;
  /** Workshop mode, or a workshop open or scheduled: learners may use this site. */
  learnersMayBeHere: () => boolean;
}

/** Headers a reverse proxy adds: such a request comes from wherever the proxy took it, not from this machine. */
const PROXY_HEADERS = ['forwarded', 'x-forwarded-for', 'x-real-ip'];

const TOKEN_FILE_HINT = 'paste the token from .data/owner-token, or use the `labs` CLI, which reads it there';

export function bootstrapReply(req: IncomingMessage, ctx: BootstrapContext): BootstrapResponse {
  const site = req.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') throw new HttpError('forbidden-origin', `a ${site} request: the bootstrap is for this runner's own pages`);
  if (ctx.learnersMayBeHere()) return { mode: 'workshop' };
  const why = withheldBecause(req, ctx, site);
  return why === null ? { mode: 'self-paced', ownerToken: ctx.ownerToken } : { mode: 'self-paced', withheld: `${why}; ${TOKEN_FILE_HINT}` };
}

/** Why this request does not get the owner token, or null when it does. */
function withheldBecause(req: IncomingMessage, ctx: BootstrapContext, site: string | string[] | undefined): string | null {
  if (!ctx.listensOnLoopback) return 'the runner listens beyond this machine (--host), so it hands its owner token to no page';
  if (!isLoopbackAddress(req.socket.remoteAddress)) return 'the request does not come from this machine';
  const relayed = PROXY_HEADERS.find((h) => req.headers[h] !== undefined);
  if (relayed) return `the request came through a proxy (it carries ${relayed}), so not from this machine`;
  const origin = req.headers.origin;
  if (origin === undefined) return 'the request has no Origin header: only this runner\'s own pages get the owner token';
  if (!ctx.policy.allowedOrigins.has(origin)) return `Origin "${origin}" is not allowed`;
  if (site !== 'same-origin') return `the request is not same-origin (Sec-Fetch-Site: ${typeof site === 'string' ? site : 'missing'}): only this runner's own pages get the owner token`;
  return null;
}

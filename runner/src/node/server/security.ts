// Who may talk to the runner. A web page open in the learner's browser must not
// be able to open a root shell in a lab, so:
//  - Host must name this runner (defeats DNS rebinding),
//  - a browser's Origin must be allowed (defeats cross-site requests),
//  - every state-changing request and every terminal carries a token.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IncomingMessage } from 'node:http';
import { isToken } from '../../common/ids.ts';
import { ensurePrivateDir, ensurePrivateFile } from '../util/private-files.ts';

export interface AccessPolicy {
  allowedHosts: Set<string>;
  allowedOrigins: Set<string>;
}

export function buildAccessPolicy(host: string, port: number, extraOrigins: string[]): AccessPolicy {
  const names = new Set(['127.0.0.1', 'localhost', '[::1]', host.includes(':') ? `[${host}]` : host]);
  const allowedHosts = new Set<string>();
  const allowedOrigins = new Set<string>(extraOrigins.map((o) => o.replace(/\/$/, '')));
  for (const n of names) {
    allowedHosts.add(`${n}:${port}`);
    allowedOrigins.add(`http://${n}:${port}`);
  }
  return { allowedHosts, allowedOrigins };
}

export type AccessVerdict = { ok: true } | { ok: false; code: 'forbidden-origin'; message: string };

/** Checks Host and Origin. Requests without Origin (CLI, curl) pass here and still need a token. */
export function checkOrigin(req: IncomingMessage, policy: AccessPolicy): AccessVerdict {
  const host = req.headers.host ?? '';
  if (!policy.allowedHosts.has(host)) {
    return { ok: false, code: 'forbidden-origin', message: `Host "${host}" is not this runner (expected one of ${[...policy.allowedHosts].join(', ')})` };
  }
  const origin = req.headers.origin;
  if (origin !== undefined && !policy.allowedOrigins.has(origin)) {
    return { ok: false, code: 'forbidden-origin', message: `Origin "${origin}" is not allowed; start the runner with --allow-origin ${origin} to allow it` };
  }
  return { ok: true };
}

/** The bearer token of a request: `Authorization: Bearer <t>`, or `?token=` for WebSockets. */
export function requestToken(req: IncomingMessage, url: URL): string | null {
  const auth = req.headers.authorization;
  const fromHeader = auth?.startsWith('Bearer ') ? auth.slice(7).trim() : null;
  const token = fromHeader ?? url.searchParams.get('token');
  return isToken(token) ? token : null;
}

export function sameToken(a: string | null, b: string): boolean {
  if (a === null) return false;
  const x = Buffer.from(a), y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The owner token: the local user's key to create sessions and see them all.
 * Kept in the data directory, readable by the owner only; the CLI reads it there.
 */
export function loadOrCreateOwnerToken(dataDir: string): string {
  ensurePrivateDir(dataDir);
  const file = join(dataDir, 'owner-token');
  const old = existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
  // Made 0600 before the token is written into it; an older, looser file is tightened.
  ensurePrivateFile(file);
  if (isToken(old)) return old;
  const t = newToken();
  writeFileSync(file, `${t}\n`);
  return t;
}

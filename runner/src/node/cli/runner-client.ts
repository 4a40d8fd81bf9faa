// The CLI's view of a running runner: finds it (runner.json), talks HTTP with the owner token.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ApiError, SessionView } from '../../common/protocol.ts';
import { DEFAULT_DATA_DIR } from '../util/paths.ts';
import { DEFAULT_PORT } from '../runner.ts';

export class RunnerUnreachable extends Error {}
export class ApiFailure extends Error {
  constructor(readonly status: number, readonly code: string, message: string) { super(message); }
}

export interface RunnerClient { url: string; token: string }

export function findRunner(urlFlag: string | undefined, dataDir = DEFAULT_DATA_DIR): RunnerClient {
  const tokenFile = join(dataDir, 'owner-token');
  let url = urlFlag ?? process.env.KDLABS_URL;
  const info = join(dataDir, 'runner.json');
  if (!url && existsSync(info)) url = (JSON.parse(readFileSync(info, 'utf8')) as { url: string }).url;
  url ??= `http://127.0.0.1:${DEFAULT_PORT}`;
  if (!existsSync(tokenFile)) throw new RunnerUnreachable(`no runner owner token at ${tokenFile}: start the runner first with \`npm start\` (or \`labs serve\`)`);
  return { url, token: readFileSync(tokenFile, 'utf8').trim() };
}

export async function api<T>(c: RunnerClient, method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${c.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${c.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
  } catch (e) {
    throw new RunnerUnreachable(`the runner at ${c.url} does not answer (${(e as Error).cause ?? (e as Error).message}); start it with \`npm start\``);
  }
  const json = (await res.json()) as T | ApiError;
  if (!res.ok) {
    const err = (json as ApiError).error;
    throw new ApiFailure(res.status, err?.code ?? 'unknown', err?.message ?? `HTTP ${res.status}`);
  }
  return json as T;
}

/** A non-JSON response (CSV export) as text; errors still come back as ApiFailure. */
export async function apiText(c: RunnerClient, path: string): Promise<string> {
  let res: Response;
  try {
    res = await fetch(`${c.url}${path}`, { headers: { authorization: `Bearer ${c.token}` } });
  } catch (e) {
    throw new RunnerUnreachable(`the runner at ${c.url} does not answer (${(e as Error).cause ?? (e as Error).message}); start it with \`npm start\``);
  }
  const text = await res.text();
  if (!res.ok) {
    let err: ApiError['error'] | undefined;
    try { err = (JSON.parse(text) as ApiError).error; } catch { /* not JSON */ }
    throw new ApiFailure(res.status, err?.code ?? 'unknown', err?.message ?? `HTTP ${res.status}`);
  }
  return text;
}

/** A session named by id, or by lab id when exactly one session runs that lab. */
export async function resolveSession(c: RunnerClient, ref: string | undefined): Promise<SessionView> {
  const { sessions } = await api<{ sessions: SessionView[] }>(c, 'GET', '/api/sessions');
  const live = sessions.filter((s) => s.phase !== 'stopped');
  if (!ref) {
    if (live.length === 1) return live[0]!;
    throw new ApiFailure(400, 'bad-request', live.length ? `several sessions run (${live.map((s) => `${s.id} ${s.labId}`).join(', ')}); name one` : 'no session runs; start one with `labs start <lab>`');
  }
  const byId = sessions.find((s) => s.id === ref);
  if (byId) return byId;
  const byLab = live.filter((s) => s.labId === ref);
  if (byLab.length === 1) return byLab[0]!;
  if (byLab.length > 1) throw new ApiFailure(400, 'bad-request', `${byLab.length} sessions run lab ${ref}: ${byLab.map((s) => s.id).join(', ')}; name one by id`);
  throw new ApiFailure(404, 'not-found', `no session or running lab "${ref}"`);
}

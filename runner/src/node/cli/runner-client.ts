// The CLI's view of a running runner: finds it (runner.json, --url, KDLABS_URL)
// and its owner token, then talks through the shared API client (common/api-client.ts).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ApiClientError, caller, newestFirst, publicApi, sessionApi, workshopApi, type Caller,
} from '../../common/api-client.ts';
import type { SessionView } from '../../common/protocol.ts';
import type { WorkshopInfo } from '../../common/workshop.ts';
import { DEFAULT_DATA_DIR } from '../util/paths.ts';
import { DEFAULT_PORT } from '../runner.ts';
import { UsageError } from './args.ts';

export { ApiClientError } from '../../common/api-client.ts';

export interface RunnerClient {
  url: string;
  token: string;
  call: Caller;
  public: ReturnType<typeof publicApi>;
  sessions: ReturnType<typeof sessionApi>;
  workshops: ReturnType<typeof workshopApi>;
}

export function findRunner(urlFlag: string | undefined, dataDir = DEFAULT_DATA_DIR): RunnerClient {
  const tokenFile = join(dataDir, 'owner-token');
  const url = (urlFlag ?? process.env.KDLABS_URL ?? advertisedUrl(dataDir) ?? `http://127.0.0.1:${DEFAULT_PORT}`).replace(/\/+$/, '');
  if (!existsSync(tokenFile)) {
    throw new ApiClientError('unreachable', `no runner owner token at ${tokenFile}: start the runner first with \`npm start\` (or \`labs serve\`)`, 0);
  }
  const token = readFileSync(tokenFile, 'utf8').trim();
  const call = caller({
    baseUrl: url,
    fetch: (u, init) => fetch(u, init),
    token: () => token,
    unreachable: (detail) => `the runner at ${url} does not answer (${detail}); start it with \`npm start\``,
  });
  return { url, token, call, public: publicApi(call), sessions: sessionApi(call), workshops: workshopApi(call) };
}

/** The URL a running runner wrote into the data dir; a broken file is ignored (the default port is tried). */
function advertisedUrl(dataDir: string): string | undefined {
  const info = join(dataDir, 'runner.json');
  if (!existsSync(info)) return undefined;
  try {
    const url = (JSON.parse(readFileSync(info, 'utf8')) as { url?: unknown }).url;
    return typeof url === 'string' ? url : undefined;
  } catch {
    return undefined;
  }
}

/** A session named by id, or by lab id when exactly one session runs that lab. */
export async function resolveSession(c: RunnerClient, ref: string | undefined): Promise<SessionView> {
  const { sessions } = await c.sessions.list();
  const live = sessions.filter((s) => s.phase !== 'stopped');
  if (!ref) {
    if (live.length === 1) return live[0]!;
    throw new UsageError(live.length ? `several sessions run (${live.map((s) => `${s.id} ${s.labId}`).join(', ')}); name one` : 'no session runs; start one with `labs start <lab>`');
  }
  const byId = sessions.find((s) => s.id === ref);
  if (byId) return byId;
  const byLab = live.filter((s) => s.labId === ref);
  if (byLab.length === 1) return byLab[0]!;
  if (byLab.length > 1) throw new UsageError(`${byLab.length} sessions run lab ${ref}: ${byLab.map((s) => s.id).join(', ')}; name one by id`);
  throw new ApiClientError('not-found', `no session or running lab "${ref}"`, 404);
}

/** A workshop named by id or join code; without a name, the one open workshop. Newest first when listing. */
export async function resolveWorkshop(c: RunnerClient, ref: string | undefined): Promise<WorkshopInfo> {
  const workshops = newestFirst((await c.workshops.list()).workshops);
  if (!ref) {
    const open = workshops.filter((w) => w.state === 'open');
    if (open.length === 1) return open[0]!;
    throw new UsageError(open.length ? `several workshops are open (${open.map((w) => w.id).join(', ')}); name one` : 'name a workshop (id or join code); `labs workshop list` shows them');
  }
  const code = ref.toUpperCase().replace(/[\s-]/g, '');
  const w = workshops.find((x) => x.id === ref || x.joinCode.replace('-', '') === code);
  if (!w) throw new UsageError(`no workshop "${ref}" (known: ${workshops.map((x) => `${x.id} ${x.joinCode}`).join(', ') || 'none'})`);
  return w;
}

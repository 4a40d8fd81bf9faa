// One Docker client for the runner, and the preflight that turns "no Docker"
// into a message naming the command that fixes it.
import Docker from 'dockerode';
import { existsSync } from 'node:fs';

const SOCKET = process.env.DOCKER_SOCKET ?? '/var/run/docker.sock';

/** How long a ping may take before the engine counts as unreachable. */
const PING_TIMEOUT_MS = 5000;

export const START_DOCKER_HINT =
  'Start it with:  dockerd --bridge=none --iptables=false --ip6tables=false >/var/log/dockerd.log 2>&1 &' +
  '   (or `systemctl start docker` where systemd runs; install it with `apt-get install -y docker.io`). ' +
  '`npm start` does all of this for you.';

export function createDocker(): Docker {
  return new Docker({ socketPath: SOCKET });
}

/** The socket a client really uses, not the default: a runner may be given another one (tests use a proxy). */
export function dockerSocketOf(docker: Docker): string {
  return (docker.modem as { socketPath?: string }).socketPath ?? SOCKET;
}

/** Socket-level failures: the engine is not there (or went away mid-request), as opposed to an answer it gave. */
const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED', 'ENOENT', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ECONNABORTED', 'EACCES', 'ABORT_ERR',
]);

/**
 * True when a dockerode error means "could not talk to Docker Engine" rather than
 * "Docker Engine said no": no HTTP status, and a socket error code or message.
 */
export function isDockerUnreachable(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const err = e as { statusCode?: unknown; code?: unknown; name?: unknown; message?: unknown };
  if (typeof err.statusCode === 'number') return false;
  if (typeof err.code === 'string' && CONNECTION_ERROR_CODES.has(err.code)) return true;
  if (err.name === 'AbortError' || err.name === 'TimeoutError') return true;
  return typeof err.message === 'string' && /socket hang up|ECONNREFUSED|ECONNRESET|EPIPE|connect ENOENT|aborted/i.test(err.message);
}

/** The message for an unreachable engine: what failed, and (as `fix`) the command that brings it back. */
export function dockerUnreachable(docker: Docker, e: unknown): { message: string; fix: string } {
  const detail = e instanceof Error ? e.message : String(e);
  return { message: `Docker Engine is unreachable at ${dockerSocketOf(docker)} (${detail})`, fix: START_DOCKER_HINT };
}

export type DockerPreflight = { ok: true; version: string } | { ok: false; message: string };

export async function checkDocker(docker: Docker): Promise<DockerPreflight> {
  const socket = dockerSocketOf(docker);
  if (!existsSync(socket)) {
    return { ok: false, message: `Docker Engine is not running: ${socket} does not exist. ${START_DOCKER_HINT}` };
  }
  try {
    const v = await withTimeout(docker.version(), PING_TIMEOUT_MS);
    return { ok: true, version: v.Version };
  } catch (e) {
    const refused = /ECONNREFUSED|ENOENT/.test((e as Error).message);
    const what = refused ? 'is not running' : 'does not answer';
    return { ok: false, message: `Docker Engine ${what} at ${socket} (${(e as Error).message}). ${START_DOCKER_HINT}` };
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    p.then((v) => { clearTimeout(t); resolve(v); }, (e: unknown) => { clearTimeout(t); reject(e); });
  });
}

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

export type DockerPreflight = { ok: true; version: string } | { ok: false; message: string };

export async function checkDocker(docker: Docker): Promise<DockerPreflight> {
  // The socket this client really uses, not the default: a runner may be given another one.
  const socket = (docker.modem as { socketPath?: string }).socketPath ?? SOCKET;
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

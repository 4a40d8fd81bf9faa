// A Docker Engine outage a test can switch on and off without touching the host's
// dockerd: a unix-socket proxy in front of /var/run/docker.sock. The runner under
// test gets a Dockerode pointed at the proxy (createRunner's `docker` option);
// cut() drops every connection and refuses new ones (the engine looks gone, its
// containers keep running), restore() lets connections through again.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';

export const HOST_DOCKER_SOCKET = process.env.DOCKER_SOCKET ?? '/var/run/docker.sock';

export interface DockerProxy {
  /** The proxy's socket: give it to `new Docker({ socketPath })` or use `docker`. */
  readonly socketPath: string;
  /** A client for the proxy (what the runner under test should use). */
  readonly docker: Docker;
  /** True between cut() and restore(). */
  readonly isCut: boolean;
  /** Connections refused since the proxy started: shows the runner really tried during an outage. */
  readonly refused: number;
  /** Closes every open connection (streams, shells, pending requests) and refuses new ones. */
  cut(): void;
  /** Lets new connections through again. */
  restore(): void;
  /** Stops the proxy and removes its socket folder. Idempotent. */
  close(): Promise<void>;
}

export async function startDockerProxy(target = HOST_DOCKER_SOCKET): Promise<DockerProxy> {
  const dir = mkdtempSync(join(tmpdir(), 'kdlabs-docker-proxy-'));
  const socketPath = join(dir, 'docker.sock');
  const open = new Set<Socket>();
  let isCut = false;
  let refused = 0;

  // Half-open both ways: an exec's stdin ends (the client's FIN) long before its output does.
  const server: Server = createServer({ allowHalfOpen: true }, (client) => {
    if (isCut) {
      // Accept-and-reset rather than unlisten: the socket file stays, like a
      // dockerd that is restarting; clients see ECONNRESET / "socket hang up".
      refused++;
      client.destroy();
      return;
    }
    const upstream = connect({ path: target, allowHalfOpen: true });
    open.add(client);
    open.add(upstream);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => { server.off('error', reject); resolve(); });
  });

  let closing: Promise<void> | null = null;
  return {
    socketPath,
    docker: new Docker({ socketPath }),
    get isCut() { return isCut; },
    get refused() { return refused; },
    cut() {
      isCut = true;
      for (const s of [...open]) s.destroy();
      open.clear();
    },
    restore() { isCut = false; },
    close() {
      closing ??= (async () => {
        isCut = true;
        for (const s of [...open]) s.destroy();
        open.clear();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        rmSync(dir, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}

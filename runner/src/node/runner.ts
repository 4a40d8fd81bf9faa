// The composition root: labs + images + backends + sessions + HTTP/WS server.
// `createRunner` returns an owner that disposes everything (idempotently).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { writeFileSync, rmSync, mkdirSync } from 'node:fs';
import type Dockerode from 'dockerode';
import { loadLabs } from './labs/registry.ts';
import { ImageBuilder } from './images/image-builder.ts';
import { ContainerBackend } from './backends/container.ts';
import type { LabBackend } from './backends/lab-backend.ts';
import { SessionManager } from './sessions/session-manager.ts';
import { createDocker } from './util/docker-client.ts';
import { LABS_DIR, DEFAULT_DATA_DIR, REPO_ROOT } from './util/paths.ts';
import { createApi } from './server/api.ts';
import { createTerminalUpgrade } from './server/terminal-socket.ts';
import { buildAccessPolicy, checkOrigin, loadOrCreateOwnerToken } from './server/security.ts';
import { HttpError, sendError, sendJson } from './server/http-util.ts';
import { createStaticSite } from './server/static-site.ts';

export const DEFAULT_PORT = 7171;

export interface RunnerOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  runnerName?: string;
  labsDir?: string;
  dataDir?: string;
  siteDir?: string;
  allowedOrigins?: string[];
  idleTimeoutMs?: number;
  maxSessions?: number;
  /** Write runner.json (URL, pid) into the data dir so the CLI can find this runner. */
  advertise?: boolean;
  docker?: Dockerode;
  log?: (line: string) => void;
}

export interface Runner {
  url: string;
  port: number;
  ownerToken: string;
  manager: SessionManager;
  images: ImageBuilder;
  backends: Partial<Record<'container' | 'vm', LabBackend>>;
  labProblems: string[];
  close(): Promise<void>;
}

export async function createRunner(opts: RunnerOptions = {}): Promise<Runner> {
  const host = opts.host ?? '127.0.0.1';
  const log = opts.log ?? ((l: string) => console.log(`[runner] ${l}`));
  const dataDir = opts.dataDir ?? DEFAULT_DATA_DIR;
  const runnerName = opts.runnerName ?? 'default';
  const registry = loadLabs(opts.labsDir ?? LABS_DIR);
  for (const p of registry.problems) log(`lab problem: ${p}`);

  const docker = opts.docker ?? createDocker();
  const images = new ImageBuilder(docker);
  const backends = { container: new ContainerBackend(docker, runnerName) };
  const manager = new SessionManager({
    runnerName, labs: registry.labs, backends,
    resolveImage: (lab, onProgress) => images.ensureLabImage(lab, onProgress),
    idleTimeoutMs: opts.idleTimeoutMs, maxSessions: opts.maxSessions, log,
  });
  await manager.init();
  const ownerToken = loadOrCreateOwnerToken(dataDir);

  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? DEFAULT_PORT, host, () => { server.off('error', reject); resolve(); });
  });
  const port = (server.address() as AddressInfo).port;
  const policy = buildAccessPolicy(host, port, opts.allowedOrigins ?? []);
  const api = createApi({
    manager, ownerToken, labProblems: registry.problems,
    backendStatus: async () => {
      const out: Record<string, { ok: boolean; message: string }> = {};
      for (const [k, b] of Object.entries(backends)) {
        const r = await b.preflight();
        out[k] = r.ok ? { ok: true, message: r.value } : { ok: false, message: r.error.message };
      }
      return out;
    },
  });
  const site = createStaticSite(opts.siteDir ?? join(REPO_ROOT, 'docs', '.vitepress', 'dist'));
  const terminals = createTerminalUpgrade(manager, policy, ownerToken);

  server.on('request', (req, res) => {
    const url = new URL(req.url ?? '/', 'http://runner.invalid');
    void (async () => {
      try {
        const access = checkOrigin(req, policy);
        if (!access.ok) throw new HttpError(access.code, access.message);
        if (url.pathname === '/api/bootstrap' && req.method === 'GET') {
          // Same-origin pages read the owner token here; other origins cannot (no CORS),
          // and DNS-rebinding hosts were refused by checkOrigin above.
          if (req.headers['sec-fetch-site'] === 'cross-site') throw new HttpError('forbidden-origin', 'cross-site request');
          return sendJson(res, 200, { ownerToken });
        }
        if (await api(req, res, url)) return;
        if (!site(req, res, url)) throw new HttpError('not-found', `nothing at ${url.pathname}`);
      } catch (e) {
        const err = e instanceof HttpError ? e : new HttpError('internal', `internal error: ${(e as Error).message}`);
        if (err.code === 'internal') log(`error on ${req.method} ${url.pathname}: ${(e as Error).stack}`);
        if (!res.headersSent) sendError(res, err); else res.destroy();
      }
    })();
  });
  server.on('upgrade', (req, socket, head) => terminals.handle(req, socket, head));

  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const infoFile = join(dataDir, 'runner.json');
  if (opts.advertise) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(infoFile, JSON.stringify({ url, pid: process.pid, runnerName }, null, 2));
  }

  let closing: Promise<void> | null = null;
  return {
    url, port, ownerToken, manager, images, backends, labProblems: registry.problems,
    close: () => {
      closing ??= (async () => {
        terminals.close();
        await new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); });
        await manager.shutdown();
        if (opts.advertise) rmSync(infoFile, { force: true });
      })();
      return closing;
    },
  };
}

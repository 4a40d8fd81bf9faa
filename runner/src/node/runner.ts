// The composition root: labs + images + backends + sessions + HTTP/WS server.
// `createRunner` returns an owner that disposes everything (idempotently).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { writeFileSync, rmSync } from 'node:fs';
import type Dockerode from 'dockerode';
import { loadLabs } from './labs/registry.ts';
import { ImageBuilder } from './images/image-builder.ts';
import { ContainerBackend } from './backends/container.ts';
import { QemuBackend } from './backends/qemu/index.ts';
import { VmImageBuilder } from './images/vm-image-builder.ts';
import { BuildBoard } from './images/build-board.ts';
import { ImageWarmer } from './images/image-warmer.ts';
import { SwarmBackend, type TlsClientFiles } from './backends/swarm/index.ts';
import { warmResolver } from './images/warm-resolver.ts';
import { imageRoutes } from './server/images-api.ts';
import { poolRoutes } from './server/pool-api.ts';
import type { LabBackend } from './backends/lab-backend.ts';
import { SessionManager } from './sessions/session-manager.ts';
import { createDocker } from './util/docker-client.ts';
import { LABS_DIR, DEFAULT_DATA_DIR, REPO_ROOT } from './util/paths.ts';
import { createApi } from './server/api.ts';
import { createTerminalUpgrade } from './server/terminal-socket.ts';
import { buildAccessPolicy, checkOrigin, loadOrCreateOwnerToken } from './server/security.ts';
import { HttpError, sendJson } from './server/http-util.ts';
import { serveHttp } from './server/http-dispatch.ts';
import { setUnexpectedErrorListener, type UnexpectedErrorListener } from './util/unexpected-error.ts';
import { createStaticSite } from './server/static-site.ts';
import { openProgressDb, progressDbPath } from './progress/database.ts';
import { ProgressStore } from './progress/progress-store.ts';
import { ProgressFeed } from './progress/progress-feed.ts';
import { ProgressRecorder } from './progress/progress-recorder.ts';
import { WorkshopService } from './workshops/workshop-service.ts';
import { WorkshopClock } from './workshops/workshop-clock.ts';
import { loadOrCreateSecret, paramChooser } from './workshops/param-picker.ts';
import { workshopRoutes } from './server/workshop-api.ts';
import { quizRoutes } from './server/quiz-api.ts';
import { loadQuizzes } from './quizzes/load-quizzes.ts';
import { gradeQuizList } from './progress/progress-views.ts';
import { metricsRoutes, RunnerMetrics } from './server/metrics.ts';
import { coalescedDoctor, doctorRoutes } from './server/doctor-api.ts';
import { diagnoseHost } from './doctor/node-deps.ts';
import { ensurePrivateDir } from './util/private-files.ts';
import { bootstrapReply } from './server/bootstrap.ts';
import { isLoopbackHost } from './server/client-address.ts';
import { cachedBackendStatus, type BackendStatus } from './server/backend-status.ts';

export const DEFAULT_PORT = 7171;

export interface RunnerOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  runnerName?: string;
  labsDir?: string;
  /** Quiz files (docs/quizzes by default). */
  quizzesDir?: string;
  dataDir?: string;
  siteDir?: string;
  allowedOrigins?: string[];
  idleTimeoutMs?: number;
  /** How long before an idle stop terminals are warned. */
  idleWarningMs?: number;
  /** How often idle and vanished labs are looked for (tests shorten it). */
  sweepIntervalMs?: number;
  /** How often lab environments no session owns are removed (tests shorten it). */
  reapIntervalMs?: number;
  /** How often workshop end times are enforced (tests shorten it). */
  workshopTickMs?: number;
  /**
   * Workshop mode: /api/bootstrap never hands the owner token to a browser, so
   * learners on the same site cannot become the instructor. (It is also withheld
   * while any workshop is open or scheduled, and always when `host` is not loopback.)
   */
  workshopMode?: boolean;
  /** Workshops may offer labs that make each learner root on this host (host-root.ts); off unless the instructor says so. */
  allowHostRootLabs?: boolean;
  maxSessions?: number;
  /** Build the container labs' images in the background once listening (`labs serve`); otherwise each is built at its first start. */
  warmImages?: boolean;
  /** Write runner.json (URL, pid) into the data dir so the CLI can find this runner. */
  advertise?: boolean;
  docker?: Dockerode;
  /**
   * Container labs run on a Docker Swarm whose manager is `manager` (default: the runner's own
   * engine): each session a service of one task on the node Swarm picks (backends/swarm/).
   */
  swarm?: { manager?: Dockerode; tls: TlsClientFiles | null };
  log?: (line: string) => void;
}

export interface Runner {
  url: string;
  port: number;
  ownerToken: string;
  manager: SessionManager;
  images: ImageBuilder;
  vmImages: VmImageBuilder;
  /** Each lab's image state, as builds report it (GET /api/images). */
  imageBoard: BuildBoard;
  backends: Partial<Record<'container' | 'vm', LabBackend>>;
  labProblems: string[];
  progress: ProgressStore;
  workshops: WorkshopService;
  close(): Promise<void>;
}

export async function createRunner(opts: RunnerOptions = {}): Promise<Runner> {
  const host = opts.host ?? '127.0.0.1';
  const log = opts.log ?? ((l: string) => console.log(`[runner] ${l}`));
  // Failures of background work (fireAndForget) go to this runner's log, with where they came from.
  const errorSink: UnexpectedErrorListener = (e, context) => log(`unexpected error in ${context}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  const previousErrorSink = setUnexpectedErrorListener(errorSink);
  const dataDir = opts.dataDir ?? DEFAULT_DATA_DIR;
  // Owner token, secret, progress: the data folder is the owner's alone (0700, tightened if looser).
  ensurePrivateDir(dataDir);
  const runnerName = opts.runnerName ?? 'default';
  const registry = loadLabs(opts.labsDir ?? LABS_DIR);
  for (const p of registry.problems) log(`lab problem: ${p}`);
  const quizRegistry = loadQuizzes(opts.quizzesDir);
  for (const p of quizRegistry.problems) log(`quiz problem: ${p}`);

  const docker = opts.docker ?? createDocker();
  const images = new ImageBuilder(docker);
  const vmImages = new VmImageBuilder();
  const imageBoard = new BuildBoard();
  const warmer = new ImageWarmer((lab, p) => images.ensureLabImage(lab, p), imageBoard);
  // Hashing the VM recipe takes ~0.4 s: look once, then trust the board (a VM lab's first start builds the image).
  let vmReady: boolean | null = null;
  imageBoard.onChange((s) => { if (s.state === 'ready' && registry.labs.get(s.labId)?.backend === 'vm') vmReady = true; });
  const vmImageReady = (): boolean => (vmReady ??= vmImages.vmImageIfPresent() !== null);
  const container = opts.swarm
    ? new SwarmBackend(opts.swarm.manager ?? docker, { runnerName, imageSource: docker, tls: opts.swarm.tls, log })
    : new ContainerBackend(docker, runnerName);
  const backends = { container, vm: new QemuBackend({ runnerName, dataDir, log, saveStates: true }) };
  // Progress: one SQLite file; sessions a killed runner left open are closed first.
  const db = openProgressDb(progressDbPath(dataDir));
  const progress = new ProgressStore(db);
  const dangling = progress.closeDanglingSessions('runner-restart', runnerName);
  if (dangling) log(`progress: closed ${dangling} lab session(s) an earlier runner "${runnerName}" left open`);
  const feed = new ProgressFeed();
  const recorder = new ProgressRecorder(progress, feed, runnerName);
  const workshops = new WorkshopService(progress, feed, registry.labs, Date.now, opts.allowHostRootLabs === true);
  const secret = loadOrCreateSecret(dataDir);
  const manager = new SessionManager({
    runnerName, labs: registry.labs, backends,
    resolveImage: warmResolver(warmer, imageBoard, vmImages),
    idleTimeoutMs: opts.idleTimeoutMs, idleWarningMs: opts.idleWarningMs, sweepIntervalMs: opts.sweepIntervalMs, reapIntervalMs: opts.reapIntervalMs,
    maxSessions: opts.maxSessions, log,
    observer: recorder,
    paramsFor: paramChooser(secret, (id) => workshops.seed(id)),
    remoteBackends: opts.swarm ? new Set(['container'] as const) : undefined,
  });
  // Start-up can still fail (Docker listing, a taken port): give back what was opened so far.
  const abandon = async (e: unknown): Promise<never> => {
    await manager.shutdown().catch((err: unknown) => log(`shutdown after a failed start: ${(err as Error).message}`));
    recorder.close();
    db.close();
    setUnexpectedErrorListener(previousErrorSink);
    throw e;
  };
  await manager.init().catch(abandon);
  const clock = new WorkshopClock(progress, manager, opts.workshopTickMs, Date.now, log);
  const ownerToken = loadOrCreateOwnerToken(dataDir);
  const metrics = new RunnerMetrics();

  const server: Server = createServer();
  const wantedPort = opts.port ?? DEFAULT_PORT;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(wantedPort, host, () => { server.off('error', reject); resolve(); });
  }).catch((e: unknown) => {
    clock.close();
    metrics.close();
    const taken = (e as NodeJS.ErrnoException).code === 'EADDRINUSE';
    return abandon(taken ? new Error(`port ${wantedPort} on ${host} is already in use (another runner, or another program): start with --port <a free port>, or --port 0 for any free one`) : e);
  });
  const port = (server.address() as AddressInfo).port;
  const policy = buildAccessPolicy(host, port, opts.allowedOrigins ?? []);
  const api = createApi({
    manager, ownerToken, labProblems: registry.problems,
    learners: {
      authenticate: (t) => workshops.authenticate(t),
      admitStart: (learner, labId) => {
        const r = workshops.admitStart(learner, labId);
        if (!r.ok) throw new HttpError(r.error.code, r.error.words ?? r.error.message);
      },
    },
    extraRoutes: [
      ...workshopRoutes({ manager, ownerToken, store: progress, feed, recorder, workshops, clock, quizzes: gradeQuizList(quizRegistry.quizzes) }),
      ...quizRoutes({ quizzes: quizRegistry.quizzes, ownerToken, store: progress, feed, workshops }),
      ...metricsRoutes({ ownerToken, manager, metrics }),
      ...imageRoutes({ labs: registry.labs, board: imageBoard, vmImageReady }),
      ...poolRoutes({ ownerToken, learners: (t) => workshops.authenticate(t), containers: container }),
      ...doctorRoutes({
        ownerToken, learners: (t) => workshops.authenticate(t),
        doctor: coalescedDoctor(() => diagnoseHost({ labs: [...registry.labs.values()], docker, dataDir })),
      }),
    ],
    backendStatus: cachedBackendStatus(async () => {
      const out: BackendStatus = {};
      for (const [k, b] of Object.entries(backends)) {
        const r = await b.preflight();
        out[k] = r.ok ? { ok: true, message: r.value } : { ok: false, message: r.error.message };
      }
      return out;
    }),
  });
  const site = createStaticSite(opts.siteDir ?? join(REPO_ROOT, 'docs', '.vitepress', 'dist'));
  const terminals = createTerminalUpgrade(manager, policy, ownerToken);
  const bootstrap = {
    ownerToken, policy, listensOnLoopback: isLoopbackHost(host),
    learnersMayBeHere: () => opts.workshopMode === true || workshops.anyActive(),
  };

  serveHttp(server, {
    route: async (req, res, url) => {
      const access = checkOrigin(req, policy);
      if (!access.ok) throw new HttpError(access.code, access.message);
      // GET for curl and older pages; the site POSTs, so that the browser sends its Origin.
      if (url.pathname === '/api/bootstrap' && (req.method === 'GET' || req.method === 'POST')) {
        return sendJson(res, 200, bootstrapReply(req, bootstrap));
      }
      if (await api(req, res, url)) return;
      if (!site(req, res, url)) throw new HttpError('not-found', `nothing at ${url.pathname}`);
    },
    upgrade: (req, socket, head) => terminals.handle(req, socket, head),
    selfHost: (req) => (req.headers.host !== undefined && policy.allowedHosts.has(req.headers.host) ? req.headers.host : null),
    log,
  });

  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const infoFile = join(dataDir, 'runner.json');
  if (opts.advertise) {
    writeFileSync(infoFile, JSON.stringify({ url, pid: process.pid, runnerName }, null, 2));
  }

  // The site and the API answer now; the container labs' images follow in the background, roadmap order.
  if (opts.warmImages) warmer.warm([...registry.labs.values()].sort((a, b) => a.order - b.order));

  let closing: Promise<void> | null = null;
  return {
    url, port, ownerToken, manager, images, vmImages, imageBoard, backends, labProblems: registry.problems, progress, workshops,
    close: () => {
      closing ??= (async () => {
        clock.close();
        warmer.stop();
        terminals.close();
        metrics.close();
        await new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); });
        await manager.shutdown();
        await backends.vm.stopSaves();
        recorder.close();
        db.close();
        if (opts.advertise) rmSync(infoFile, { force: true });
        // Give the sink back, unless a runner started after this one has taken it since.
        const current = setUnexpectedErrorListener(previousErrorSink);
        if (current !== errorSink) setUnexpectedErrorListener(current);
      })();
      return closing;
    },
  };
}

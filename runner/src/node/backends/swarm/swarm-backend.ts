// Container labs scheduled by Docker Swarm: each session is a service of one
// task (service-spec.ts), Swarm picks the node, and the terminal and the checks
// reach the task's container through that node's own engine (node-engines.ts),
// with the container backend's own shell, exec and clean-up code. Images are
// built once on the runner's engine and copied to the nodes (node-images.ts).
// A task that ends is read for why (task-state.ts): a drained or lost machine
// is told to the learner as such.
import type Docker from 'dockerode';
import { existsSync } from 'node:fs';
import type { ResolvedLab } from '../../../common/lab-schema.ts';
import type { Words } from '../../../common/langs.ts';
import { isDockerUnreachable } from '../../util/docker-client.ts';
import { CHECK_TOOLS_DIR, ContainerBackend, HOST_MOUNTS, LABEL_RUNNER, LABEL_SESSION, checkToolsVolume } from '../container.ts';
import type {
  BackendError, ExecOptions, ExecResult, LabBackend, LabHandle, Result, ShellOptions, ShellStream, StartOptions, TermSize,
} from '../lab-backend.ts';
import type { PoolNodeStatus } from '../../../common/pool-status.ts';
import { ENGINE_LABEL, NodeEngines, type TlsClientFiles } from './node-engines.ts';
import { NodeImages } from './node-images.ts';
import { hasPrivilegesApi, labServiceSpec, placementFor, type NodeFacts } from './service-spec.ts';
import { newestTask, readTask, type NodeInfo, type TaskInfo } from './task-state.ts';
import { within } from './within.ts';

/** How often a starting lab's task is looked at: Swarm places and starts one in about half a second. */
const PLACE_POLL_MS = 250;
/** A task Swarm cannot place (no node has the lab's memory free) is given up after this: the pool is full. */
const UNPLACED_MS = 15_000;
/** Placing plus starting a container; pulling is never needed (the image is on every node first). */
const START_LIMIT_MS = 120_000;
/** A removed service's container goes within seconds; its check-tools volume can only go after it. */
const VOLUME_AFTER_MS = 30_000;
/** A manager or node that takes longer to answer is reported unreachable rather than waited on. */
const PROBE_TIMEOUT_MS = 10_000;

export interface SwarmHandle extends LabHandle {
  readonly backend: 'container';
  readonly service: string;
  readonly node: string;
  /** The node's engine endpoint (its kdlabs.engine label) when the task was placed. */
  readonly engine: string;
}

interface UsableNode { info: NodeInfo; label: string; name: string; docker: Docker; apparmor: boolean }

export interface SwarmBackendOptions {
  runnerName: string;
  /** The runner's own engine, where images are built; they are copied from it to the nodes. */
  imageSource: Docker;
  /** The runner's client certificate for the nodes' TLS endpoints; null where every node is reached by unix socket. */
  tls: TlsClientFiles | null;
  log?: (line: string) => void;
}

export class SwarmBackend implements LabBackend {
  readonly kind = 'container' as const;
  private readonly engines: NodeEngines;
  private readonly images: NodeImages;
  private readonly onNode = new Map<string, ContainerBackend>();
  private readonly goneWhy = new Map<string, Words>();
  private memlock = true;
  private apiVersion: string | null = null;

  constructor(private readonly manager: Docker, private readonly o: SwarmBackendOptions) {
    this.engines = new NodeEngines(o.tls);
    this.images = new NodeImages(o.imageSource);
  }

  /** Which nodes take labs, and why any other does not (the runner prints it as it starts). */
  async preflight(): Promise<Result<string, BackendError>> {
    const nodes = await this.nodeSurvey();
    if (!nodes.ok) return nodes;
    const { usable, why } = nodes.value;
    if (!usable.length) return this.noNodes(why);
    return { ok: true, value: `Docker Swarm: ${usable.length} node(s) for labs (${usable.map((n) => n.name).join(', ')})${why.length ? `; not used: ${why.join('; ')}` : ''}` };
  }

  async start(lab: ResolvedLab, opts: StartOptions): Promise<Result<LabHandle, BackendError>> {
    const nodes = await this.usableNodes();
    if (!nodes.ok) return nodes;
    const privilegesApi = await this.privilegesApi();
    const placement = placementFor(lab, nodes.value.map((n): NodeFacts => ({ id: n.info.ID, hostname: n.name, apparmor: n.apparmor, labels: n.info.Spec?.Labels ?? {} })), privilegesApi);
    if (!placement.ok) return { ok: false, error: { code: 'start-failed', message: placement.message } };
    try {
      await Promise.all(nodes.value.map((n) => this.images.ensure({ key: n.label, name: n.name, docker: n.docker }, opts.image, (l) => opts.onProgress?.(l))));
    } catch (e) {
      return this.failed(e, `the lab's image could not reach every node: ${(e as Error).message}`);
    }
    // Nodes the runner cannot reach get no lab: it could not open a terminal there.
    const reachable = new Set(nodes.value.map((n) => n.info.ID));
    const all = await this.listNodes();
    if (!all.ok) return all;
    const elsewhere = all.value.filter((n) => !reachable.has(n.ID)).map((n) => `node.id!=${n.ID}`);
    opts.onProgress?.({ en: 'asking the swarm for a node', ko: '스웜에 노드를 요청하는 중' });
    return this.place(lab, opts, [...placement.constraints, ...elsewhere], nodes.value, privilegesApi);
  }

  /** Does the manager speak an API where a service may turn AppArmor off? Asked once. */
  private async privilegesApi(): Promise<boolean> {
    this.apiVersion ??= await (this.manager.version() as Promise<{ ApiVersion?: string }>).then((v) => v.ApiVersion ?? '1.41', () => '1.41');
    return hasPrivilegesApi(this.apiVersion);
  }

  private async place(lab: ResolvedLab, opts: StartOptions, constraints: string[], nodes: UsableNode[], privilegesApi: boolean): Promise<Result<LabHandle, BackendError>> {
    const triedMemlock = this.memlock;
    let serviceId: string;
    try {
      const spec = labServiceSpec({
        lab, sessionId: opts.sessionId, image: opts.image, runnerName: this.o.runnerName, constraints, memlock: triedMemlock, privilegesApi,
        hostMounts: HOST_MOUNTS.filter((m) => existsSync(m.when)), checkToolsVolume: checkToolsVolume(opts.sessionId), checkToolsDir: CHECK_TOOLS_DIR,
      });
      serviceId = ((await this.manager.createService(spec as unknown as Docker.CreateServiceOptions)) as { id: string }).id;
    } catch (e) {
      return this.failed(e, `the swarm refused lab ${lab.id}'s service: ${(e as Error).message}`);
    }
    const end = Date.now() + START_LIMIT_MS;
    let unplacedSince: number | null = null;
    for (;;) {
      const reading = await this.reading(serviceId);
      if (!reading.ok) { await this.removeService(serviceId); return reading; }
      const r = reading.value.task;
      if (r.kind === 'running') {
        const node = nodes.find((n) => n.info.ID === r.nodeId);
        if (!node) { await this.removeService(serviceId); return fail('start-failed', `the swarm placed lab ${lab.id} on node ${r.nodeId.slice(0, 12)}, which the runner cannot reach`); }
        const handle: SwarmHandle = { backend: 'container', sessionId: opts.sessionId, labId: lab.id, ref: r.containerId, service: serviceId, node: r.nodeId, engine: node.label };
        const contained = await this.checkContainment(node, r.containerId);
        if (contained) { await this.stop(handle); return fail('start-failed', contained); }
        this.o.log?.(`swarm: session ${opts.sessionId} (${lab.id}) runs on ${node.name}`);
        return { ok: true, value: handle };
      }
      if (r.kind === 'refused' || r.kind === 'ended') {
        await this.removeService(serviceId);
        // The failed task's container and check-tools volume stay on its node; a retry may land on another.
        await this.clearSession(opts.sessionId, nodes);
        const why = r.kind === 'refused' ? r.why : r.why.en;
        // An engine without CAP_SYS_RESOURCE cannot grant an unlimited memlock: once refused, never asked again.
        if (triedMemlock && /rlimit/i.test(why)) { this.memlock = false; return this.place(lab, opts, constraints, nodes, privilegesApi); }
        return fail('start-failed', `lab ${lab.id} did not start on the swarm: ${why}`);
      }
      if (/insufficient resources|no suitable node/i.test(r.why)) {
        unplacedSince ??= Date.now();
        if (Date.now() - unplacedSince > UNPLACED_MS) {
          await this.removeService(serviceId);
          return fail('capacity', `no machine in the workshop pool has room for lab ${lab.id} now (${r.why}); stop a lab, or add a machine with \`docker swarm join\``);
        }
      }
      if (Date.now() > end) { await this.removeService(serviceId); return fail('start-failed', `lab ${lab.id}'s task did not run within ${START_LIMIT_MS / 1000} s (${r.why})`); }
      await sleep(PLACE_POLL_MS);
    }
  }

  /**
   * What a service spec cannot set on API 1.41 the node's engine must give: no network but
   * loopback (dockerd --bridge=none) and a cgroup namespace of the lab's own (cgroup v2, or
   * --default-cgroupns-mode=private on v1). A node that does not is named with the fix.
   */
  private async checkContainment(node: UsableNode, containerId: string): Promise<string | null> {
    try {
      const info = await node.docker.getContainer(containerId).inspect({ abortSignal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
      // With --bridge=none the default network is named but gives no address: only loopback is there.
      const networks = Object.entries(info.NetworkSettings?.Networks ?? {}).filter(([, n]) => n.IPAddress || n.GlobalIPv6Address).map(([name]) => name);
      if (networks.length) return `node ${node.name} gave the lab a network (${networks.join(', ')}): start its dockerd with --bridge=none (labs have no network)`;
      const cgroupns = (info.HostConfig as { CgroupnsMode?: string }).CgroupnsMode;
      if (cgroupns && cgroupns !== 'private') return `node ${node.name} gave the lab the host's cgroup namespace: start its dockerd with --default-cgroupns-mode=private`;
      return null;
    } catch (e) {
      return `node ${node.name} could not show the lab's container: ${(e as Error).message}`;
    }
  }

  async openShell(handle: LabHandle, size: TermSize, opts?: ShellOptions): Promise<Result<ShellStream, BackendError>> {
    const on = this.nodeBackend(handle);
    return on.ok ? on.value.openShell(handle, size, opts) : on;
  }

  async exec(handle: LabHandle, command: string[], opts: ExecOptions): Promise<Result<ExecResult, BackendError>> {
    const on = this.nodeBackend(handle);
    return on.ok ? on.value.exec(handle, command, opts) : on;
  }

  async diskUsage(handle: LabHandle): Promise<Result<number, BackendError>> {
    const on = this.nodeBackend(handle);
    return on.ok ? on.value.diskUsage!(handle) : on;
  }

  async isAlive(handle: LabHandle): Promise<Result<boolean, BackendError>> {
    const h = handle as SwarmHandle;
    const reading = await this.reading(h.service);
    if (!reading.ok) return reading;
    const r = reading.value.task;
    if (reading.value.serviceGone) {
      this.goneWhy.set(h.sessionId, { en: 'the lab\'s service was removed from the swarm', ko: '실습 서비스가 스웜에서 지워졌습니다' });
      return { ok: true, value: false };
    }
    if (r.kind === 'running') return { ok: true, value: r.containerId === h.ref };
    if (r.kind === 'ended') { this.goneWhy.set(h.sessionId, r.why); return { ok: true, value: false }; }
    if (r.kind === 'refused') { this.goneWhy.set(h.sessionId, { en: r.why, ko: r.why }); return { ok: true, value: false }; }
    return { ok: true, value: false };
  }

  whyGone(handle: LabHandle): Words | null {
    return this.goneWhy.get(handle.sessionId) ?? null;
  }

  async stop(handle: LabHandle): Promise<Result<void, BackendError>> {
    const h = handle as SwarmHandle;
    const removed = await this.removeService(h.service);
    if (!removed.ok) return removed;
    this.goneWhy.delete(h.sessionId);
    const nodes = await this.usableNodes();
    if (nodes.ok) await this.clearSession(h.sessionId, nodes.value);
    return { ok: true, value: undefined };
  }

  /**
   * The session's containers and check-tools volume on every node, not only where its lab ran: a start
   * whose first task was refused (an unlimited memlock the engine cannot grant) left them on that
   * task's node. The service's removal takes a container away within seconds; a volume can only go
   * after it, so this tries again until VOLUME_AFTER_MS. A node that is gone keeps them until it is
   * back and orphan reaping runs there.
   */
  private async clearSession(sessionId: string, nodes: readonly UsableNode[]): Promise<void> {
    const allBut = (sid: string) => sid !== sessionId;
    for (const until = Date.now() + VOLUME_AFTER_MS; ;) {
      const cleared = await Promise.all(nodes.map((n) => this.backendOn(n.label, n.docker).reapOrphans(this.o.runnerName, allBut)));
      if (cleared.every((c) => c.ok || c.error.code === 'backend-unavailable') || Date.now() > until) return;
      await sleep(500);
    }
  }

  async reapOrphans(runnerName: string, keep: (sessionId: string) => boolean = () => false): Promise<Result<number, BackendError>> {
    let services: Array<{ ID: string; Spec?: { Labels?: Record<string, string> } }>;
    try {
      services = await this.manager.listServices({ filters: { label: [`${LABEL_RUNNER}=${runnerName}`] }, abortSignal: AbortSignal.timeout(PROBE_TIMEOUT_MS) } as Docker.ServiceListOptions) as typeof services;
    } catch (e) {
      return this.failed(e, `the swarm manager could not list services: ${(e as Error).message}`);
    }
    const orphans = services.filter((s) => !keep(s.Spec?.Labels?.[LABEL_SESSION] ?? ''));
    for (const s of orphans) {
      const r = await this.removeService(s.ID);
      if (!r.ok) return r;
    }
    // What services left on the nodes (a stopped task's container, a check-tools volume).
    const nodes = await this.usableNodes();
    if (nodes.ok) {
      for (const n of nodes.value) {
        const r = await this.backendOn(n.label, n.docker).reapOrphans(runnerName, keep);
        if (!r.ok) this.o.log?.(`swarm: reaping on ${n.name}: ${r.error.message}`);
      }
    }
    return { ok: true, value: orphans.length };
  }

  async listOwned(runnerName: string): Promise<Result<string[], BackendError>> {
    const owned: string[] = [];
    try {
      const services = await this.manager.listServices({ filters: { label: [`${LABEL_RUNNER}=${runnerName}`] } } as Docker.ServiceListOptions) as Array<{ ID: string }>;
      owned.push(...services.map((s) => `service ${s.ID}`));
    } catch (e) {
      return this.failed(e, `the swarm manager could not list services: ${(e as Error).message}`);
    }
    const nodes = await this.usableNodes();
    if (!nodes.ok) return nodes;
    for (const n of nodes.value) {
      const r = await this.backendOn(n.label, n.docker).listOwned(runnerName);
      if (!r.ok) return r;
      owned.push(...r.value.map((x) => `${n.name}: ${x}`));
    }
    return { ok: true, value: owned };
  }

  // ---- the swarm's answers ----

  private async reading(serviceId: string): Promise<Result<{ task: ReturnType<typeof readTask>; serviceGone: boolean }, BackendError>> {
    try {
      const tasks = await (this.manager.listTasks({ filters: { service: [serviceId] }, abortSignal: AbortSignal.timeout(PROBE_TIMEOUT_MS) }) as Promise<unknown>) as TaskInfo[];
      if (!tasks.length) {
        const exists = await this.manager.getService(serviceId).inspect().then(() => true, (e: { statusCode?: number }) => { if (e.statusCode === 404) return false; throw e; });
        return { ok: true, value: { task: readTask(null, null), serviceGone: !exists } };
      }
      const task = newestTask(tasks);
      const node = task?.NodeID ? await this.manager.getNode(task.NodeID).inspect().then((n) => n as NodeInfo, (e: { statusCode?: number }) => { if (e.statusCode === 404) return null; throw e; }) : null;
      return { ok: true, value: { task: readTask(task, node), serviceGone: false } };
    } catch (e) {
      return this.failed(e, `the swarm manager did not answer about service ${serviceId.slice(0, 12)}: ${(e as Error).message}`);
    }
  }

  private async listNodes(): Promise<Result<Array<NodeInfo & { Spec?: { Labels?: Record<string, string> } }>, BackendError>> {
    try {
      return { ok: true, value: await this.manager.listNodes({ abortSignal: AbortSignal.timeout(PROBE_TIMEOUT_MS) } as object) as Array<NodeInfo & { Spec?: { Labels?: Record<string, string> } }> };
    } catch (e) {
      const msg = (e as Error).message;
      if (/not a swarm manager|This node is not a swarm manager/i.test(msg)) {
        return fail('backend-unavailable', `the runner's Docker Engine is not a swarm manager (${msg})`, 'run `docker swarm init` on this machine, or start the runner without --swarm');
      }
      return this.failed(e, `the swarm manager could not list its nodes: ${msg}`);
    }
  }

  /** Ready, active nodes whose engine the runner reaches; an error when there is none (each node's reason named). */
  private async usableNodes(): Promise<Result<UsableNode[], BackendError>> {
    const nodes = await this.nodeSurvey();
    if (!nodes.ok) return nodes;
    return nodes.value.usable.length ? { ok: true, value: nodes.value.usable } : this.noNodes(nodes.value.why);
  }

  private noNodes(why: string[]): { ok: false; error: BackendError } {
    return fail('backend-unavailable', `no swarm node can take labs: ${why.join('; ') || 'the swarm has no nodes'}`, 'see docs/scale-out.md: label each node with kdlabs.engine and give the runner its client certificate');
  }

  /** Every node, whether it takes labs (and why not), and this runner's labs on it: the host page's pool list. */
  async pool(): Promise<Result<PoolNodeStatus[], BackendError>> {
    const nodes = await this.nodeSurvey();
    if (!nodes.ok) return nodes;
    const load = await this.labsPerNode();
    if (!load.ok) return load;
    return {
      ok: true,
      value: [...nodes.value.all].sort((x, y) => nodeName(x.info).localeCompare(nodeName(y.info))).map(({ info, why }): PoolNodeStatus => ({
        name: nodeName(info),
        state: info.Status?.State ?? 'unknown',
        availability: info.Spec?.Availability ?? 'unknown',
        manager: info.ManagerStatus !== undefined,
        takesLabs: why === null,
        why,
        labs: load.value.get(info.ID)?.labs ?? 0,
        memoryBytes: info.Description?.Resources?.MemoryBytes ?? null,
        reservedBytes: load.value.get(info.ID)?.reserved ?? 0,
        cpus: info.Description?.Resources?.NanoCPUs ? info.Description.Resources.NanoCPUs / 1e9 : null,
      })),
    };
  }

  /** This runner's running lab tasks per node, and the memory their services reserve. */
  private async labsPerNode(): Promise<Result<Map<string, { labs: number; reserved: number }>, BackendError>> {
    type Service = { ID: string; Spec?: { TaskTemplate?: { Resources?: { Reservations?: { MemoryBytes?: number } } } } };
    try {
      const services = await this.manager.listServices({ filters: { label: [`${LABEL_RUNNER}=${this.o.runnerName}`] }, abortSignal: AbortSignal.timeout(PROBE_TIMEOUT_MS) } as Docker.ServiceListOptions) as Service[];
      const reservation = new Map(services.map((s) => [s.ID, s.Spec?.TaskTemplate?.Resources?.Reservations?.MemoryBytes ?? 0]));
      const tasks = await (this.manager.listTasks({ filters: { 'desired-state': ['running'] }, abortSignal: AbortSignal.timeout(PROBE_TIMEOUT_MS) }) as Promise<unknown>) as TaskInfo[];
      const per = new Map<string, { labs: number; reserved: number }>();
      for (const task of tasks) {
        if (!task.NodeID || !task.ServiceID || !reservation.has(task.ServiceID) || task.Status?.State !== 'running') continue;
        const on = per.get(task.NodeID) ?? { labs: 0, reserved: 0 };
        per.set(task.NodeID, { labs: on.labs + 1, reserved: on.reserved + reservation.get(task.ServiceID)! });
      }
      return { ok: true, value: per };
    } catch (e) {
      return this.failed(e, `the swarm manager could not list this runner's labs: ${(e as Error).message}`);
    }
  }

  private async nodeSurvey(): Promise<Result<{ usable: UsableNode[]; why: string[]; all: Array<{ info: NodeInfo; why: string | null }> }, BackendError>> {
    const listed = await this.listNodes();
    if (!listed.ok) return listed;
    const all = await Promise.all(listed.value.map((n) => this.surveyNode(n)));
    return {
      ok: true,
      value: {
        usable: all.flatMap((a) => a.usable ? [a.usable] : []),
        why: all.flatMap((a) => a.why ? [`${nodeName(a.info)}: ${a.why}`] : []),
        all,
      },
    };
  }

  /** Does a node take labs: ready, active, its engine reached (mutual TLS) and without a bridge network? */
  private async surveyNode(n: NodeInfo): Promise<{ info: NodeInfo; usable: UsableNode | null; why: string | null }> {
    const no = (why: string) => ({ info: n, usable: null, why });
    if (n.Status?.State !== 'ready' || n.Spec?.Availability !== 'active') return no(`${n.Status?.State ?? '?'}, ${n.Spec?.Availability ?? '?'}`);
    const label = n.Spec?.Labels?.[ENGINE_LABEL];
    const client = this.engines.client(label);
    if (!client.ok) return no(client.message);
    try {
      const info = await within(client.docker.info() as Promise<{ SecurityOptions?: string[] }>, PROBE_TIMEOUT_MS);
      const bridge = await within(client.docker.listNetworks({ filters: { name: ['bridge'], driver: ['bridge'] } }), PROBE_TIMEOUT_MS);
      if (bridge.some((b) => b.Name === 'bridge')) return no('its engine has a bridge network (start dockerd with --bridge=none: labs have no network)');
      const apparmor = (info.SecurityOptions ?? []).some((o) => o.includes('name=apparmor'));
      return { info: n, usable: { info: n, label: label!, name: nodeName(n), docker: client.docker, apparmor }, why: null };
    } catch (e) {
      return no(`its engine at ${label} does not answer (${(e as Error).message})`);
    }
  }

  private async removeService(id: string): Promise<Result<void, BackendError>> {
    try {
      await this.manager.getService(id).remove();
      return { ok: true, value: undefined };
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode === 404) return { ok: true, value: undefined };
      if (isDockerUnreachable(e)) return this.failed(e, `the swarm manager is unreachable: ${(e as Error).message}`);
      return fail('remove-failed', `the swarm manager could not remove service ${id.slice(0, 12)}: ${(e as Error).message}`);
    }
  }

  private nodeBackend(handle: LabHandle): Result<ContainerBackend, BackendError> {
    const h = handle as SwarmHandle;
    const client = this.engines.client(h.engine);
    if (!client.ok) return fail('backend-unavailable', client.message);
    return { ok: true, value: this.backendOn(h.engine, client.docker) };
  }

  private backendOn(label: string, docker: Docker): ContainerBackend {
    let b = this.onNode.get(label);
    if (!b) { b = new ContainerBackend(docker, this.o.runnerName); this.onNode.set(label, b); }
    return b;
  }

  private failed(e: unknown, message: string): { ok: false; error: BackendError } {
    return fail(isDockerUnreachable(e) ? 'backend-unavailable' : 'start-failed', message);
  }
}

const nodeName = (n: NodeInfo): string => n.Description?.Hostname ?? n.ID.slice(0, 12);

function fail(code: BackendError['code'], message: string, fix?: string): { ok: false; error: BackendError } {
  return { ok: false, error: { code, message, ...(fix ? { fix } : {}) } };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

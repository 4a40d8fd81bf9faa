// A real two-node Docker Swarm on this one machine, for testing a Swarm backend.
// Each node is its own dockerd (with its own containerd) running in a network
// namespace the pool creates, joined to the host through a veth pair whose host
// end sits on a bridge the pool creates. Node A is the manager, node B a worker.
// Each engine listens on a unix socket (for the harness) and on
// tcp://<node ip>:2376 with mutual TLS (for the code under test); the CA, the
// server certificates and the client certificate are made here with openssl.
// Nothing leaves the machine: the bridge has no uplink and no route is added.
//
// Everything made is registered for cleanup the moment it exists, so a failure
// half-way through still leaves nothing behind; dispose() is idempotent.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, readdirSync, rmSync, writeFileSync, copyFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';

const run = promisify(execFile);

/** Where every pool keeps its files; kept short because unix socket paths are limited to 108 bytes. */
const BASE_DIR = '/tmp/kdsw';
/** How long an engine may take to answer after it is started. */
const ENGINE_START_MS = 60_000;
/** How long an engine may take to exit on SIGTERM before it (and what it started) is killed. */
const ENGINE_STOP_MS = 30_000;
/** How long the swarm may take to show every node Ready. */
const NODES_READY_MS = 60_000;

export interface TlsFiles { ca: string; cert: string; key: string }

export interface SwarmNode {
  /** `a`, `b`, …: also the value of the node label `kdlabs.node`. */
  name: string;
  /** The node's address on the pool's bridge; its engine's TLS endpoint listens here. */
  ip: string;
  /** The engine's unix socket, for the harness's own use. */
  socketPath: string;
  /** PEM contents of the CA certificate, the client certificate and its key (mutual TLS on tcpUrl). */
  tls: TlsFiles;
  /** `tcp://<ip>:2376`, TLS only, client certificate required. */
  tcpUrl: string;
  /** The swarm's id of this node (set once it has joined). */
  swarmNodeId: string;
  /** A client on the unix socket. */
  engine: Docker;
  /** A client on the TLS endpoint, authenticated with the client certificate. */
  tlsEngine(): Docker;
}

export interface SwarmPool {
  /** Names everything of this pool: netns kdsw-<id>-<node>, links kdsw<id>…, files under /tmp/kdsw/<id>. */
  id: string;
  manager: SwarmNode;
  workers: SwarmNode[];
  /** Every node, manager first. */
  nodes: SwarmNode[];
  /** ms each phase of the pool's creation took. */
  timings: Record<string, number>;
  /** `docker import` a root filesystem tar on the manager, then copy the image to every other node. */
  importImage(tarPath: string, ref: string): Promise<void>;
  /** Copies an image that `from` has onto every other node (image save → load through the engines' APIs). */
  copyImageToAll(ref: string, from?: Docker): Promise<void>;
  /** Removes everything the pool made; safe to call twice. */
  dispose(): Promise<void>;
}

export type SwarmPoolResult = { ok: true; pool: SwarmPool } | { ok: false; skip: string };

export interface SwarmPoolOptions {
  /** How many workers besides the manager (default 1). */
  workers?: number;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
  /** For testing the harness itself: fail right after this phase, as a real failure there would. */
  failAfter?: PoolPhase;
}

export type PoolPhase = 'network' | 'certs' | 'engines' | 'swarm';

/** A stack of cleanups, run last-made-first; each runs once, and one failing does not stop the others. */
export class DisposableStore {
  private readonly items: Array<{ what: string; fn: () => Promise<void> | void }> = [];
  private disposing: Promise<string[]> | null = null;
  /** How long each cleanup took (ms), in the order they ran. */
  readonly took: Array<{ what: string; ms: number }> = [];
  add(what: string, fn: () => Promise<void> | void): void {
    if (this.disposing) throw new Error(`cannot register "${what}": the store is already disposed`);
    this.items.push({ what, fn });
  }
  /** Runs every cleanup; resolves to the failures (what: message), empty when all went well. */
  dispose(): Promise<string[]> {
    this.disposing ??= (async () => {
      const errors: string[] = [];
      while (this.items.length) {
        const { what, fn } = this.items.pop()!;
        const t0 = Date.now();
        try { await fn(); } catch (e) { errors.push(`${what}: ${(e as Error).message}`); }
        this.took.push({ what, ms: Date.now() - t0 });
      }
      return errors;
    })();
    return this.disposing;
  }
}

/** Why a swarm cannot be made here, or null when it can. */
export async function swarmPrerequisites(): Promise<string | null> {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not root (network namespaces and a second dockerd need root)';
  for (const tool of ['ip', 'dockerd', 'nsenter', 'unshare', 'openssl', 'tar', 'umount']) {
    try { await run('sh', ['-c', `command -v ${tool}`]); } catch { return `${tool} is not on PATH`; }
  }
  try { await run('ip', ['netns', 'list']); } catch (e) { return `ip netns does not work: ${(e as Error).message.split('\n')[0]}`; }
  if (!existsSync('/sys/fs/cgroup')) return 'no /sys/fs/cgroup';
  return null;
}

/** A free 10.231.x.0/24: no address or route of the host's is in it. */
async function freeSubnet(): Promise<string> {
  const { stdout: addrs } = await run('ip', ['-4', '-o', 'addr', 'show']);
  const { stdout: routes } = await run('ip', ['-4', 'route', 'show', 'table', 'all']);
  const used = addrs + routes;
  const start = randomBytes(1)[0]! % 200;
  for (let i = 0; i < 200; i++) {
    const x = ((start + i) % 200) + 20;
    if (!used.includes(`10.231.${x}.`)) return `10.231.${x}`;
  }
  throw new Error('no free 10.231.x.0/24 subnet');
}

async function ip(...args: string[]): Promise<void> { await run('ip', args); }

async function openssl(cwd: string, ...args: string[]): Promise<void> { await run('openssl', args, { cwd }); }

/** The CA, one server certificate per node (its IP as subjectAltName) and a client certificate. */
async function makeCerts(dir: string, nodes: Array<{ name: string; ip: string }>): Promise<void> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await openssl(dir, 'req', '-x509', ...key, '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=kdlabs swarm test CA');
  const sign = async (name: string, cn: string, ext: string): Promise<void> => {
    writeFileSync(join(dir, `${name}.ext`), ext);
    await openssl(dir, 'req', ...key, '-keyout', `${name}-key.pem`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
    await openssl(dir, 'x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-set_serial', `0x${randomBytes(8).toString('hex')}`,
      '-days', '2', '-out', `${name}.pem`, '-extfile', `${name}.ext`);
  };
  for (const n of nodes) await sign(`server-${n.name}`, `node-${n.name}`, `subjectAltName=IP:${n.ip}\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature,keyEncipherment\n`);
  await sign('client', 'kdlabs-runner', 'extendedKeyUsage=clientAuth\nkeyUsage=digitalSignature\n');
}

async function waitFor<T>(what: string, ms: number, fn: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + ms;
  let last = '';
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) { last = (e as Error).message; }
    if (Date.now() > end) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}${last ? ` (last error: ${last})` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function exited(child: ChildProcess): boolean { return child.exitCode !== null || child.signalCode !== null; }

/** Processes whose command line mentions `dir` (the node's containerd and shims), other than `except`. */
function processesUnder(dir: string): number[] {
  const pids: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    try { if (readFileSync(`/proc/${e}/cmdline`, 'utf8').includes(dir)) pids.push(Number(e)); } catch { /* gone */ }
  }
  return pids;
}

/** Mount points under `dir`, deepest first (dockerd leaves overlay and netns mounts behind when killed). */
export function mountsUnder(dir: string): string[] {
  const decode = (s: string): string => s.replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  return readFileSync('/proc/mounts', 'utf8').split('\n').map((l) => decode(l.split(' ')[1] ?? ''))
    .filter((m) => m === dir || m.startsWith(`${dir}/`)).sort((x, y) => y.length - x.length);
}

async function unmountUnder(dir: string): Promise<void> {
  for (let round = 0; round < 5; round++) {
    const left = mountsUnder(dir);
    if (!left.length) return;
    for (const m of left) {
      try { await run('umount', [m]); } catch { try { await run('umount', ['-l', m]); } catch { /* next round */ } }
    }
  }
  const left = mountsUnder(dir);
  if (left.length) throw new Error(`still mounted: ${left.join(', ')}`);
}

/** Starts one node's dockerd in its namespace; registers its stop (graceful, then kill) in the store. */
function startEngine(store: DisposableStore, node: { name: string; ip: string; netns: string; dir: string; certs: string }, log: (l: string) => void): string {
  const socketPath = join(node.dir, 'd.sock');
  const logFd = openSync(join(node.dir, 'dockerd.log'), 'a');
  // Its own UTS namespace, named after the node: Swarm names a node by its engine's hostname, as on a machine of its own.
  const child = spawn('unshare', ['--uts', '--', 'nsenter', `--net=/run/netns/${node.netns}`, 'sh', '-c', 'hostname "$0" && exec dockerd "$@"', node.name,
    '--data-root', join(node.dir, 'data'), '--exec-root', join(node.dir, 'x'), '--pidfile', join(node.dir, 'd.pid'),
    '-H', `unix://${socketPath}`, '-H', `tcp://${node.ip}:2376`,
    '--tlsverify', '--tlscacert', join(node.certs, 'ca.pem'),
    '--tlscert', join(node.certs, `server-${node.name}.pem`), '--tlskey', join(node.certs, `server-${node.name}-key.pem`),
    '--bridge=none', '--iptables=false', '--ip6tables=false', '--default-cgroupns-mode=private', '--log-level=warn'], { stdio: ['ignore', logFd, logFd], detached: true });
  closeSync(logFd);
  child.on('error', (e) => log(`[swarm-pool] dockerd ${node.name}: ${e.message}`));
  store.add(`stop dockerd of node ${node.name}`, async () => {
    if (!exited(child)) {
      const done = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const timer = new Promise<'late'>((r) => setTimeout(() => r('late'), ENGINE_STOP_MS).unref());
      if (await Promise.race([done.then(() => 'ok' as const), timer]) === 'late') {
        log(`[swarm-pool] dockerd ${node.name} did not exit in ${ENGINE_STOP_MS / 1000} s: killing it`);
        try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ }
        await done;
      }
    }
    // containerd and shims it started (they name the node's directory on their command lines)
    for (let i = 0; i < 50; i++) {
      const left = processesUnder(node.dir);
      if (!left.length) return;
      if (i === 10) for (const p of left) { try { process.kill(p, 'SIGKILL'); } catch { /* gone */ } }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`processes of node ${node.name} outlived it: ${processesUnder(node.dir).join(', ')}`);
  });
  return socketPath;
}

export async function makeSwarmPool(opts: SwarmPoolOptions = {}): Promise<SwarmPoolResult> {
  const why = await swarmPrerequisites();
  if (why) return { ok: false, skip: why };
  const log = opts.log ?? ((): void => {});
  const store = new DisposableStore();
  const timings: Record<string, number> = {};
  let t = Date.now();
  const lap = (name: PoolPhase): void => {
    const now = Date.now(); timings[name] = now - t; t = now;
    if (opts.failAfter === name) throw new Error(`failing after ${name}, as asked`);
  };
  const started = Date.now();
  try {
    const id = randomBytes(3).toString('hex');
    const dir = join(BASE_DIR, id);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    store.add(`remove ${dir}`, async () => {
      await unmountUnder(dir);
      rmSync(dir, { recursive: true, force: true });
      try { if (!readdirSync(BASE_DIR).length) rmSync(BASE_DIR, { recursive: true }); } catch { /* another pool's */ }
    });

    const subnet = await freeSubnet();
    const bridge = `kdsw${id}`;
    await ip('link', 'add', bridge, 'type', 'bridge');
    store.add(`delete bridge ${bridge}`, () => ip('link', 'del', bridge));
    await ip('addr', 'add', `${subnet}.1/24`, 'dev', bridge);
    await ip('link', 'set', bridge, 'up');

    const names = ['a', ...Array.from({ length: opts.workers ?? 1 }, (_, i) => String.fromCharCode(98 + i))];
    const specs = names.map((name, i) => ({ name, ip: `${subnet}.${i + 2}`, netns: `kdsw-${id}-${name}`, dir: join(dir, name), certs: join(dir, 'tls'), veth: `kdsw${id}${name}` }));
    for (const n of specs) {
      await ip('netns', 'add', n.netns);
      store.add(`delete netns ${n.netns}`, () => ip('netns', 'del', n.netns));
      await ip('link', 'add', n.veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', n.netns);
      // deleting the host end deletes its peer too; it may already be gone with the namespace
      store.add(`delete veth ${n.veth}`, async () => { if (existsSync(`/sys/class/net/${n.veth}`)) await ip('link', 'del', n.veth); });
      await ip('link', 'set', n.veth, 'master', bridge);
      await ip('link', 'set', n.veth, 'up');
      await ip('-n', n.netns, 'addr', 'add', `${n.ip}/24`, 'dev', 'eth0');
      await ip('-n', n.netns, 'link', 'set', 'eth0', 'up');
      await ip('-n', n.netns, 'link', 'set', 'lo', 'up');
      mkdirSync(n.dir, { recursive: true, mode: 0o700 });
    }
    lap('network');
    await makeCerts(join(dir, 'tls'), specs);
    const tls: TlsFiles = {
      ca: readFileSync(join(dir, 'tls', 'ca.pem'), 'utf8'),
      cert: readFileSync(join(dir, 'tls', 'client.pem'), 'utf8'),
      key: readFileSync(join(dir, 'tls', 'client-key.pem'), 'utf8'),
    };
    lap('certs');

    const nodes: SwarmNode[] = specs.map((n) => {
      const socketPath = startEngine(store, n, log);
      return {
        name: n.name, ip: n.ip, socketPath, tls, tcpUrl: `tcp://${n.ip}:2376`, swarmNodeId: '',
        engine: new Docker({ socketPath }),
        tlsEngine: () => new Docker({ protocol: 'https', host: n.ip, port: 2376, ca: tls.ca, cert: tls.cert, key: tls.key }),
      };
    });
    for (const n of nodes) {
      await waitFor(`the engine of node ${n.name} to answer`, ENGINE_START_MS, async () => (await n.engine.ping()) ? true : undefined);
    }
    lap('engines');
    const [manager, ...workers] = nodes as [SwarmNode, ...SwarmNode[]];
    // Leaving the swarm before the engines stop: the store runs this before their stops (registered later).
    // All at once (a worker's forced leave takes ~7 s here either way; the manager's ~0.2 s).
    store.add('leave the swarm on every node', async () => {
      await Promise.all(nodes.map(async (n) => {
        try { await n.engine.swarmLeave({ force: true }); } catch (e) {
          if (!/not part of a swarm|503|connect/i.test((e as Error).message)) throw e;
        }
      }));
    });
    await manager.engine.swarmInit({ ListenAddr: `${manager.ip}:2377`, AdvertiseAddr: manager.ip });
    const swarm = await manager.engine.swarmInspect() as { JoinTokens: { Worker: string } };
    for (const w of workers) {
      await w.engine.swarmJoin({ ListenAddr: `${w.ip}:2377`, AdvertiseAddr: w.ip, RemoteAddrs: [`${manager.ip}:2377`], JoinToken: swarm.JoinTokens.Worker });
    }
    // Services first, before the nodes leave: removing them stops their tasks.
    store.add('remove the services', async () => {
      const services = await manager.engine.listServices();
      for (const s of services) await manager.engine.getService(s.ID).remove();
      if (services.length) {
        await waitFor('the services\' containers to go', 60_000, async () => {
          for (const n of nodes) if ((await n.engine.listContainers({ all: true })).length) return undefined;
          return true;
        });
      }
    });
    type NodeInfo = { ID: string; Version: { Index: number }; Spec: Record<string, unknown>; Status: { State: string; Addr: string } };
    const ready = await waitFor('every node to be Ready', NODES_READY_MS, async () => {
      const list = await manager.engine.listNodes() as NodeInfo[];
      return list.length === nodes.length && list.every((x) => x.Status.State === 'ready') ? list : undefined;
    });
    for (const n of nodes) {
      n.swarmNodeId = ((await n.engine.info()) as { Swarm: { NodeID: string } }).Swarm.NodeID;
      const info = ready.find((x) => x.ID === n.swarmNodeId);
      if (!info) throw new Error(`node ${n.name} (${n.swarmNodeId}) is not in the manager's node list`);
      const spec = await manager.engine.getNode(n.swarmNodeId).inspect() as NodeInfo;
      await manager.engine.getNode(n.swarmNodeId).update({ _query: { version: spec.Version.Index }, _body: { ...spec.Spec, Labels: { ...(spec.Spec.Labels as object), 'kdlabs.node': n.name } } });
    }
    lap('swarm');
    timings.total = Date.now() - started;

    const copyImageToAll = async (ref: string, from: Docker = manager.engine): Promise<void> => {
      for (const n of nodes) {
        if (n.engine.modem === from.modem) continue;
        const tarball = await from.getImage(ref).get();
        const out = await n.engine.loadImage(tarball);
        await drain(out);
        await n.engine.getImage(ref).inspect();
      }
    };
    let disposed: Promise<void> | null = null;
    return {
      ok: true,
      pool: {
        id, manager, workers, nodes, timings, copyImageToAll,
        importImage: async (tarPath, ref) => {
          const [repo, tag] = ref.split(':');
          await drain(await manager.engine.importImage(tarPath, { repo, tag: tag ?? 'latest' }));
          await manager.engine.getImage(ref).inspect();
          await copyImageToAll(ref);
        },
        dispose: () => {
          disposed ??= store.dispose().then((errors) => {
            log(`[swarm-pool] disposed: ${store.took.map((x) => `${x.what} ${x.ms} ms`).join(', ')}`); if (errors.length) throw new Error(`swarm pool cleanup failed: ${errors.join('; ')}`); });
          return disposed;
        },
      },
    };
  } catch (e) {
    const errors = await store.dispose();
    log(`[swarm-pool] cleaned up after a failure: ${store.took.map((x) => `${x.what} ${x.ms} ms`).join(', ')}`);
    if (errors.length) (e as Error).message += ` (and cleanup failed: ${errors.join('; ')})`;
    throw e;
  }
}

/** Reads a stream to its end; an API's progress stream that ends in an error message rejects. */
async function drain(stream: NodeJS.ReadableStream): Promise<void> {
  let text = '';
  for await (const chunk of stream) text += chunk.toString();
  const err = /"error(?:Detail)?"\s*:\s*"([^"]*)"/.exec(text);
  if (err) throw new Error(err[1]);
}

/**
 * A root filesystem tar made of host binaries and the libraries they load (no registry needed):
 * bash, cat, sleep, ip. Returns the tar's path (inside `dir`).
 */
export async function makeTinyRootfsTar(dir: string, binaries = ['/bin/bash', '/bin/cat', '/bin/sleep', '/sbin/ip']): Promise<string> {
  const root = join(dir, 'rootfs');
  mkdirSync(root, { recursive: true });
  const files = new Set<string>(['/lib64/ld-linux-x86-64.so.2']);
  for (const b of binaries) {
    const { stdout } = await run('ldd', [b]);
    for (const m of stdout.matchAll(/(\/\S+\.so[^\s]*)/g)) files.add(m[1]!);
  }
  const place = (src: string, dest: string): void => {
    mkdirSync(dirname(join(root, dest)), { recursive: true });
    copyFileSync(realpathSync(src), join(root, dest));
  };
  for (const f of files) place(f, f);
  for (const b of binaries) place(b, `/bin/${b.split('/').pop()!}`);
  for (const d of ['tmp', 'proc', 'sys', 'dev', 'etc']) mkdirSync(join(root, d), { recursive: true });
  if (!statSync(join(root, 'bin', 'bash')).isFile()) throw new Error('no bash in the rootfs');
  const tarPath = join(dir, 'rootfs.tar');
  await run('tar', ['-C', root, '-cf', tarPath, '.']);
  return tarPath;
}

/**
 * The runner's register of engine endpoints (docs/scale-out.md): each node labelled
 * kdlabs.engine=<its TLS endpoint>, as an instructor does with `docker node update`.
 */
export async function registerEngines(pool: SwarmPool): Promise<void> {
  for (const n of pool.nodes) await updateNodeSpec(pool, n, (spec) => ({ ...spec, Labels: { ...(spec.Labels as Record<string, string> | undefined), 'kdlabs.engine': n.tcpUrl } }));
}

/** `docker node update --availability <a>` for one node. */
export async function setAvailability(pool: SwarmPool, node: SwarmNode, availability: 'active' | 'drain' | 'pause'): Promise<void> {
  await updateNodeSpec(pool, node, (spec) => ({ ...spec, Availability: availability }));
}

async function updateNodeSpec(pool: SwarmPool, n: SwarmNode, change: (spec: Record<string, unknown>) => Record<string, unknown>): Promise<void> {
  const node = pool.manager.engine.getNode(n.swarmNodeId);
  const info = await node.inspect() as { Version: { Index: number }; Spec: Record<string, unknown> };
  // docker-modem sends a POST's options as query and body alike unless they are split.
  await node.update({ _query: { version: info.Version.Index }, _body: change(info.Spec) } as never);
}

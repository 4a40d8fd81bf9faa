// Container backend: one Docker container per lab session, via dockerode.
// Network mode none, explicit capabilities (never --privileged), memory/pids/CPU
// limits from the lab file, tracefs and BTF visible for perf and bpftrace.
import type Docker from 'dockerode';
import { existsSync } from 'node:fs';
import { PassThrough, type Duplex } from 'node:stream';
import type { ResolvedLab } from '../../common/lab-schema.ts';
import { appArmorOff } from '../../common/host-root.ts';
import { CONTAINER_CHECK_TOOLS_DIR } from '../images/vm-check-tools.ts';
import { checkDocker, dockerUnreachable, isDockerUnreachable } from '../util/docker-client.ts';
import {
  LAB_TOOL_PATH, type BackendError, type ExecOptions, type ExecResult, type LabBackend, type LabHandle, type Result, type ShellOptions, type ShellStream, type StartOptions, type TermSize,
} from './lab-backend.ts';

export const LABEL_MANAGED = 'kdlabs.managed';
export const LABEL_RUNNER = 'kdlabs.runner';
export const LABEL_SESSION = 'kdlabs.session';
export const LABEL_LAB = 'kdlabs.lab';

/** Output kept from a check or setup script; learners read a message, not a log. */
const MAX_EXEC_OUTPUT = 64 * 1024;
/** Extra time past `timeout -k` before the runner gives up on an exec's stream. */
const EXEC_GRACE_MS = 5000;
/** A liveness probe or a listing that takes longer means a hung engine: report it unreachable rather than wait forever. */
const PROBE_TIMEOUT_MS = 10_000;

/** Host paths a lab may read: kernel tracing, and kernel headers for BCC when the host has them. */
export const HOST_MOUNTS: Array<{ host: string; mode: 'rw' | 'ro'; when: string }> = [
  { host: '/sys/kernel/tracing', mode: 'rw', when: '/sys/kernel/tracing/trace' },
  { host: '/sys/kernel/debug', mode: 'rw', when: '/sys/kernel/debug/tracing' },
  { host: '/lib/modules', mode: 'ro', when: '/lib/modules' },
  { host: '/usr/src', mode: 'ro', when: '/usr/src' },
];

/**
 * Checks run with bash and busybox from here (base image: static builds, so no
 * /etc/ld.so.preload or LD_PRELOAD applies). Each lab mounts it read-only from a volume
 * of its own, filled from the image, so a learner's changes to the lab's files or to
 * this path in the image never reach a check; without SYS_ADMIN it cannot be remounted.
 */
export const CHECK_TOOLS_DIR = CONTAINER_CHECK_TOOLS_DIR;
/** The tool set first, then the image's own directories for the lab's programs. */
const CHECK_PATH = `${CHECK_TOOLS_DIR}/bin:${LAB_TOOL_PATH}`;

export function checkToolsVolume(sessionId: string): string {
  return `kdlabs-check-${sessionId}`;
}

interface ContainerHandle extends LabHandle { readonly backend: 'container' }

/** The engine API's HostConfig (1.41+) has CgroupnsMode; @types/dockerode does not know it yet. */
type LabHostConfig = Docker.HostConfig & { CgroupnsMode: 'private' | 'host' };

export class ContainerBackend implements LabBackend {
  readonly kind = 'container' as const;

  /** False once the engine refused an unlimited memlock limit (see createAndStart). */
  private memlockUnlimited = true;

  constructor(private readonly docker: Docker, private readonly runnerName: string) {}

  async preflight(): Promise<Result<string, BackendError>> {
    const r = await checkDocker(this.docker);
    return r.ok ? { ok: true, value: `Docker Engine ${r.version}` } : { ok: false, error: { code: 'backend-unavailable', message: r.message } };
  }

  async start(lab: ResolvedLab, opts: StartOptions): Promise<Result<LabHandle, BackendError>> {
    const pre = await this.preflight();
    if (!pre.ok) return pre;
    const binds = HOST_MOUNTS.filter((m) => existsSync(m.when)).map((m) => `${m.host}:${m.host}:${m.mode}`);
    const caps = lab.capabilities;
    const labels = { [LABEL_MANAGED]: '1', [LABEL_RUNNER]: this.runnerName, [LABEL_SESSION]: opts.sessionId, [LABEL_LAB]: lab.id };
    try {
      opts.onProgress?.({ en: `creating container from ${opts.image}`, ko: `${opts.image}에서 컨테이너를 만드는 중` });
      // Created before the container so that it carries the labels reaping looks for; the
      // engine copies the image's CHECK_TOOLS_DIR into it at the first mount.
      await this.docker.createVolume({ Name: checkToolsVolume(opts.sessionId), Labels: labels });
      const hostConfig: LabHostConfig = {
        Init: true, // reaps the fault workload's zombies; `sleep` alone would not
        NetworkMode: 'none',
        // Its own cgroup namespace: a cgroup v1 mount in the lab then starts at the lab's
        // cgroup, where no release_agent file exists (the classic escape); cgroup files
        // under /sys/fs/cgroup read the same.
        CgroupnsMode: 'private',
        CapAdd: caps,
        SecurityOpt: appArmorOff(caps) ? ['apparmor=unconfined'] : [], // Docker's seccomp profile stays on (host-root.ts)
        Memory: lab.resources.memoryBytes,
        MemorySwap: lab.resources.memoryBytes, // no swap: a memory hog meets the OOM killer, not the host's disk
        PidsLimit: lab.resources.pids,
        NanoCpus: Math.round(lab.resources.cpus * 1e9),
        Binds: binds,
        Mounts: [{ Type: 'volume', Source: checkToolsVolume(opts.sessionId), Target: CHECK_TOOLS_DIR, ReadOnly: true }],
        AutoRemove: false,
      };
      const container = await this.createAndStart({
        name: `kdlabs-${opts.sessionId}`,
        Image: opts.image,
        Hostname: lab.id.slice(0, 63),
        Cmd: ['sleep', 'infinity'],
        Env: [`KDLABS_LAB=${lab.id}`, 'TERM=xterm-256color', 'LANG=C.UTF-8'],
        Labels: labels,
        HostConfig: hostConfig,
      });
      return { ok: true, value: { backend: 'container', sessionId: opts.sessionId, labId: lab.id, ref: container.id } satisfies ContainerHandle };
    } catch (e) {
      // Best effort: if the engine is unreachable the container may outlive this call;
      // the session manager's periodic orphan reaping removes it once the engine is back.
      await this.remove(`kdlabs-${opts.sessionId}`);
      await this.removeVolume(checkToolsVolume(opts.sessionId));
      if (isDockerUnreachable(e)) return this.unreachable(e);
      const message = (e as Error).message;
      if (/No such image/i.test(message)) return { ok: false, error: { code: 'image-missing', message: `image ${opts.image} is missing; run \`npm start\` or \`labs build\`` } };
      return { ok: false, error: { code: 'start-failed', message: `container for lab ${lab.id} did not start: ${message}` } };
    }
  }

  /**
   * bpftrace raises RLIMIT_MEMLOCK to unlimited and prints an ERROR to the learner when the hard
   * limit forbids it, so labs get an unlimited one (locked pages still count against the memory
   * limit). An engine without CAP_SYS_RESOURCE cannot grant that: its first refusal turns it off.
   */
  private async createAndStart(spec: Docker.ContainerCreateOptions): Promise<Docker.Container> {
    const triedMemlock = this.memlockUnlimited;
    const withMemlock = triedMemlock ? { ...spec, HostConfig: { ...spec.HostConfig, Ulimits: [{ Name: 'memlock', Soft: -1, Hard: -1 }] } } : spec;
    const container = await this.docker.createContainer(withMemlock);
    try {
      await container.start();
      return container;
    } catch (e) {
      // Decided on what this attempt asked for, not the shared flag: labs starting together all retry.
      if (!triedMemlock || !/setting rlimit/i.test((e as Error).message)) throw e;
      this.memlockUnlimited = false;
      await this.remove(container.id);
      return this.createAndStart(spec);
    }
  }

  async openShell(handle: LabHandle, size: TermSize, opts: ShellOptions = {}): Promise<Result<ShellStream, BackendError>> {
    try {
      const container = this.docker.getContainer(handle.ref);
      // A banner of the runner's (the motd in the learner's language) is printed first and the
      // profile told it was shown; the variable holding it is gone before the learner's shell starts.
      const banner = opts.banner
        ? { Cmd: ['/bin/bash', '-c', 'printf "%s" "$KDLABS_BANNER"; unset KDLABS_BANNER; exec /bin/bash -l'], Env: [`KDLABS_BANNER=${opts.banner}`, 'KDLABS_BANNER_SHOWN=1'] }
        : { Cmd: ['/bin/bash', '-l'], Env: [] };
      const exec = await container.exec({
        Cmd: banner.Cmd,
        AttachStdin: true, AttachStdout: true, AttachStderr: true, Tty: true,
        Env: ['TERM=xterm-256color', `COLUMNS=${size.cols}`, `LINES=${size.rows}`, ...banner.Env],
        WorkingDir: '/root',
      });
      const stream = (await exec.start({ hijack: true, stdin: true, Tty: true })) as Duplex;
      const shell = new DockerShell(exec, stream);
      await shell.resize(size);
      return { ok: true, value: shell };
    } catch (e) {
      if (isDockerUnreachable(e)) return this.unreachable(e);
      return { ok: false, error: { code: 'gone', message: `could not open a shell in lab ${handle.labId}: ${(e as Error).message}` } };
    }
  }

  async exec(handle: LabHandle, command: string[], opts: ExecOptions): Promise<Result<ExecResult, BackendError>> {
    const started = Date.now();
    const seconds = Math.max(1, Math.ceil(opts.timeoutMs / 1000));
    try {
      const container = this.docker.getContainer(handle.ref);
      const env = Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${v}`);
      const exec = await container.exec({
        // `timeout` inside the lab kills a hung check; the runner's own timer below is the backstop.
        Cmd: opts.protectedTools ? protectedCommand(command, seconds) : ['timeout', '-k', '2', String(seconds), ...command],
        AttachStdin: opts.stdin !== undefined, AttachStdout: true, AttachStderr: true, Tty: false,
        Env: opts.protectedTools ? [...env, `PATH=${CHECK_PATH}`] : env,
      });
      const stream = (await exec.start({ hijack: true, stdin: opts.stdin !== undefined })) as Duplex;
      const out = new Capture(), err = new Capture();
      const stdout = new PassThrough(), stderr = new PassThrough();
      stdout.on('data', (c: Buffer) => out.add(c));
      stderr.on('data', (c: Buffer) => err.add(c));
      this.docker.modem.demuxStream(stream, stdout, stderr);
      if (opts.stdin !== undefined) stream.end(opts.stdin);
      const finished = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => { stream.destroy(); resolve(false); }, opts.timeoutMs + 2000 + EXEC_GRACE_MS);
        stream.on('end', () => { clearTimeout(timer); resolve(true); });
        stream.on('close', () => { clearTimeout(timer); resolve(true); });
        stream.on('error', () => { clearTimeout(timer); resolve(true); });
      });
      const info = finished ? await exec.inspect() : null;
      const exitCode = info?.ExitCode ?? 137;
      return {
        ok: true,
        value: {
          exitCode, stdout: out.text(), stderr: err.text(),
          timedOut: !finished || exitCode === 124 || exitCode === 137, durationMs: Date.now() - started,
        },
      };
    } catch (e) {
      if (isDockerUnreachable(e)) return this.unreachable(e);
      return { ok: false, error: { code: 'gone', message: `lab ${handle.labId} is not running: ${(e as Error).message}` } };
    }
  }

  async isAlive(handle: LabHandle): Promise<Result<boolean, BackendError>> {
    try {
      const info = await this.docker.getContainer(handle.ref).inspect({ abortSignal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
      return { ok: true, value: info.State.Running };
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode === 404) return { ok: true, value: false };
      if (isDockerUnreachable(e)) return this.unreachable(e);
      // The engine answered with an error: it cannot tell us now, which is not "gone".
      return { ok: false, error: { code: 'backend-unavailable', message: `Docker Engine could not inspect container ${handle.ref.slice(0, 12)}: ${(e as Error).message}` } };
    }
  }

  async diskUsage(handle: LabHandle): Promise<Result<number, BackendError>> {
    try {
      // size: the engine adds up the writable layer (SizeRw); a lab's layer holds few files.
      // (the engine's `size` query, missing from dockerode's types)
      const opts = { size: true, abortSignal: AbortSignal.timeout(PROBE_TIMEOUT_MS) } as Docker.ContainerInspectOptions;
      const info = await this.docker.getContainer(handle.ref).inspect(opts);
      return { ok: true, value: (info as { SizeRw?: number }).SizeRw ?? 0 };
    } catch (e) {
      if (isDockerUnreachable(e)) return this.unreachable(e);
      return { ok: false, error: { code: 'backend-unavailable', message: `Docker Engine could not measure container ${handle.ref.slice(0, 12)}'s writable layer: ${(e as Error).message}` } };
    }
  }

  async stop(handle: LabHandle): Promise<Result<void, BackendError>> {
    const removed = await this.remove(handle.ref);
    return removed.ok ? this.removeVolume(checkToolsVolume(handle.sessionId)) : removed;
  }

  async reapOrphans(runnerName: string, keep: (sessionId: string) => boolean = () => false): Promise<Result<number, BackendError>> {
    const listed = await this.listLabelled(runnerName);
    if (!listed.ok) return listed;
    // Decided after listing: a session created meanwhile is in `keep` before its container exists.
    const orphans = listed.value.filter((c) => !keep(c.Labels[LABEL_SESSION] ?? ''));
    const removed = await Promise.all(orphans.map((c) => this.remove(c.Id)));
    const failed = removed.find((r) => !r.ok);
    if (failed && !failed.ok) return failed;
    // Volumes after containers: a volume is in use until its container is gone.
    const volumes = await this.listLabelledVolumes(runnerName);
    if (!volumes.ok) return volumes;
    const orphanVolumes = volumes.value.filter((v) => !keep(v.Labels?.[LABEL_SESSION] ?? ''));
    const failedVolume = (await Promise.all(orphanVolumes.map((v) => this.removeVolume(v.Name)))).find((r) => !r.ok);
    if (failedVolume && !failedVolume.ok) return failedVolume;
    return { ok: true, value: orphans.length };
  }

  private async listLabelledVolumes(runnerName: string): Promise<Result<Array<{ Name: string; Labels: Record<string, string> | null }>, BackendError>> {
    try {
      const list = await this.docker.listVolumes({ filters: { label: [`${LABEL_RUNNER}=${runnerName}`] }, abortSignal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
      return { ok: true, value: list.Volumes ?? [] };
    } catch (e) {
      if (isDockerUnreachable(e)) return this.unreachable(e);
      return { ok: false, error: { code: 'backend-unavailable', message: `Docker Engine could not list volumes: ${(e as Error).message}` } };
    }
  }

  private async removeVolume(name: string): Promise<Result<void, BackendError>> {
    try {
      await this.docker.getVolume(name).remove();
      return { ok: true, value: undefined };
    } catch (e) {
      const status = (e as { statusCode?: number }).statusCode;
      if (status === 404) return { ok: true, value: undefined };
      if (isDockerUnreachable(e)) return this.unreachable(e);
      return { ok: false, error: { code: 'remove-failed', message: `Docker Engine could not remove volume ${name}: ${(e as Error).message}` } };
    }
  }

  /** Container ids, then `volume <name>` for each check-tools volume: everything a lab leaves if not removed. */
  async listOwned(runnerName: string): Promise<Result<string[], BackendError>> {
    const listed = await this.listLabelled(runnerName);
    if (!listed.ok) return listed;
    const volumes = await this.listLabelledVolumes(runnerName);
    if (!volumes.ok) return volumes;
    return { ok: true, value: [...listed.value.map((c) => c.Id), ...volumes.value.map((v) => `volume ${v.Name}`)] };
  }

  private async listLabelled(runnerName: string): Promise<Result<Docker.ContainerInfo[], BackendError>> {
    try {
      const list = await this.docker.listContainers({
        all: true, filters: { label: [`${LABEL_RUNNER}=${runnerName}`] }, abortSignal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
      });
      return { ok: true, value: list };
    } catch (e) {
      if (isDockerUnreachable(e)) return this.unreachable(e);
      return { ok: false, error: { code: 'backend-unavailable', message: `Docker Engine could not list containers: ${(e as Error).message}` } };
    }
  }

  private async remove(ref: string): Promise<Result<void, BackendError>> {
    try {
      await this.docker.getContainer(ref).remove({ force: true, v: true });
      return { ok: true, value: undefined };
    } catch (e) {
      const status = (e as { statusCode?: number }).statusCode;
      if (status === 404 || status === 409) return { ok: true, value: undefined }; // 404: already gone; 409: removal already in progress
      if (isDockerUnreachable(e)) return this.unreachable(e);
      return { ok: false, error: { code: 'remove-failed', message: `Docker Engine could not remove container ${ref.slice(0, 12)}: ${(e as Error).message}` } };
    }
  }

  private unreachable(e: unknown): { ok: false; error: BackendError } {
    return { ok: false, error: { code: 'backend-unavailable', ...dockerUnreachable(this.docker, e) } };
  }
}

class DockerShell implements ShellStream {
  private disposed = false;
  constructor(private readonly exec: Docker.Exec, private readonly stream: Duplex) {}

  /** The hijacked socket buffers what the exec does not read yet; write() turns false past its high-water mark. */
  write(data: string | Buffer): boolean {
    return this.disposed || this.stream.destroyed ? true : this.stream.write(data);
  }
  onDrain(listener: () => void): void {
    this.stream.on('drain', listener);
  }
  async resize(size: TermSize): Promise<void> {
    if (this.disposed) return;
    try {
      await this.exec.resize({ h: size.rows, w: size.cols });
    } catch {
      // The shell may have exited between the check and the call; nothing to resize.
    }
  }
  onData(listener: (chunk: Buffer) => void): void {
    this.stream.on('data', listener);
  }
  onExit(listener: () => void): void {
    let fired = false;
    const once = (): void => { if (!fired) { fired = true; listener(); } };
    this.stream.on('end', once);
    this.stream.on('close', once);
    this.stream.on('error', once);
  }
  pause(): void { this.stream.pause(); }
  resume(): void { this.stream.resume(); }
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.stream.destroy();
  }
}

/** Keeps the first MAX_EXEC_OUTPUT bytes of a stream. */
class Capture {
  private chunks: Buffer[] = [];
  private size = 0;
  add(c: Buffer): void {
    if (this.size >= MAX_EXEC_OUTPUT) return;
    this.chunks.push(c.subarray(0, MAX_EXEC_OUTPUT - this.size));
    this.size += c.length;
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/**
 * A check's command line: the tool set's `timeout` and a `bash` that reads no profile or
 * rc file, so nothing the learner wrote in the lab runs before or inside the check.
 */
export function protectedCommand(command: readonly string[], seconds: number): string[] {
  if (command[0] !== 'bash') throw new Error(`a check runs as bash, not "${command[0]}"`);
  const bin = `${CHECK_TOOLS_DIR}/bin`;
  return [`${bin}/timeout`, '-k', '2', String(seconds), `${bin}/bash`, '--noprofile', '--norc', ...command.slice(1)];
}

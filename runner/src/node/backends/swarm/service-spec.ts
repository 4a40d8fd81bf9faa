// A container lab as a Swarm service of one task: the same container the
// container backend makes (capabilities, limits, no network, host tracing
// mounts, the check tools from a volume of its own), in the words of a service
// spec (API 1.41). Pure: the backend decides on the node's answers.
import type { ResolvedLab } from '../../../common/lab-schema.ts';
import { appArmorOff } from '../../../common/host-root.ts';
import { LABEL_LAB, LABEL_MANAGED, LABEL_RUNNER, LABEL_SESSION } from '../container.ts';

/** The lab's pid 1 is `sleep infinity` under tini: a second is plenty to stop it, and a stop is not kept waiting 10 s. */
const STOP_GRACE_NS = 1_000_000_000;

export interface LabServiceInput {
  lab: Pick<ResolvedLab, 'id' | 'capabilities' | 'resources'>;
  sessionId: string;
  image: string;
  runnerName: string;
  /** Host paths bound into the lab where the nodes have them (tracefs, debugfs, headers). */
  hostMounts: ReadonlyArray<{ host: string; mode: 'rw' | 'ro' }>;
  checkToolsVolume: string;
  checkToolsDir: string;
  /** Ask for an unlimited memlock limit (bpftrace); off once an engine refused it. */
  memlock: boolean;
  /** Swarm placement constraints, e.g. `node.labels.kdlabs.kvm==1`. */
  constraints?: string[];
  /** The manager speaks API 1.44 or newer (Docker 25+), where a service can turn AppArmor off. */
  privilegesApi?: boolean;
}

/** Docker 25's API: a service's Privileges may set AppArmor (and seccomp); 20.10's 1.41 cannot. */
export const PRIVILEGES_API = [1, 44] as const;

export function hasPrivilegesApi(apiVersion: string): boolean {
  const [major, minor] = apiVersion.split('.').map(Number);
  return (major ?? 0) > PRIVILEGES_API[0] || ((major ?? 0) === PRIVILEGES_API[0] && (minor ?? 0) >= PRIVILEGES_API[1]);
}

export type ServiceSpec = Record<string, unknown> & { Name: string; Labels: Record<string, string> };

export function serviceName(sessionId: string): string {
  return `kdlabs-${sessionId}`;
}

export function labServiceSpec(i: LabServiceInput): ServiceSpec {
  const labels = { [LABEL_MANAGED]: '1', [LABEL_RUNNER]: i.runnerName, [LABEL_SESSION]: i.sessionId, [LABEL_LAB]: i.lab.id };
  return {
    Name: serviceName(i.sessionId),
    Labels: labels,
    TaskTemplate: {
      ContainerSpec: {
        Image: i.image,
        Hostname: i.lab.id.slice(0, 63),
        Command: ['sleep', 'infinity'],
        Env: [`KDLABS_LAB=${i.lab.id}`, 'TERM=xterm-256color', 'LANG=C.UTF-8'],
        Labels: labels,
        Init: true,
        CapabilityAdd: i.lab.capabilities.map((c) => `CAP_${c}`),
        Mounts: [
          ...i.hostMounts.map((m) => ({ Type: 'bind', Source: m.host, Target: m.host, ReadOnly: m.mode === 'ro' })),
          { Type: 'volume', Source: i.checkToolsVolume, Target: i.checkToolsDir, ReadOnly: true, VolumeOptions: { Labels: labels } },
        ],
        ...(i.memlock ? { Ulimits: [{ Name: 'memlock', Soft: -1, Hard: -1 }] } : {}),
        StopGracePeriod: STOP_GRACE_NS,
        // As the container backend: Docker's seccomp profile stays on; AppArmor goes for SYS_ADMIN labs (host-root.ts).
        ...(i.privilegesApi && appArmorOff(i.lab.capabilities) ? { Privileges: { AppArmor: { Mode: 'disabled' } } } : {}),
      },
      Resources: {
        Limits: { MemoryBytes: i.lab.resources.memoryBytes, NanoCPUs: Math.round(i.lab.resources.cpus * 1e9), Pids: i.lab.resources.pids },
        // The scheduler places a lab only where its whole memory limit still fits.
        Reservations: { MemoryBytes: i.lab.resources.memoryBytes },
      },
      // A lab that ends is over: the session notices and says so; Swarm must not start a fresh one elsewhere.
      RestartPolicy: { Condition: 'none' },
      Placement: { Constraints: i.constraints ?? [] },
      // No Networks: on an engine started with --bridge=none the task has loopback only (checked at start).
    },
    Mode: { Replicated: { Replicas: 1 } },
  };
}

export interface NodeFacts { id: string; hostname: string; apparmor: boolean; labels: Readonly<Record<string, string>> }

/**
 * Where a lab may go, as placement constraints: on nodes with the labels its lab.yaml asks
 * for (`placement.nodeLabels`), and, for a SYS_ADMIN lab, which runs with AppArmor off, a
 * thing a service cannot ask for before API 1.44, not on nodes that enforce AppArmor. An
 * error, naming each node's reason and the fix, when no node is left: Swarm itself would
 * only leave the task pending.
 */
export function placementFor(lab: Pick<ResolvedLab, 'id' | 'capabilities' | 'placement'>, nodes: readonly NodeFacts[], privilegesApi = false): { ok: true; constraints: string[] } | { ok: false; message: string } {
  const wanted = Object.entries(lab.placement?.nodeLabels ?? {});
  const missing = (n: NodeFacts) => wanted.filter(([k, v]) => n.labels[k] !== v).map(([k, v]) => `${k}=${v}`);
  const labelled = nodes.filter((n) => missing(n).length === 0);
  if (wanted.length && !labelled.length) {
    const asked = wanted.map(([k, v]) => `${k}=${v}`).join(', ');
    return { ok: false, message: `lab ${lab.id} runs only on a node labelled ${asked}, and no node that takes labs is (${[...nodes].sort((x, y) => x.hostname.localeCompare(y.hostname)).map((n) => `${n.hostname} lacks ${missing(n).join(', ')}`).join('; ') || 'no nodes'}): label one with \`docker node update --label-add ${wanted[0]![0]}=${wanted[0]![1]} <node>\`` };
  }
  const byLabel = wanted.map(([k, v]) => `node.labels.${k}==${v}`);
  if (!appArmorOff(lab.capabilities) || privilegesApi) return { ok: true, constraints: byLabel };
  const refused = labelled.filter((n) => n.apparmor);
  if (refused.length && refused.length === labelled.length) {
    return { ok: false, message: `lab ${lab.id} adds SYS_ADMIN and runs with AppArmor off, which a Swarm service cannot ask for before Docker 25; every node it may use enforces AppArmor (${refused.map((n) => n.hostname).join(', ')}): upgrade Docker Engine, or add nodes without AppArmor` };
  }
  return { ok: true, constraints: [...byLabel, ...refused.map((n) => `node.id!=${n.id}`)] };
}

// `labs doctor`: every check, each under its own time limit, run side by side;
// the outcomes joined with what each capability affects into one report.
// Nothing here throws for a host problem, and nothing is cached (the KVM
// decision is the QEMU backend's, which it remembers itself).
import {
  blockingCapabilities, CAPABILITIES, isNeeded,
  type CapabilityId, type DoctorCapability, type DoctorReport,
} from '../../common/doctor.ts';
import type { ResolvedLab } from '../../common/lab-schema.ts';
import type { DockerPreflight } from '../util/docker-client.ts';
import { checkBcc } from './bcc.ts';
import { checkBtf } from './btf.ts';
import { bounded, type CheckOutcome } from './check.ts';
import { checkCgroups } from './cgroups.ts';
import { checkChromium, CHROMIUM_VERSION_TIMEOUT_MS } from './chromium.ts';
import { checkDockerEngine } from './docker.ts';
import type { HostIo } from './host-io.ts';
import { labAffects } from './lab-needs.ts';
import { checkPerf, PERF_STAT_TIMEOUT_MS } from './perf-events.ts';
import { checkProbe } from './probes.ts';
import { checkTracefs } from './tracefs.ts';
import { checkKvm, checkQemu, QEMU_VERSION_TIMEOUT_MS, type KvmDeps } from './vm-host.ts';

/** Reading /proc and /sys answers in milliseconds; past this the host is hung, not slow. */
const FS_CHECK_TIMEOUT_MS = 5000;
/** Time on top of a check's own command limit, for starting the process and reading its output. */
const SPAWN_SLACK_MS = 3000;
/** The Docker preflight pings with its own 5 s limit; connecting to a dead socket may add to it. */
const DOCKER_CHECK_TIMEOUT_MS = 10_000;
/**
 * The KVM probe boots the lab kernel for at most 8 s (accel-probe.ts), waits up to
 * 5 s for QEMU to die and hashes the kernel file; a loaded host gets the rest.
 */
const KVM_CHECK_TIMEOUT_MS = 30_000;

export interface DoctorDeps {
  io: HostIo;
  labs: readonly ResolvedLab[];
  dockerPreflight: () => Promise<DockerPreflight>;
  vmImage: KvmDeps['vmImage'];
  decideAccel: KvmDeps['decideAccel'];
  accelCacheDir: string;
  host: { kernel: string; arch: string; cpus: number; uid: number; pid: number };
  binaries: { qemu: string; qemuImg: string; chromium: string };
  now: () => Date;
}

export async function runDoctor(d: DoctorDeps): Promise<DoctorReport> {
  const { io, host } = d;
  const vmLabs = d.labs.filter((l) => l.backend === 'vm').map((l) => l.id);
  const checks: Record<CapabilityId, [number, () => Promise<CheckOutcome>]> = {
    docker: [DOCKER_CHECK_TIMEOUT_MS, () => checkDockerEngine(d.dockerPreflight)],
    cgroups: [FS_CHECK_TIMEOUT_MS, () => checkCgroups(io)],
    tracefs: [FS_CHECK_TIMEOUT_MS, () => checkTracefs(io, host.uid)],
    btf: [FS_CHECK_TIMEOUT_MS, () => checkBtf(io, host.uid)],
    kprobes: [FS_CHECK_TIMEOUT_MS, () => checkProbe(io, 'kprobe', host.pid, host.uid)],
    uprobes: [FS_CHECK_TIMEOUT_MS, () => checkProbe(io, 'uprobe', host.pid, host.uid)],
    'perf-events': [PERF_STAT_TIMEOUT_MS + SPAWN_SLACK_MS, () => checkPerf(io, host.uid)],
    'bcc-headers': [FS_CHECK_TIMEOUT_MS, () => checkBcc(io, host.kernel)],
    qemu: [QEMU_VERSION_TIMEOUT_MS + SPAWN_SLACK_MS, () => checkQemu(io, d.binaries.qemu, d.binaries.qemuImg)],
    kvm: [KVM_CHECK_TIMEOUT_MS, () => checkKvm({
      io, vmImage: d.vmImage, decideAccel: d.decideAccel, accelCacheDir: d.accelCacheDir, qemu: d.binaries.qemu, vmLabs,
    })],
    chromium: [CHROMIUM_VERSION_TIMEOUT_MS + SPAWN_SLACK_MS, () => checkChromium(io, d.binaries.chromium)],
  };
  const affects = labAffects(d.labs);
  // Only for the header line: a failure here is "unknown", like any other probe's.
  const osRelease = io.readText('/etc/os-release').catch((e: unknown) => ({ ok: false as const, code: 'ERROR', message: String(e) }));
  const capabilities = await Promise.all(CAPABILITIES.map(async ({ id, title }): Promise<DoctorCapability> => {
    const [limit, check] = checks[id];
    const started = performance.now();
    const o = await bounded(title, limit, check);
    return {
      id, title, status: o.status, detail: o.detail, why: o.why, fix: o.fix,
      needed: isNeeded(affects[id].labs), affects: affects[id], facts: o.facts,
      ms: Math.round(performance.now() - started),
    };
  }));
  const kvm = capabilities.find((c) => c.id === 'kvm')!;
  const accel = kvm.facts.accel === 'kvm' || kvm.facts.accel === 'tcg' ? kvm.facts.accel : null;
  const os = await osRelease;
  const blocking = blockingCapabilities(capabilities);
  return {
    version: 1,
    generatedAt: d.now().toISOString(),
    host: {
      kernel: host.kernel, arch: host.arch, cpus: host.cpus,
      os: (os.ok ? /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(os.value)?.[1] : undefined) ?? 'unknown',
    },
    accel: {
      accel,
      reason: typeof kvm.facts.accelReason === 'string' ? kvm.facts.accelReason : kvm.why ?? kvm.detail,
      probed: kvm.facts.probed === true,
    },
    capabilities,
    blocking,
    ok: blocking.length === 0,
  };
}

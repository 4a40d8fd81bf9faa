// The doctor wired to this host: real files, real commands, the runner's
// Docker client and the QEMU backend's accelerator decision.
import { readdirSync } from 'node:fs';
import { arch, availableParallelism, release } from 'node:os';
import { join } from 'node:path';
import type Dockerode from 'dockerode';
import type { ResolvedLab } from '../../common/lab-schema.ts';
import type { DoctorReport } from '../../common/doctor.ts';
import { decideAccel } from '../backends/qemu/index.ts';
import { QEMU, QEMU_IMG } from '../backends/qemu/host-probe.ts';
import { readVmImage, VM_IMAGE_CACHE_DIR } from '../images/vm-image-builder.ts';
import { checkDocker, createDocker } from '../util/docker-client.ts';
import { DEFAULT_DATA_DIR } from '../util/paths.ts';
import { CHROMIUM } from './chromium.ts';
import { nodeHostIo } from './host-io.ts';
import { runDoctor, type DoctorDeps } from './run-doctor.ts';

export interface HostDoctorOptions {
  labs: readonly ResolvedLab[];
  docker?: Dockerode;
  /** Where the QEMU backend keeps its accelerator decision (vm-accel.json): the runner's data dir. */
  dataDir?: string;
  /** Where built VM images are (VmImageBuilder's cache). */
  vmImagesDir?: string;
}

/**
 * The kernel of the newest complete VM image. Not VmImageBuilder's recipe hash:
 * computing it bundles the tools (seconds of synchronous work, blocking the
 * runner); the newest image is the one labs boot unless a rebuild is pending.
 */
export function newestVmImage(dir: string): { kernel: string; initrd: string } | null {
  let names: string[] = [];
  try { names = readdirSync(dir).filter((n) => /^[0-9a-f]{12}$/.test(n)); } catch { return null; }
  const images = names.map((n) => readVmImage(join(dir, n))).filter((i) => i !== null);
  const newest = images.sort((a, b) => b.builtAt.localeCompare(a.builtAt))[0];
  return newest ? { kernel: newest.kernel, initrd: newest.initrd } : null;
}

export function hostDoctorDeps(o: HostDoctorOptions): DoctorDeps {
  const docker = o.docker ?? createDocker();
  return {
    io: nodeHostIo(),
    labs: o.labs,
    dockerPreflight: () => checkDocker(docker),
    vmImage: () => newestVmImage(o.vmImagesDir ?? VM_IMAGE_CACHE_DIR),
    decideAccel,
    accelCacheDir: o.dataDir ?? DEFAULT_DATA_DIR,
    host: { kernel: release(), arch: arch(), cpus: availableParallelism(), uid: process.getuid?.() ?? -1, pid: process.pid },
    binaries: { qemu: QEMU, qemuImg: QEMU_IMG, chromium: CHROMIUM },
    now: () => new Date(),
  };
}

/** The report for this host. */
export function diagnoseHost(o: HostDoctorOptions): Promise<DoctorReport> {
  return runDoctor(hostDoctorDeps(o));
}

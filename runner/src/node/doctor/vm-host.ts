// QEMU and KVM, for VM labs. QEMU: the binaries and their version. KVM: the
// QEMU backend's own decision (backends/qemu/accel-probe.ts), which boots the
// lab kernel under KVM once per host and kernel and remembers the answer; the
// doctor shows that decision, or says why it could not be made yet.
import type { AccelDecision } from '../backends/qemu/index.ts';
import { parseQemuVersion } from '../backends/qemu/host-probe.ts';
import type { CheckOutcome } from './check.ts';
import { lastLine } from './check.ts';
import type { HostIo, IoResult, RunOutput } from './host-io.ts';

/** `qemu-system-x86_64 --version` prints at once; a loaded host gets slack. */
export const QEMU_VERSION_TIMEOUT_MS = 10_000;
const INSTALL_QEMU = 'apt-get install -y qemu-system-x86 qemu-utils';

export function decideQemu(qemu: string, system: IoResult<RunOutput>, img: IoResult<RunOutput>, qemuImg: string): CheckOutcome {
  const failed = (r: IoResult<RunOutput>): string | null => {
    if (!r.ok) return r.code === 'ENOENT' ? 'not installed' : r.message;
    if (r.value.timedOut) return `--version did not answer within ${QEMU_VERSION_TIMEOUT_MS / 1000} s`;
    return r.value.code === 0 ? null : lastLine(r.value.stderr) || `exit ${r.value.code}`;
  };
  const sysErr = failed(system);
  if (sysErr) {
    return { status: 'missing', detail: `${qemu}: ${sysErr}`, why: 'VM labs cannot start', fix: INSTALL_QEMU, facts: { version: null } };
  }
  const v = parseQemuVersion(system.ok ? system.value.stdout : '');
  if (!v.ok) return { status: 'missing', detail: `${qemu} runs`, why: v.message, fix: INSTALL_QEMU, facts: { version: null } };
  const imgErr = failed(img);
  if (imgErr) {
    return { status: 'missing', detail: `${v.text}; ${qemuImg}: ${imgErr}`, why: 'VM labs cannot create their disks without qemu-img', fix: 'apt-get install -y qemu-utils', facts: { version: v.text } };
  }
  return { status: 'ok', detail: `${v.text} (${qemu}, ${qemuImg})`, why: null, fix: null, facts: { version: v.text } };
}

export async function checkQemu(io: HostIo, qemu: string, qemuImg: string): Promise<CheckOutcome> {
  const [system, img] = await Promise.all([io.run(qemu, ['--version'], QEMU_VERSION_TIMEOUT_MS), io.run(qemuImg, ['--version'], QEMU_VERSION_TIMEOUT_MS)]);
  return decideQemu(qemu, system, img, qemuImg);
}

export interface KvmFacts {
  /** null: /dev/kvm opens read-write; else the error code (ENOENT, EACCES…). */
  devKvmError: string | null;
  /** The CPU flags that matter: hardware virtualisation, and whether this host is itself a VM. */
  cpu: { vmx: boolean; svm: boolean; hypervisor: boolean };
  /** The backend's decision, or why there is none. */
  decision: { kind: 'decided'; value: AccelDecision } | { kind: 'no-image'; vmLabs: string[] } | { kind: 'failed'; message: string };
}

export function parseCpuFlags(cpuinfo: string): KvmFacts['cpu'] {
  const line = /^flags\s*:(.*)$/m.exec(cpuinfo)?.[1] ?? '';
  const flags = new Set(line.trim().split(/\s+/));
  return { vmx: flags.has('vmx'), svm: flags.has('svm'), hypervisor: flags.has('hypervisor') };
}

/** What makes KVM available here, from what the CPU and /dev/kvm show. */
export function kvmFix(f: Pick<KvmFacts, 'devKvmError' | 'cpu'>): string {
  const module = f.cpu.svm ? 'kvm_amd' : 'kvm_intel';
  if (f.devKvmError && f.devKvmError !== 'ENOENT') return 'run the runner as root, or add its user to the kvm group: usermod -aG kvm USER (then log in again)';
  if (!f.cpu.vmx && !f.cpu.svm) {
    return f.cpu.hypervisor
      ? 'this host is a VM whose CPU shows no vmx/svm: enable nested virtualisation in the hypervisor it runs in, then modprobe kvm_intel (or kvm_amd)'
      : 'the CPU shows no vmx/svm: enable VT-x / AMD-V in the firmware settings, then modprobe kvm_intel (or kvm_amd)';
  }
  return `modprobe ${module}`;
}

/**
 * The KVM line. Its facts carry the accelerator VM labs get (`accel`: kvm, tcg
 * or null when not known yet), the reason (`accelReason`) and whether the
 * backend's probe made the decision (`probed`).
 */
export function decideKvm(f: KvmFacts): CheckOutcome {
  const dev = f.devKvmError === null ? '/dev/kvm present' : f.devKvmError === 'ENOENT' ? '/dev/kvm missing' : `/dev/kvm not usable (${f.devKvmError})`;
  const base = { devKvm: f.devKvmError === null, devKvmError: f.devKvmError, vmx: f.cpu.vmx, svm: f.cpu.svm, hypervisor: f.cpu.hypervisor };
  const slower = 'VM labs run on TCG (software CPU emulation): they work, with slower boots (tens of seconds instead of a few)';
  if (f.decision.kind === 'decided') {
    const d = f.decision.value;
    const how = `${d.accel.toUpperCase()}${d.cached ? ` (remembered from the probe of ${d.probedAt})` : ' (decided now)'}`;
    const facts = { ...base, accel: d.accel, accelReason: d.reason, probed: true, cached: d.cached };
    return d.accel === 'kvm'
      ? { status: 'ok', detail: `${how}: ${d.reason}`, why: null, fix: null, facts }
      : { status: 'degraded', detail: `${how}; ${dev}`, why: d.reason, fix: d.fix ?? kvmFix(f), facts };
  }
  if (f.decision.kind === 'failed') {
    const reason = `the KVM probe failed: ${f.decision.message}`;
    return { status: 'degraded', detail: `not probed; ${dev}`, why: reason, fix: kvmFix(f), facts: { ...base, accel: null, accelReason: reason, probed: false } };
  }
  const build = `labs build ${f.decision.vmLabs[0] ?? '--all'}`;
  const notProbed = `not probed — the VM image is not built yet; \`${build}\` builds it, then \`labs doctor\` boots its kernel under KVM`;
  if (f.devKvmError !== null) {
    // Without a usable /dev/kvm the answer is TCG whatever the probe would say.
    return {
      status: 'degraded', detail: `${notProbed}; ${dev}`, why: slower, fix: kvmFix(f),
      facts: { ...base, accel: 'tcg', accelReason: `${dev}, so ${slower}`, probed: false },
    };
  }
  return {
    status: 'degraded', detail: `${notProbed}; ${dev}`, why: 'whether KVM boots the lab kernel here is known only after the probe', fix: build,
    facts: { ...base, accel: null, accelReason: notProbed, probed: false },
  };
}

export interface KvmDeps {
  io: HostIo;
  /** The built VM image's kernel, or null when it is not built. */
  vmImage: () => { kernel: string; initrd: string } | null;
  decideAccel: (opts: { kernelPath: string; initrdPath?: string; cacheDir: string; qemuBinary?: string }) => Promise<AccelDecision>;
  accelCacheDir: string;
  qemu: string;
  vmLabs: string[];
}

export async function readKvmFacts(d: KvmDeps): Promise<KvmFacts> {
  const dev = await d.io.accessRw('/dev/kvm');
  const cpuinfo = await d.io.readText('/proc/cpuinfo');
  const cpu = parseCpuFlags(cpuinfo.ok ? cpuinfo.value : '');
  const image = d.vmImage();
  let decision: KvmFacts['decision'];
  if (!image) decision = { kind: 'no-image', vmLabs: d.vmLabs };
  else {
    try {
      decision = { kind: 'decided', value: await d.decideAccel({ kernelPath: image.kernel, initrdPath: image.initrd, cacheDir: d.accelCacheDir, qemuBinary: d.qemu }) };
    } catch (e) {
      decision = { kind: 'failed', message: e instanceof Error ? e.message : String(e) };
    }
  }
  return { devKvmError: dev.ok ? null : dev.code, cpu, decision };
}

export async function checkKvm(d: KvmDeps): Promise<CheckOutcome> {
  return decideKvm(await readKvmFacts(d));
}

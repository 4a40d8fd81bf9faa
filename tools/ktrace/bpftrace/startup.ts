// How long bpftrace may take to start (parse BTF, compile, create maps, attach)
// before ktrace gives up, and how that is told to a waiting learner.
//
// Measured (bpftrace 0.17, kernel 6.18, `ktrace memleak` program): 5-7 s to
// attach on a 2-core KVM-accelerated host. A VM lab without KVM runs its guest
// on QEMU's TCG emulator, 10-30x slower for this CPU-bound work: the same start
// did not attach within the old fixed 60 s grace there. A fixed 60 s grace fails those labs, and a grace long
// enough for them would make a hung bpftrace on a normal machine look alive
// for minutes: so the grace follows what the CPU is.
import { readFileSync } from 'node:fs';

/** Native hardware or a hardware-accelerated VM (KVM, Hyper-V, ...). */
export const STARTUP_GRACE_S = 60;
/** A CPU emulated by QEMU's TCG: 10-30x slower to start bpftrace. */
export const EMULATED_STARTUP_GRACE_S = 300;
/** Seconds between "attaching probes…" lines on stderr while bpftrace starts. */
export const PROGRESS_EVERY_S = 10;

export interface CpuFacts {
  /** /proc/cpuinfo text ('' if unreadable). */
  readonly cpuinfo: string;
  /** /sys/devices/system/clocksource/clocksource0/available_clocksource ('' if unreadable). */
  readonly clocksources: string;
}

/**
 * Whether the CPU is emulated. A guest is recognised by the `hypervisor` cpu
 * flag (set by every hypervisor); an accelerated one offers a paravirtual
 * clock (kvm-clock, hyperv_clocksource, xen). TCG offers neither, and QEMU
 * names its emulated CPU models "QEMU Virtual CPU", "QEMU TCG CPU" or "qemu64"/"qemu32".
 */
export function isEmulatedCpu(facts: CpuFacts): boolean {
  if (/^model name\s*:\s*(QEMU (Virtual|TCG) CPU|qemu(32|64))/im.test(facts.cpuinfo)) return true;
  const guest = /^flags\s*:.*\bhypervisor\b/m.test(facts.cpuinfo);
  const paravirtClock = /\b(kvm-clock|hyperv_clocksource\w*|xen)\b/.test(facts.clocksources);
  return guest && !paravirtClock;
}

export function startupGraceSeconds(facts: CpuFacts): number {
  return isEmulatedCpu(facts) ? EMULATED_STARTUP_GRACE_S : STARTUP_GRACE_S;
}

function readOr(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

export function readCpuFacts(): CpuFacts {
  return { cpuinfo: readOr('/proc/cpuinfo'), clocksources: readOr('/sys/devices/system/clocksource/clocksource0/available_clocksource') };
}

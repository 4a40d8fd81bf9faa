// Memory-aware admission: a lab starts only when the host can hold its memory
// limit. Counting sessions is not enough: forty 1.5 GiB labs would promise 60 GiB
// on a 24 GiB host, and the kernel's OOM killer would then pick among learners.
import { readFileSync } from 'node:fs';
import type { ResolvedLab } from '../../common/lab-schema.ts';

const MIB = 1024 * 1024;
/** Left for the runner, the engine, QEMU's own code and the instructor's browser. */
export const HOST_MEMORY_RESERVE_BYTES = 1024 * MIB;
/** QEMU's own memory next to a guest's RAM (device models, TCG translation cache). */
export const VM_OVERHEAD_BYTES = 256 * MIB;

export interface HostMemory { totalBytes: number; availableBytes: number }

/** What a lab may take at most: the container's memory limit, or the guest's RAM plus QEMU. */
export function labMemoryBytes(lab: Pick<ResolvedLab, 'backend' | 'resources' | 'vm'>): number {
  return lab.backend === 'vm' && lab.vm ? lab.vm.memoryMb * MIB + VM_OVERHEAD_BYTES : lab.resources.memoryBytes;
}

/**
 * Why this start must be refused, or null. `committedBytes` is what the labs that
 * already run may take; the host must hold all of them plus this one, and have
 * this one's limit free now (other programs use memory too).
 */
export function memoryRefusal(labId: string, needBytes: number, committedBytes: number, host: HostMemory): string | null {
  const usable = host.totalBytes - HOST_MEMORY_RESERVE_BYTES;
  if (committedBytes + needBytes > usable) {
    return `lab ${labId} may use ${gib(needBytes)}, and the labs already running may use ${gib(committedBytes)}: `
      + `together more than this host's ${gib(host.totalBytes)} less ${gib(HOST_MEMORY_RESERVE_BYTES)} kept for the runner; stop a lab first`;
  }
  if (needBytes > host.availableBytes - HOST_MEMORY_RESERVE_BYTES) {
    return `lab ${labId} may use ${gib(needBytes)}, but this host has only ${gib(host.availableBytes)} available `
      + `(${gib(HOST_MEMORY_RESERVE_BYTES)} of it kept for the runner); stop a lab or another program first`;
  }
  return null;
}

/** MemTotal and MemAvailable from /proc/meminfo; null where there is none (not Linux). */
export function readHostMemory(meminfo = '/proc/meminfo'): HostMemory | null {
  let text: string;
  try { text = readFileSync(meminfo, 'utf8'); } catch { return null; }
  const kib = (key: string): number | null => {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB$`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : null;
  };
  const totalBytes = kib('MemTotal'), availableBytes = kib('MemAvailable');
  return totalBytes === null || availableBytes === null ? null : { totalBytes, availableBytes };
}

function gib(bytes: number): string {
  return `${(bytes / (1024 * MIB)).toFixed(1)} GiB`;
}

// Memory-aware admission: a lab starts only when the host can hold its memory
// limit. Counting sessions is not enough: forty 1.5 GiB labs would promise 60 GiB
// on a 24 GiB host, and the kernel's OOM killer would then pick among learners.
import { readFileSync } from 'node:fs';
import type { ResolvedLab } from '../../common/lab-schema.ts';
import type { Words } from '../../common/langs.ts';

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
export function memoryRefusal(labId: string, needBytes: number, committedBytes: number, host: HostMemory): Words | null {
  const usable = host.totalBytes - HOST_MEMORY_RESERVE_BYTES;
  const [need, committed, total, reserve, available] = [needBytes, committedBytes, host.totalBytes, HOST_MEMORY_RESERVE_BYTES, host.availableBytes].map(gib);
  if (committedBytes + needBytes > usable) {
    return {
      en: `lab ${labId} may use ${need}, and the labs already running may use ${committed}: `
        + `together more than this host's ${total} less ${reserve} kept for the runner; stop a lab first`,
      ko: `실습 ${labId}: 최대 ${need}, 이미 실행 중인 실습들: 최대 ${committed}. `
        + `합치면 이 호스트의 ${total}에서 러너 몫 ${reserve}를 뺀 것보다 많습니다. 먼저 실습 하나를 중지하십시오`,
    };
  }
  if (needBytes > host.availableBytes - HOST_MEMORY_RESERVE_BYTES) {
    return {
      en: `lab ${labId} may use ${need}, but this host has only ${available} available `
        + `(${reserve} of it kept for the runner); stop a lab or another program first`,
      ko: `실습 ${labId}: 최대 ${need}. 그런데 이 호스트에 남은 메모리는 ${available}뿐입니다 `
        + `(그중 ${reserve}는 러너 몫). 먼저 실습이나 다른 프로그램을 중지하십시오`,
    };
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

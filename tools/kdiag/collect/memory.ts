// `kdiag memory`: system memory, slab usage, and the caller's memory cgroup.
import { type SourceProblem, readText } from '../../common/fsread.ts';
import { parseMeminfo } from '../parse/meminfo.ts';
import { parsePressure, type Pressure } from '../parse/cgroup.ts';
import { parseSlabinfo, topSlabs, type SlabCache } from '../parse/slabinfo.ts';
import { collectCgroupMemory, type CgroupMemory } from './cgroup-memory.ts';

/** Slab caches shown: the big ones explain almost all slab growth. */
export const TOP_SLABS = 10;

export interface MeminfoSummary {
  readonly totalBytes: number;
  readonly availableBytes: number;
  readonly freeBytes: number;
  readonly cachedBytes: number;
  readonly buffersBytes: number;
  readonly slabReclaimableBytes: number;
  readonly slabUnreclaimableBytes: number;
  readonly swapTotalBytes: number;
  readonly swapFreeBytes: number;
  readonly dirtyBytes: number;
  readonly writebackBytes: number;
}

export interface MemorySection {
  readonly meminfo: MeminfoSummary | null;
  readonly pressure: Pressure | null;
  readonly slabTop: { readonly available: true; readonly caches: SlabCache[] } | { readonly available: false; readonly reason: string };
  readonly cgroup: CgroupMemory | null;
  readonly problems: SourceProblem[];
}

export function summarizeMeminfo(text: string): MeminfoSummary {
  const m = parseMeminfo(text);
  const g = (k: string) => m.get(k) ?? 0;
  return {
    totalBytes: g('MemTotal'),
    availableBytes: g('MemAvailable'),
    freeBytes: g('MemFree'),
    cachedBytes: g('Cached'),
    buffersBytes: g('Buffers'),
    slabReclaimableBytes: g('SReclaimable'),
    slabUnreclaimableBytes: g('SUnreclaim'),
    swapTotalBytes: g('SwapTotal'),
    swapFreeBytes: g('SwapFree'),
    dirtyBytes: g('Dirty'),
    writebackBytes: g('Writeback'),
  };
}

export function collectMemory(): MemorySection {
  const problems: SourceProblem[] = [];
  const mi = readText('/proc/meminfo');
  if (!mi.ok) problems.push(mi.problem);
  const psi = readText('/proc/pressure/memory');
  if (!psi.ok) problems.push({ source: psi.problem.source, reason: `${psi.problem.reason} (PSI needs CONFIG_PSI and psi=1)` });
  const slab = readText('/proc/slabinfo');
  return {
    meminfo: mi.ok ? summarizeMeminfo(mi.text) : null,
    pressure: psi.ok ? parsePressure(psi.text) : null,
    slabTop: slab.ok
      ? { available: true, caches: topSlabs(parseSlabinfo(slab.text), TOP_SLABS) }
      : { available: false, reason: `/proc/slabinfo: ${slab.problem.reason}${slab.problem.reason.startsWith('permission') ? ' — run kdiag as root (or use slabtop as root)' : ''}` },
    cgroup: collectCgroupMemory(problems),
    problems,
  };
}

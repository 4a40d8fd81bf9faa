import { formatBytes, formatPct, keyValues, table } from '../../common/format.ts';
import type { Style } from '../../common/style.ts';
import type { MemorySection } from '../collect/memory.ts';
import type { CgroupMemory } from '../collect/cgroup-memory.ts';
import type { Pressure } from '../parse/cgroup.ts';
import { renderProblems } from './problems.ts';

function pressureText(p: Pressure | null): string {
  if (p === null) return 'not available';
  const f = (name: string, l: Pressure['some']) => (l ? `${name} avg10=${l.avg10}% avg60=${l.avg60}% avg300=${l.avg300}%` : '');
  return [f('some', p.some), f('full', p.full)].filter((s) => s !== '').join(', ');
}

const limit = (v: number | 'max' | null) => (v === null ? 'unknown' : v === 'max' ? 'max (unlimited)' : formatBytes(v));

function renderCgroup(cg: CgroupMemory): string[] {
  if (cg.version === 1) {
    return [
      `  memory cgroup (v1) ${cg.path}`,
      keyValues(
        [
          ['usage', cg.usageBytes === null ? 'unknown' : formatBytes(cg.usageBytes)],
          ['limit', limit(cg.limitBytes)],
          ['failcnt', String(cg.failcnt ?? 'unknown')],
          ['oom_kill', String(cg.oomKill ?? 'unknown')],
        ],
        '    ',
      ),
    ];
  }
  return [
    `  memory cgroup (v2) ${cg.path}`,
    keyValues(
      [
        ['memory.current', cg.currentBytes === null ? 'unknown' : formatBytes(cg.currentBytes)],
        ['memory.max', limit(cg.maxBytes)],
        ['memory.high', limit(cg.highBytes)],
        ['memory.events', Object.entries(cg.events).map(([k, v]) => `${k}=${v}`).join(' ')],
        ['memory.stat', Object.entries(cg.stat).map(([k, v]) => `${k}=${formatBytes(v)}`).join(' ')],
        ['memory.pressure', pressureText(cg.pressure)],
      ],
      '    ',
    ),
  ];
}

export function renderMemory(m: MemorySection, st: Style): string[] {
  const lines: string[] = [];
  const mi = m.meminfo;
  if (mi) {
    const pct = (v: number) => (mi.totalBytes > 0 ? ` (${formatPct((v / mi.totalBytes) * 100)})` : '');
    lines.push(
      keyValues([
        ['total', formatBytes(mi.totalBytes)],
        ['available', formatBytes(mi.availableBytes) + pct(mi.availableBytes)],
        ['free', formatBytes(mi.freeBytes) + pct(mi.freeBytes)],
        ['cached+buffers', formatBytes(mi.cachedBytes + mi.buffersBytes)],
        ['slab reclaimable', formatBytes(mi.slabReclaimableBytes)],
        ['slab unreclaimable', formatBytes(mi.slabUnreclaimableBytes) + pct(mi.slabUnreclaimableBytes)],
        ['swap used', mi.swapTotalBytes === 0 ? 'no swap' : `${formatBytes(mi.swapTotalBytes - mi.swapFreeBytes)} of ${formatBytes(mi.swapTotalBytes)}`],
        ['dirty / writeback', `${formatBytes(mi.dirtyBytes)} / ${formatBytes(mi.writebackBytes)}`],
        ['pressure (PSI)', pressureText(m.pressure)],
      ]),
    );
  }
  if (m.slabTop.available) {
    lines.push('  top slab caches (objects x object size):');
    lines.push(
      table(
        ['cache', 'size', 'objects', 'objsize'],
        m.slabTop.caches.map((c) => [c.name, formatBytes(c.bytes), String(c.numObjs), String(c.objSize)]),
        ['left', 'right', 'right', 'right'],
        '    ',
      ),
    );
  } else {
    lines.push(st.yellow(`  ! slab caches: ${m.slabTop.reason}`));
  }
  if (m.cgroup) lines.push(...renderCgroup(m.cgroup));
  return [...lines, ...renderProblems(m.problems, st)];
}

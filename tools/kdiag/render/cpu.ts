import { formatCount, formatPct, keyValues, table } from '../../common/format.ts';
import type { Style } from '../../common/style.ts';
import type { CpuSection } from '../collect/cpu.ts';
import { CPU_FIELDS } from '../parse/procstat.ts';
import { renderProblems } from './problems.ts';

export function renderCpu(c: CpuSection, st: Style): string[] {
  const lines = [`  measured over ${c.intervalSeconds.toFixed(2)} s on ${c.cpuCount} CPU(s)`];
  if (c.split) {
    const split = c.split;
    lines.push('  ' + CPU_FIELDS.map((f) => `${f} ${formatPct(split[f])}`).join('  '));
  }
  const la = c.loadavg;
  lines.push(
    keyValues([
      ['context switches/s', c.contextSwitchesPerSec === null ? 'unknown' : formatCount(c.contextSwitchesPerSec)],
      ['interrupts/s', c.interruptsPerSec === null ? 'unknown' : formatCount(c.interruptsPerSec)],
      ['load average', la ? `${la.one} ${la.five} ${la.fifteen}  (1/5/15 min)` : 'unknown'],
      ['run queue', `${String(c.procsRunning ?? '?')} running, ${String(c.procsBlocked ?? '?')} blocked on I/O`],
    ]),
  );
  if (c.topProcesses.length > 0) {
    lines.push('  top processes by CPU (% of one CPU):');
    lines.push(table(['pid', 'comm', 'cpu'], c.topProcesses.map((p) => [String(p.pid), p.comm, formatPct(p.cpuPercent)]), ['right', 'left', 'right'], '    '));
  } else {
    lines.push(st.dim('  no process used measurable CPU during the interval'));
  }
  return [...lines, ...renderProblems(c.problems, st)];
}

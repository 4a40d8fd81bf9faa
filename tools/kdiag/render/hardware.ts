import type { Style } from '../../common/style.ts';
import type { HardwareSection } from '../collect/hardware.ts';
import { renderProblems } from './problems.ts';

export function renderHardware(h: HardwareSection, st: Style): string[] {
  const lines: string[] = [];
  if (h.edac.available) {
    for (const c of h.edac.controllers) {
      const ue = c.uncorrectable ?? 0;
      lines.push(`  EDAC ${c.name}: corrected=${String(c.correctable ?? '?')} uncorrected=${ue > 0 ? st.red(String(ue)) : String(ue)}`);
    }
  } else {
    lines.push(st.dim('  EDAC: not available (no memory controller driver; normal in VMs)'));
  }
  lines.push(h.mcelog.available ? `  mcelog: ${h.mcelog.lines} line(s) in /var/log/mcelog` : st.dim('  mcelog: not installed / no /var/log/mcelog'));
  if (h.kernelLogMce.available) {
    lines.push(h.kernelLogMce.count === 0 ? `  kernel log MCE lines: ${st.green('none found')}` : `  kernel log MCE lines: ${st.red(String(h.kernelLogMce.count))}`);
    for (const l of h.kernelLogMce.latest) lines.push(`    ${l}`);
  }
  return [...lines, ...renderProblems(h.problems, st)];
}

import { table } from '../../common/format.ts';
import type { Style } from '../../common/style.ts';
import type { LogSection } from '../collect/log.ts';

export function renderLog(l: LogSection, st: Style): string[] {
  if (!l.available) {
    return [st.yellow('  kernel log not readable:'), ...l.reasons.map((r) => `    ${r}`), `  fix: ${l.fix}`];
  }
  const lines = [`  ${l.linesScanned} lines scanned from ${l.source}`];
  const rows = l.patterns.map((p) => [p.label, p.count === 0 ? st.dim('0') : st.red(String(p.count))]);
  lines.push(table(['pattern', 'count'], rows, ['left', 'right']));
  for (const p of l.patterns.filter((x) => x.count > 0)) {
    lines.push(`  latest ${p.label}:`);
    for (const line of p.latest) lines.push(`    ${line}`);
  }
  if (l.patterns.every((p) => p.count === 0)) lines.push(st.green('  no error patterns found'));
  return lines;
}

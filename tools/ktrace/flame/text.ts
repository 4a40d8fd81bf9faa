// The flame graph for a terminal: the hottest functions by their own samples,
// then the call tree, widest branch first, cut at a share of the samples and
// at the terminal's width.

import type { Style } from '../../common/style.ts';
import type { Folded } from './fold.ts';
import { byWeight, hotFunctions, type FlameNode } from './tree.ts';

export interface TextOptions {
  /** Rows in the hottest-functions table. */
  readonly top: number;
  /** Leave out tree branches below this percentage of all samples. */
  readonly minPercent: number;
  /** Characters per line. */
  readonly columns: number;
}

const pct = (n: number, total: number) => `${((100 * n) / total).toFixed(1)}%`.padStart(6);

function fit(line: string, columns: number): string {
  return line.length <= columns ? line : `${line.slice(0, columns - 1)}…`;
}

export function renderText(folded: Folded, root: FlameNode, opts: TextOptions, st: Style): string[] {
  if (root.total === 0) return ['(no samples: is the process using CPU, and was perf record given -g?)'];
  const lines: string[] = [
    st.bold(fit(`hottest functions (own samples; ${root.total} samples in all)`, opts.columns)),
    st.dim('   self   total  function'),
  ];
  for (const f of hotFunctions(folded).slice(0, opts.top)) {
    lines.push(fit(`${pct(f.self, root.total)}  ${pct(f.total, root.total)}  ${f.name}`, opts.columns));
  }
  lines.push('', st.bold(fit(`call tree (callers above callees; branches under ${opts.minPercent}% left out)`, opts.columns)));
  lines.push(st.dim('  total    self  stack'));
  const walk = (n: FlameNode, prefix: string, last: boolean, isTop: boolean) => {
    const branch = isTop ? '' : last ? '└─ ' : '├─ ';
    lines.push(fit(`${pct(n.total, root.total)}  ${pct(n.self, root.total)}  ${prefix}${branch}${n.name}`, opts.columns));
    const kids = byWeight(n).filter((c) => (100 * c.total) / root.total >= opts.minPercent);
    const childPrefix = isTop ? prefix : prefix + (last ? '   ' : '│  ');
    kids.forEach((c, i) => walk(c, childPrefix, i === kids.length - 1, false));
  };
  for (const top of byWeight(root).filter((c) => (100 * c.total) / root.total >= opts.minPercent)) walk(top, '', true, true);
  return lines;
}

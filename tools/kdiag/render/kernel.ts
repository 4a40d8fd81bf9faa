import { formatDuration, keyValues } from '../../common/format.ts';
import type { Style } from '../../common/style.ts';
import type { KernelSection } from '../collect/kernel.ts';
import { renderProblems } from './problems.ts';

export function renderKernel(k: KernelSection, st: Style): string[] {
  const taint =
    k.tainted === null
      ? 'unknown'
      : k.tainted.value === 0
        ? st.green('0 (not tainted)')
        : st.yellow(`${k.tainted.value} (${k.tainted.flags.map((f) => f.letter).join('')})`);
  const lines = [
    keyValues([
      ['release', `${k.release} (${k.machine})`],
      ['build', k.version],
      ['hostname', k.hostname],
      ['cmdline', k.cmdline ?? 'unknown'],
      ['uptime', k.uptimeSeconds === null ? 'unknown' : formatDuration(k.uptimeSeconds)],
      ['tainted', taint],
    ]),
  ];
  for (const f of k.tainted?.flags ?? []) lines.push(`    ${f.letter}  bit ${String(f.bit).padStart(2)}  ${f.description}`);
  return [...lines, ...renderProblems(k.problems, st)];
}

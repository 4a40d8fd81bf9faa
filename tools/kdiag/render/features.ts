import { keyValues } from '../../common/format.ts';
import type { Style } from '../../common/style.ts';
import type { FeaturesSection } from '../collect/features.ts';
import { renderProblems } from './problems.ts';

export function renderFeatures(f: FeaturesSection, st: Style): string[] {
  const yes = (b: boolean, detail = '') => (b ? st.green('yes') : st.yellow('no')) + (detail ? `  ${st.dim(detail)}` : '');
  const lines = [
    keyValues([
      ['BTF', yes(f.btf, '/sys/kernel/btf/vmlinux')],
      ['tracefs', f.tracefs === null ? st.yellow('not mounted') : `${st.green('mounted')}  ${st.dim(f.tracefs)}`],
      ['kprobes', yes(f.kprobes.available, f.kprobes.evidence)],
      ['uprobes', yes(f.uprobes.available, f.uprobes.evidence)],
      ['lockdep', yes(f.lockdep, '/proc/lockdep')],
      ['perf_event_paranoid', `${String(f.perfEventParanoid.value ?? '?')}  ${st.dim(f.perfEventParanoid.meaning)}`],
      ['kptr_restrict', `${String(f.kptrRestrict.value ?? '?')}  ${st.dim(f.kptrRestrict.meaning)}`],
      ['dmesg_restrict', `${String(f.dmesgRestrict.value ?? '?')}  ${st.dim(f.dmesgRestrict.meaning)}`],
    ]),
  ];
  if (f.config.source !== null) {
    lines.push(`  kernel config (${f.config.source}):`);
    lines.push(
      keyValues(
        Object.entries(f.config.options).map(([k, v]) => [k, v === null ? st.dim('absent') : v === 'not set' ? st.yellow('not set') : st.green(v)] as const),
        '    ',
      ),
    );
  }
  return [...lines, ...renderProblems(f.problems, st)];
}

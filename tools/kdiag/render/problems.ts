// One line per source that could not be read, so gaps in a report are explicit.
import type { SourceProblem } from '../../common/fsread.ts';
import type { Style } from '../../common/style.ts';

export function renderProblems(problems: readonly SourceProblem[], st: Style): string[] {
  return problems.map((p) => st.yellow(`  ! ${p.source}: ${p.reason}`));
}

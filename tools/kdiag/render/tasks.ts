import { keyValues } from '../../common/format.ts';
import type { Style } from '../../common/style.ts';
import type { TasksSection } from '../collect/tasks.ts';
import { renderProblems } from './problems.ts';

export function renderTasks(t: TasksSection, st: Style): string[] {
  const states = Object.entries(t.byState)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([s, n]) => `${s}=${n}`)
    .join(' ');
  const lines = [
    keyValues([
      ['threads', `${t.threads}  (${states})`],
      ['D state', t.dStateCount === 0 ? st.green('0') : st.yellow(String(t.dStateCount))],
      ['zombies', String(t.zombieCount)],
      ['hung_task_timeout', t.hungTaskTimeoutSecs === null ? 'unknown' : `${t.hungTaskTimeoutSecs} s`],
    ]),
  ];
  for (const d of t.dState) {
    lines.push(`  D  pid ${d.pid} tid ${d.tid} ${d.comm}  wchan=${d.wchan ?? '?'}`);
    if (d.stack) for (const fr of d.stack) lines.push(`       ${fr}`);
    else if (d.stackUnavailable) lines.push(st.dim(`       (stack: ${d.stackUnavailable})`));
  }
  for (const z of t.zombies) lines.push(`  Z  pid ${z.pid} ${z.comm}  parent ${z.ppid}`);
  return [...lines, ...renderProblems(t.problems, st)];
}

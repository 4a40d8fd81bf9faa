// Human rendering of a whole report: one titled block per section, then recommendations.
import type { Style } from '../../common/style.ts';
import type { Recommendation, Report, SectionName } from '../report.ts';
import { renderCpu } from './cpu.ts';
import { renderFeatures } from './features.ts';
import { renderHardware } from './hardware.ts';
import { renderKernel } from './kernel.ts';
import { renderLog } from './log.ts';
import { renderMemory } from './memory.ts';
import { renderTasks } from './tasks.ts';

const TITLES: Record<SectionName, string> = {
  kernel: 'Kernel',
  features: 'Debugging features',
  log: 'Kernel log',
  memory: 'Memory',
  cpu: 'CPU',
  tasks: 'Tasks',
  hardware: 'Hardware errors',
};

function renderRecommendation(r: Recommendation, st: Style): string[] {
  const tag = r.severity === 'critical' ? st.red('[critical]') : r.severity === 'warning' ? st.yellow('[warning] ') : st.cyan('[info]    ');
  return [`  ${tag} ${r.finding}`, `             -> ${r.action}`];
}

export function renderReport(report: Report, st: Style): string {
  const out: string[] = [];
  const s = report.sections;
  const block = (name: SectionName, body: string[] | undefined) => {
    if (body) out.push(st.bold(`== ${TITLES[name]} ==`), ...body, '');
  };
  block('kernel', s.kernel && renderKernel(s.kernel, st));
  block('features', s.features && renderFeatures(s.features, st));
  block('log', s.log && renderLog(s.log, st));
  block('memory', s.memory && renderMemory(s.memory, st));
  block('cpu', s.cpu && renderCpu(s.cpu, st));
  block('tasks', s.tasks && renderTasks(s.tasks, st));
  block('hardware', s.hardware && renderHardware(s.hardware, st));
  out.push(st.bold('== Recommendations =='));
  if (report.recommendations.length === 0) out.push(st.green('  nothing stands out in the sections collected'));
  for (const r of report.recommendations) out.push(...renderRecommendation(r, st));
  return out.join('\n') + '\n';
}

// Runs the requested collectors. Each is isolated: an unexpected exception in
// one section becomes a problem line in that section instead of killing the report.
import type { SourceProblem } from '../../common/fsread.ts';
import type { SectionName, Sections } from '../report.ts';
import { collectCpu } from './cpu.ts';
import { collectFeatures } from './features.ts';
import { collectHardware } from './hardware.ts';
import { collectKernel } from './kernel.ts';
import { collectLog } from './log.ts';
import { collectMemory } from './memory.ts';
import { collectTasks } from './tasks.ts';

export interface CollectOptions {
  readonly intervalSeconds: number;
}

export interface Collected {
  readonly sections: Sections;
  /** Sections that failed outright (should not happen; kept so the report still prints). */
  readonly failures: SourceProblem[];
}

export async function collect(names: readonly SectionName[], opts: CollectOptions): Promise<Collected> {
  const sections: Sections = {};
  const failures: SourceProblem[] = [];
  for (const name of names) {
    try {
      switch (name) {
        case 'kernel':
          sections.kernel = collectKernel();
          break;
        case 'features':
          sections.features = collectFeatures();
          break;
        case 'log':
          sections.log = collectLog();
          break;
        case 'memory':
          sections.memory = collectMemory();
          break;
        case 'cpu':
          sections.cpu = await collectCpu(opts.intervalSeconds);
          break;
        case 'tasks':
          sections.tasks = collectTasks();
          break;
        case 'hardware':
          sections.hardware = collectHardware();
          break;
      }
    } catch (err) {
      failures.push({ source: `section ${name}`, reason: err instanceof Error ? err.message : String(err) });
    }
  }
  return { sections, failures };
}

// The report shape shared by collectors, recommendations, renderers and --json.
// --json prints exactly this object; bump SCHEMA_VERSION on breaking changes.
import type { CpuSection } from './collect/cpu.ts';
import type { FeaturesSection } from './collect/features.ts';
import type { HardwareSection } from './collect/hardware.ts';
import type { KernelSection } from './collect/kernel.ts';
import type { LogSection } from './collect/log.ts';
import type { MemorySection } from './collect/memory.ts';
import type { TasksSection } from './collect/tasks.ts';

export const SCHEMA_VERSION = 1;

export const SECTION_NAMES = ['kernel', 'features', 'log', 'memory', 'cpu', 'tasks', 'hardware'] as const;
export type SectionName = (typeof SECTION_NAMES)[number];

export interface Sections {
  kernel?: KernelSection;
  features?: FeaturesSection;
  log?: LogSection;
  memory?: MemorySection;
  cpu?: CpuSection;
  tasks?: TasksSection;
  hardware?: HardwareSection;
}

export type Severity = 'critical' | 'warning' | 'info';

export interface Recommendation {
  readonly severity: Severity;
  readonly section: SectionName;
  /** What was observed, with the number that triggered it. */
  readonly finding: string;
  /** What to do next, as concrete commands where possible. */
  readonly action: string;
}

export interface Report {
  readonly tool: 'kdiag';
  readonly schemaVersion: number;
  readonly generatedAt: string;
  readonly hostname: string;
  readonly sections: Sections;
  readonly recommendations: Recommendation[];
}

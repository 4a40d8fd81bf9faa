// All labs under a folder, in the order learners take them (level, then the
// roadmap's order). A broken lab is reported and skipped; the others still load.
import { readdirSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { compareLabs, type ResolvedLab } from '../../common/lab-schema.ts';
import { loadLab } from './load-lab.ts';

export interface LabRegistry {
  labs: Map<string, ResolvedLab>;
  problems: string[];
}

export function loadLabs(labsDir: string): LabRegistry {
  const loaded: ResolvedLab[] = [];
  const problems: string[] = [];
  if (!existsSync(labsDir)) return { labs: new Map(), problems: [`${labsDir}: labs folder does not exist`] };
  for (const name of readdirSync(labsDir).sort()) {
    const dir = join(labsDir, name);
    if (!statSync(dir).isDirectory() || name.startsWith('.') || name.startsWith('_')) continue;
    const result = loadLab(dir);
    if (result.ok) loaded.push(result.lab);
    else problems.push(...result.problems);
  }
  // Every list of labs (CLI, API, sidebar, /labs, prev/next links) follows this Map's order.
  return { labs: new Map(loaded.sort(compareLabs).map((lab) => [lab.id, lab])), problems };
}

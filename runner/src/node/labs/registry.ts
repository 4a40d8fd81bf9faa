// All labs under a folder. A broken lab is reported and skipped; the others still load.
import { readdirSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ResolvedLab } from '../../common/lab-schema.ts';
import { loadLab } from './load-lab.ts';

export interface LabRegistry {
  labs: Map<string, ResolvedLab>;
  problems: string[];
}

export function loadLabs(labsDir: string): LabRegistry {
  const labs = new Map<string, ResolvedLab>();
  const problems: string[] = [];
  if (!existsSync(labsDir)) return { labs, problems: [`${labsDir}: labs folder does not exist`] };
  for (const name of readdirSync(labsDir).sort()) {
    const dir = join(labsDir, name);
    if (!statSync(dir).isDirectory() || name.startsWith('.') || name.startsWith('_')) continue;
    const result = loadLab(dir);
    if (result.ok) labs.set(result.lab.id, result.lab);
    else problems.push(...result.problems);
  }
  return { labs, problems };
}

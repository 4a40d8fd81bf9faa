// The roadmap is written by hand, so a new lab could be forgotten there: every
// lab must be linked from the stage that matches its level.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LEVELS } from '../../common/lab-schema.ts';
import { LABS_DIR, REPO_ROOT } from '../util/paths.ts';
import { loadLabs } from './registry.ts';

/** The text of each "## Stage N: <Level>" section, by level. */
function stages(markdown: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const section of markdown.split(/^## /m).slice(1)) {
    const level = /^Stage \d+: (\w+)/.exec(section)?.[1]?.toLowerCase();
    if (level) out.set(level, section);
  }
  return out;
}

test('the roadmap links every lab from the stage of its level, in the labs\' order', { skip: process.env.KDLABS_LABS_DIR ? 'KDLABS_LABS_DIR: labs kept outside this repository are not in its roadmap' : false }, () => {
  const byLevel = stages(readFileSync(join(REPO_ROOT, 'docs', 'roadmap.md'), 'utf8'));
  assert.deepEqual([...byLevel.keys()], [...LEVELS]);
  const { labs } = loadLabs(LABS_DIR);
  for (const level of LEVELS) {
    const section = byLevel.get(level)!;
    const practice = section.split(/^### Practice$/m)[1]?.split(/^### /m)[0] ?? '';
    const ids = [...labs.values()].filter((l) => l.level === level).map((l) => l.id);
    for (const id of ids) assert.match(practice, new RegExp(`\\(/labs/${id}\\)`), `${level} stage's Practice list links /labs/${id}`);
    // First mention of each of this level's labs, in order: the same order as every other list of labs.
    const mentioned = ids.slice().sort((a, b) => practice.indexOf(`(/labs/${a})`) - practice.indexOf(`(/labs/${b})`));
    assert.deepEqual(mentioned, ids, `${level} stage's Practice list follows the labs' order`);
  }
});

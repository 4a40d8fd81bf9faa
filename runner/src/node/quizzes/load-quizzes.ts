// All quizzes under a folder (docs/quizzes/<id>.yaml). A broken quiz is
// reported, naming file, field and what was expected, and skipped; the others load.
import { existsSync, readdirSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { readYaml } from '../util/read-yaml.ts';
import { describeIssues } from '../../common/lab-schema.ts';
import { quizFileSchema, type QuizFile } from '../../common/quiz-schema.ts';
import { REPO_ROOT } from '../util/paths.ts';

export const QUIZZES_DIR = join(REPO_ROOT, 'docs', 'quizzes');

export interface QuizRegistry {
  /** By id, in file-name order. */
  quizzes: Map<string, QuizFile>;
  problems: string[];
}

export function loadQuizzes(dir: string = QUIZZES_DIR): QuizRegistry {
  const quizzes = new Map<string, QuizFile>();
  const problems: string[] = [];
  if (!existsSync(dir)) return { quizzes, problems };
  for (const name of readdirSync(dir).sort()) {
    if (!name.endsWith('.yaml')) continue;
    const file = join(dir, name);
    const shown = relative(REPO_ROOT, file);
    const yaml = readYaml(file, shown);
    if (!yaml.ok) { problems.push(yaml.problem); continue; }
    const parsed = quizFileSchema.safeParse(yaml.value);
    if (!parsed.success) {
      problems.push(...describeIssues(shown, parsed.error.issues));
      continue;
    }
    const id = basename(name, '.yaml');
    if (parsed.data.id !== id) {
      problems.push(`${shown}: id: "${parsed.data.id}" must equal the file name "${id}"`);
      continue;
    }
    quizzes.set(id, parsed.data);
  }
  return { quizzes, problems };
}

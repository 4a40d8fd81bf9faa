// All quizzes under a folder (docs/quizzes/<id>.yaml). A broken quiz is
// reported, naming file, field and what was expected, and skipped; the others load.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
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
    let raw: unknown;
    try {
      raw = parseYaml(readFileSync(file, 'utf8'));
    } catch (e) {
      const where = e instanceof YAMLParseError && e.linePos ? ` at line ${e.linePos[0].line}` : '';
      problems.push(`${shown}: not valid YAML${where}: ${(e as Error).message.split('\n')[0]}`);
      continue;
    }
    const parsed = quizFileSchema.safeParse(raw);
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

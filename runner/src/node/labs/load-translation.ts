// Reads a lab's translations (lab.<lang>.yaml, steps/*.<lang>.md,
// solution.<lang>.md) and checks them against the English (lab-translation.ts).
// A lab without a lab.<lang>.yaml is simply not translated into <lang>; one with
// it must be complete.
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { readYaml } from '../util/read-yaml.ts';
import { describeIssues, type ResolvedLab } from '../../common/lab-schema.ts';
import {
  labTranslationFileSchema, translationProblems, TRANSLATED_LANGS, type LabTranslation, type TranslatedLang,
} from '../../common/lab-translation.ts';

/** `steps/01-observe.md` → `steps/01-observe.ko.md` */
export function translatedPath(rel: string, lang: TranslatedLang): string {
  return rel.replace(/\.md$/, `.${lang}.md`);
}

export function loadTranslations(
  lab: ResolvedLab, solutionNotesRel: string | null, stepTitle: (markdown: string, rel: string) => string,
): { translations: Partial<Record<TranslatedLang, LabTranslation>>; problems: string[] } {
  const translations: Partial<Record<TranslatedLang, LabTranslation>> = {};
  const problems: string[] = [];
  const folder = basename(lab.dir);
  for (const lang of TRANSLATED_LANGS) {
    const rel = `lab.${lang}.yaml`;
    const file = join(lab.dir, rel);
    const shown = `${folder}/${rel}`;
    if (!existsSync(file)) continue;
    const yaml = readYaml(file, shown);
    if (!yaml.ok) { problems.push(yaml.problem); continue; }
    const parsed = labTranslationFileSchema.safeParse(yaml.value);
    if (!parsed.success) { problems.push(...describeIssues(shown, parsed.error.issues)); continue; }
    const read = (english: string): string | null => {
      const p = join(lab.dir, translatedPath(english, lang));
      if (existsSync(p)) return readFileSync(p, 'utf8');
      problems.push(`${folder}/${translatedPath(english, lang)}: missing (${shown} exists, so every step and the solution need their ${lang} file)`);
      return null;
    };
    const steps = lab.steps.map((s) => {
      const markdown = read(s.file) ?? s.markdown;
      return { file: `${folder}/${translatedPath(s.file, lang)}`, title: stepTitle(markdown, s.file), markdown };
    });
    const solutionNotes = solutionNotesRel ? read(solutionNotesRel) : null;
    const t: LabTranslation = { file: parsed.data, steps, solutionNotes };
    const found = [...translationProblems(lab, t, shown), ...motdProblems(lab, parsed.data.motd, shown)];
    if (found.length) { problems.push(...found); continue; }
    translations[lang] = t;
  }
  return { translations, problems };
}

/** A container lab's shell banner (image/files/motd): where the English one is, for the translation to match. */
export const MOTD_FILE = 'image/files/motd';

/**
 * A container lab with a banner needs it translated (`motd:`), keeping every path,
 * command and `{a|b}` of the English one, which the learner types from it.
 */
function motdProblems(lab: ResolvedLab, translated: string | undefined, shown: string): string[] {
  const file = join(lab.dir, MOTD_FILE);
  if (lab.backend !== 'container' || !existsSync(file)) return translated ? [`${shown}: motd: only a container lab with ${MOTD_FILE} has a banner to translate`] : [];
  if (!translated) return [`${shown}: motd: missing (the lab's shell opens with ${MOTD_FILE}; give its translation, paths and commands unchanged)`];
  const english = readFileSync(file, 'utf8');
  const lost = motdTokens(english).filter((tok) => !translated.includes(tok));
  return lost.length ? [`${shown}: motd: keeps every path and command of ${MOTD_FILE}; missing ${lost.map((x) => `"${x}"`).join(', ')}`] : [];
}

/** What a learner types from a banner: paths, `name {a|b}` controls, `host:port`, `command arg` in parentheses. */
export function motdTokens(text: string): string[] {
  const found = new Set<string>();
  for (const m of text.matchAll(/\/[\w./-]+|\w+ \{[\w|]+\}|\d+\.\d+\.\d+\.\d+:\d+|`[^`]+`/g)) found.add(m[0].replace(/[.,;:]+$/, ''));
  return [...found];
}

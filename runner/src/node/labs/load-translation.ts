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
    const found = translationProblems(lab, t, shown);
    if (found.length) { problems.push(...found); continue; }
    translations[lang] = t;
  }
  return { translations, problems };
}

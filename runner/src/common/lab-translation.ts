// A lab in another language. A lab's translation sits next to its English
// (docs/authoring.md "Translations"): lab.<lang>.yaml holds the learner-visible
// strings of lab.yaml keyed by task id, steps/NN-name.<lang>.md and
// solution.<lang>.md the prose. Commands are the English ones, byte for byte:
// the self-test walks the English steps, so a translation may not change what
// a learner types (checked by translationProblems).
import type { Lang } from './langs.ts';
import type { ResolvedLab } from './lab-schema.ts';
import type { LabTranslation } from './lab-translation-schema.ts';

export { TRANSLATED_LANGS, labTranslationFileSchema, type LabTranslation, type LabTranslationFile, type TranslatedLang } from './lab-translation-schema.ts';

/**
 * What is missing or differs from the English: every task has an entry with
 * the same number of hints and wrong-answer messages, questions have their
 * prompt (and why, placeholder where the English has one), and every command
 * block and command span is the English one.
 */
export function translationProblems(lab: ResolvedLab, t: LabTranslation, shown: string): string[] {
  const problems: string[] = [];
  const ids = new Set(lab.tasks.map((x) => x.id));
  for (const id of Object.keys(t.file.tasks)) if (!ids.has(id)) problems.push(`${shown}: tasks.${id}: lab.yaml has no task "${id}"`);
  for (const task of lab.tasks) {
    const tr = t.file.tasks[task.id];
    const at = `${shown}: tasks.${task.id}`;
    if (!tr) { problems.push(`${at}: missing (every task needs its title and, for a question, its prompt)`); continue; }
    const q = task.question;
    if (q && !tr.prompt) problems.push(`${at}.prompt: missing (the task asks a question)`);
    if (!q && (tr.prompt || tr.placeholder || tr.why || tr.wrong)) problems.push(`${at}: the task has no question, so no prompt, placeholder, why or wrong`);
    if (q?.placeholder && !tr.placeholder) problems.push(`${at}.placeholder: missing`);
    if (q?.why && !tr.why) problems.push(`${at}.why: missing`);
    const wrong = q?.wrong?.length ?? 0;
    if ((tr.wrong?.length ?? 0) !== wrong) problems.push(`${at}.wrong: expected ${wrong} message(s), one per lab.yaml wrong answer in its order; found ${tr.wrong?.length ?? 0}`);
    if ((tr.hints?.length ?? 0) !== task.hints.length) {
      problems.push(`${at}.hints: expected ${task.hints.length} hint(s) in lab.yaml's order; found ${tr.hints?.length ?? 0}`);
    } else {
      task.hints.forEach((h, i) => {
        if (!sameList(codeSpans(h), codeSpans(tr.hints![i]!))) problems.push(`${at}.hints.${i}: its commands (\`code\` spans and their markers) must be the English hint's, unchanged`);
      });
    }
  }
  if (lab.timeline && !t.file.timeline) problems.push(`${shown}: timeline.title: missing (lab.yaml has a timeline)`);
  const reads = lab.next?.read.length ?? 0;
  if ((t.file.next?.read.length ?? 0) !== reads) problems.push(`${shown}: next.read: expected ${reads} title(s) in lab.yaml's order; found ${t.file.next?.read.length ?? 0}`);
  lab.steps.forEach((step, i) => {
    const tr = t.steps[i];
    if (!tr) return;
    if (!sameList(fencedBlocks(step.markdown), fencedBlocks(tr.markdown))) {
      problems.push(`${tr.file}: its command blocks must be ${step.file}'s, unchanged and in the same order (the self-test walks the English ones)`);
    }
  });
  return problems;
}

/** The lab as a learner reading `lang` sees it; the lab itself where it has no translation. */
export function localizeLab(lab: ResolvedLab, lang: Lang): ResolvedLab {
  const t = lang === 'en' ? undefined : lab.translations?.[lang];
  if (!t) return lab;
  const cached = localized.get(lab);
  if (cached) return cached;
  const f = t.file;
  const out: ResolvedLab = {
    ...lab,
    title: f.title,
    summary: f.summary,
    steps: t.steps,
    tasks: lab.tasks.map((task) => {
      const tr = f.tasks[task.id]!;
      return {
        ...task,
        title: tr.title,
        hints: tr.hints ?? task.hints,
        question: task.question
          ? {
            ...task.question,
            prompt: tr.prompt ?? task.question.prompt,
            placeholder: tr.placeholder ?? task.question.placeholder,
            why: tr.why ?? task.question.why ?? null,
            ...(task.question.wrong ? { wrong: task.question.wrong.map((w, i) => ({ ...w, message: tr.wrong?.[i] ?? w.message })) } : {}),
          }
          : null,
      };
    }),
    solution: { ...lab.solution, notes: t.solutionNotes ?? lab.solution.notes },
    ...(lab.next ? { next: { read: lab.next.read.map((r, i) => ({ ...r, title: f.next?.read[i] ?? r.title })) } } : {}),
    ...(lab.timeline ? { timeline: { ...lab.timeline, title: f.timeline?.title ?? lab.timeline.title } } : {}),
  };
  localized.set(lab, out);
  return out;
}

const localized = new WeakMap<ResolvedLab, ResolvedLab>();

/** The fenced code blocks of a markdown text, info string and body, in order. */
export function fencedBlocks(markdown: string): string[] {
  const out: string[] = [];
  let open: string[] | null = null;
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) {
      if (open) { open.push(line.trim()); out.push(open.join('\n')); open = null; } else open = [line.trim()];
    } else if (open) open.push(line);
  }
  return out;
}

/** The `code` spans of a hint, each with a `{walkthrough=…}` marker right after it. */
export function codeSpans(text: string): string[] {
  return [...text.matchAll(/`[^`]+`(\{[^}]*\})?/g)].map((m) => m[0]);
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

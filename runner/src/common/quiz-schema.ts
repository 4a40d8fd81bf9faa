// Quizzes: practice questions on the site's pages and the graded checkpoint at
// the end of each roadmap stage. One YAML file per quiz (docs/quizzes/<id>.yaml,
// docs/authoring.md "Quizzes"); a page shows it with `::: quiz <id>`. The
// answers stay with the runner: the page gets `toPublicQuiz`, which has none.
import { z } from 'zod';
import { isRegExp } from './params.ts';
import { MAX_QUESTION_ATTEMPTS } from './attempts.ts';
import { localizedSchema, pick, type Lang, type Localized } from './langs.ts';
import { SLUG_PATTERN } from './ids.ts';

export const QUESTION_TYPES = ['single', 'multiple', 'text'] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];

/**
 * Wrong answers a question takes before it closes, when the file sets none: one
 * retry. A choice question with no limit grades nothing (click until it passes);
 * one with no retry punishes a slip of the mouse.
 */
export const DEFAULT_QUIZ_ATTEMPTS = 2;
/** Choices per question: at least two to choose from, at most what fits a phone screen. */
export const MIN_CHOICES = 2;
export const MAX_CHOICES = 8;

const slug = z.string().regex(SLUG_PATTERN, 'expected a slug: lower-case letters, digits and dashes, e.g. "after-utilization"');

const choiceSchema = z.object({
  id: slug,
  text: localizedSchema,
  /** One of the right choices. Never sent to a page. */
  correct: z.boolean().default(false),
}).strict();

const textAnswerSchema = z.object({
  /** Case-insensitive, tried on the answer as typed and in canonical form (answers.ts), like a lab's answer. */
  pattern: z.string().min(1).refine(isRegExp, 'expected a valid regular expression'),
  /** Answers that must be accepted, in every language the pattern takes (the quiz test submits each). */
  examples: z.array(z.string().min(1)).min(1, 'expected at least one correct answer the test can submit'),
}).strict();

const wrongTextSchema = z.object({
  answers: z.array(z.string().min(1)).min(1),
  message: localizedSchema,
}).strict();

const questionSchema = z.object({
  id: slug,
  type: z.enum(QUESTION_TYPES, { error: `expected a question type: ${QUESTION_TYPES.join(', ')}` }),
  prompt: localizedSchema,
  choices: z.array(choiceSchema).min(MIN_CHOICES).max(MAX_CHOICES).optional(),
  answer: textAnswerSchema.optional(),
  placeholder: localizedSchema.optional(),
  /** Known wrong answers of a text question, each with what to tell the learner. */
  wrong: z.array(wrongTextSchema).default([]),
  /** Why the right answer is right: shown once the question is passed or closed. */
  explain: localizedSchema,
  attempts: z.number().int().min(1).max(MAX_QUESTION_ATTEMPTS).default(DEFAULT_QUIZ_ATTEMPTS),
}).strict().superRefine((q, ctx) => {
  if (q.type === 'text') {
    if (!q.answer) ctx.addIssue({ code: 'custom', path: ['answer'], message: 'a text question needs "answer: { pattern, examples }"' });
    if (q.choices) ctx.addIssue({ code: 'custom', path: ['choices'], message: 'a text question has no choices (use type single or multiple)' });
    return;
  }
  if (!q.choices) return ctx.addIssue({ code: 'custom', path: ['choices'], message: `a ${q.type} question needs "choices"` });
  if (q.answer) ctx.addIssue({ code: 'custom', path: ['answer'], message: 'a choice question marks its right choices with "correct: true" instead of "answer"' });
  const right = q.choices.filter((c) => c.correct).length;
  if (q.type === 'single' && right !== 1) ctx.addIssue({ code: 'custom', path: ['choices'], message: `a single-choice question needs exactly one choice with "correct: true" (it has ${right})` });
  if (q.type === 'multiple' && right < 1) ctx.addIssue({ code: 'custom', path: ['choices'], message: 'a multiple-choice question needs at least one choice with "correct: true"' });
  const ids = q.choices.map((c) => c.id);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup) ctx.addIssue({ code: 'custom', path: ['choices'], message: `choice id "${dup}" is used twice` });
});

export const QUIZ_KINDS = ['practice', 'checkpoint'] as const;
export type QuizKind = (typeof QUIZ_KINDS)[number];

export const quizFileSchema = z.object({
  id: slug,
  title: localizedSchema,
  /** practice: on a page, for the learner; checkpoint: the graded end of a roadmap stage. */
  kind: z.enum(QUIZ_KINDS),
  /** The roadmap stage a checkpoint closes (1–3). */
  stage: z.number().int().min(1).max(9).optional(),
  /** The page that shows it (without .md, from the site root): the roadmap and roster link to it. */
  page: z.string().regex(/^\/[a-z0-9/-]*$/, 'expected a site path such as /methodology/use-red-tsa'),
  questions: z.array(questionSchema).min(1),
}).strict().superRefine((q, ctx) => {
  if (q.kind === 'checkpoint' && q.stage === undefined) ctx.addIssue({ code: 'custom', path: ['stage'], message: 'a checkpoint names the roadmap stage it closes ("stage: 1")' });
  const ids = q.questions.map((x) => x.id);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup) ctx.addIssue({ code: 'custom', path: ['questions'], message: `question id "${dup}" is used twice` });
});

export type QuizFile = z.infer<typeof quizFileSchema>;
export type QuizQuestion = QuizFile['questions'][number];

// ---- What a page may see ----

export interface PublicChoice { id: string; text: string }
export interface PublicQuestion {
  id: string;
  type: QuestionType;
  prompt: string;
  choices: PublicChoice[];
  placeholder: string;
  attempts: number;
}
export interface PublicQuiz {
  id: string;
  title: string;
  kind: QuizKind;
  stage: number | null;
  page: string;
  questions: PublicQuestion[];
}

/** The quiz in one language without its answers, explanations or wrong-answer messages: safe to ship in a page. */
export function toPublicQuiz(quiz: QuizFile, lang: Lang): PublicQuiz {
  return {
    id: quiz.id,
    title: pick(quiz.title, lang),
    kind: quiz.kind,
    stage: quiz.stage ?? null,
    page: quiz.page,
    questions: quiz.questions.map((q) => ({
      id: q.id,
      type: q.type,
      prompt: pick(q.prompt, lang),
      choices: shuffled(q.choices ?? [], `${quiz.id}/${q.id}`).map((c) => ({ id: c.id, text: pick(c.text, lang) })),
      placeholder: q.placeholder ? pick(q.placeholder, lang) : '',
      attempts: q.attempts,
    })),
  };
}

/**
 * The choices in an order of their own, the same on every build and in both
 * languages: authors tend to write the right choice first, and a learner
 * should not learn that instead of the subject.
 */
export function shuffled<T extends { id: string }>(choices: readonly T[], seed: string): T[] {
  return [...choices].sort((a, b) => fnv1a(`${seed}/${a.id}`) - fnv1a(`${seed}/${b.id}`) || a.id.localeCompare(b.id));
}

/** 32-bit FNV-1a: a cheap, stable hash for ordering (not for secrets). */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** Every piece of text a learner reads in a quiz, with where it is: for the translation test. */
export function quizTexts(quiz: QuizFile): Array<{ where: string; text: Localized }> {
  const out: Array<{ where: string; text: Localized }> = [{ where: 'title', text: quiz.title }];
  for (const q of quiz.questions) {
    const at = `questions.${q.id}`;
    out.push({ where: `${at}.prompt`, text: q.prompt }, { where: `${at}.explain`, text: q.explain });
    if (q.placeholder) out.push({ where: `${at}.placeholder`, text: q.placeholder });
    for (const c of q.choices ?? []) out.push({ where: `${at}.choices.${c.id}`, text: c.text });
    q.wrong.forEach((w, i) => out.push({ where: `${at}.wrong[${i}]`, text: w.message }));
  }
  return out;
}

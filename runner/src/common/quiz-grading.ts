// Grading of quiz answers. Pure, so the runner (which grades), the quiz test
// and the docs agree. A text answer is graded exactly like a lab's answer
// (answers.ts: the same normalisation and canonical form); a choice answer is
// the set of choice ids the learner ticked.
import { answerForms, canonicalAnswer, MAX_ANSWER_LENGTH, normalizeAnswer } from './answers.ts';
import { pick, type Lang } from './langs.ts';
import type { QuizQuestion } from './quiz-schema.ts';

/** What a learner sends: a choice id (single), choice ids (multiple), or text. */
export type QuizAnswer = string | string[];

export interface QuizAnswerGrade {
  passed: boolean;
  /** For the learner, in their language: right, or what is wrong with the answer. */
  message: string;
}

/** An answer that does not fit the question (unknown choice, text for a choice question): not counted. */
export interface QuizAnswerProblem { problem: string }

const SAID = {
  correct: { en: 'Correct.', ko: '정답입니다.' },
  wrongChoice: { en: 'Not this one.', ko: '이 답이 아닙니다.' },
  tooFew: { en: 'Not quite: at least one right choice is missing.', ko: '아직 아닙니다: 맞는 선택지가 하나 이상 빠졌습니다.' },
  tooMany: { en: 'Not quite: at least one choice you ticked is wrong.', ko: '아직 아닙니다: 고른 것 중 틀린 선택지가 있습니다.' },
  wrongText: { en: 'is not it.', ko: '은(는) 정답이 아닙니다.' },
} as const;

/** The answer in the form its question takes, or what is wrong with its shape. */
export function checkAnswerShape(q: QuizQuestion, answer: QuizAnswer): QuizAnswerProblem | null {
  const ids = (q.choices ?? []).map((c) => c.id);
  if (q.type === 'text') {
    if (typeof answer !== 'string') return { problem: `question "${q.id}" takes a text answer (a string), not a list` };
    const text = normalizeAnswer(answer);
    if (!text.length) return { problem: `the answer to question "${q.id}" is empty` };
    if (text.length > MAX_ANSWER_LENGTH) return { problem: `the answer to question "${q.id}" is ${text.length} characters (at most ${MAX_ANSWER_LENGTH})` };
    return null;
  }
  const picked = typeof answer === 'string' ? [answer] : answer;
  if (q.type === 'single' && (typeof answer !== 'string')) return { problem: `question "${q.id}" takes one choice id (a string), e.g. "${ids[0]}"` };
  if (!picked.length) return { problem: `question "${q.id}" needs at least one choice id (from: ${ids.join(', ')})` };
  const unknown = picked.find((p) => !ids.includes(p));
  if (unknown !== undefined) return { problem: `question "${q.id}" has no choice "${unknown.slice(0, 40)}" (its choices: ${ids.join(', ')})` };
  if (new Set(picked).size !== picked.length) return { problem: `question "${q.id}": a choice is ticked twice` };
  return null;
}

/** Grades an answer of the right shape (checkAnswerShape first). */
export function gradeQuizAnswer(q: QuizQuestion, answer: QuizAnswer, lang: Lang): QuizAnswerGrade {
  if (q.type === 'text') return gradeText(q, answer as string, lang);
  const picked = new Set(typeof answer === 'string' ? [answer] : answer);
  const right = new Set((q.choices ?? []).filter((c) => c.correct).map((c) => c.id));
  const missing = [...right].some((id) => !picked.has(id));
  const extra = [...picked].some((id) => !right.has(id));
  if (!missing && !extra) return { passed: true, message: SAID.correct[lang] };
  if (q.type === 'single') return { passed: false, message: SAID.wrongChoice[lang] };
  return { passed: false, message: extra ? SAID.tooMany[lang] : SAID.tooFew[lang] };
}

function gradeText(q: QuizQuestion, raw: string, lang: Lang): QuizAnswerGrade {
  const re = new RegExp(q.answer!.pattern, 'i');
  if (answerForms(raw).some((form) => form.length > 0 && re.test(form))) return { passed: true, message: SAID.correct[lang] };
  const canonical = canonicalAnswer(raw);
  const known = q.wrong.find((w) => w.answers.some((a) => canonicalAnswer(a) === canonical));
  if (known) return { passed: false, message: pick(known.message, lang) };
  const shown = normalizeAnswer(raw);
  return { passed: false, message: `"${shown.length > 40 ? `${shown.slice(0, 40)}…` : shown}" ${SAID.wrongText[lang]}` };
}

/** The right answer as a learner reads it, shown once the question is passed or closed. */
export function rightAnswer(q: QuizQuestion, lang: Lang): string {
  if (q.type === 'text') return q.answer!.examples[0]!;
  return (q.choices ?? []).filter((c) => c.correct).map((c) => pick(c.text, lang)).join(' · ');
}

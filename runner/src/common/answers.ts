// Grading of free-text answers. Pure, so the runner and the self-test agree.
//
// A learner's answer is matched in two forms: as typed (trimmed, spaces
// collapsed) and in its canonical form (canonicalAnswer: lower case, without
// surrounding quotes or punctuation, a leading `%`, a trailing `()` or man-page
// section `(2)`, or a `sys_` prefix). An author's pattern accepts the answer if
// it matches either form, so patterns written before canonical forms existed
// keep working and a learner who writes `%sy` or `writev()` is not refused.
import type { ResolvedAnswer, ResolvedQuestion, ResolvedWrongAnswer } from './lab-schema.ts';
import { fillPlaceholder, type ParamValues } from './params.ts';
import type { Lang } from './langs.ts';

/** Longest answer the runner accepts; longer input is refused, not truncated. */
export const MAX_ANSWER_LENGTH = 200;

/** What a pass says when the lab gives no reason. */
export const DEFAULT_PASS_MESSAGE = 'Correct.';

/** The answer as typed: trimmed, runs of white space made one space. Recorded, and measured against MAX_ANSWER_LENGTH. */
export function normalizeAnswer(raw: string): string {
  return raw.trim().replace(/\s+/g, ' ');
}

/** Quotes, back-ticks and sentence punctuation a learner may put around an answer (`"sy".`, `**sy**`). */
const SURROUNDING = /^[\s"'`“”‘’«».,;:!?*]+|[\s"'`“”‘’«».,;:!?*]+$/g;
/** A column or field name written with vmstat/top/mpstat's percent sign: `%sy`. */
const LEADING_PERCENT = /^%\s*/;
/** A function written as called, `writev()`, or with its man-page section, `writev(2)`, `printf(3p)`. */
const TRAILING_CALL = /\s*\((?:[0-9][a-z]*)?\)$/;
/** A system call named by its kernel entry point: `sys_writev`, `__x64_sys_writev`, `__arm64_sys_writev`. */
const SYSCALL_PREFIX = /^(?:__(?:x64|ia32|arm64|x32)_)?sys_(?=[a-z0-9_]+$)/;

/**
 * The canonical form of an answer: lower case, without the decorations that
 * do not change what it names. Applied until nothing changes (`"%sy".` → `sy`).
 */
export function canonicalAnswer(raw: string): string {
  let text = normalizeAnswer(raw).toLowerCase();
  for (;;) {
    const next = text.replace(SURROUNDING, '').replace(LEADING_PERCENT, '').replace(TRAILING_CALL, '').replace(SYSCALL_PREFIX, '').trim();
    if (next === text) return text;
    text = next;
  }
}

/** The forms of an answer a pattern is tried on: as typed, then canonical (each once). */
export function answerForms(raw: string): string[] {
  const typed = normalizeAnswer(raw);
  const canonical = canonicalAnswer(raw);
  return canonical === typed ? [typed] : [typed, canonical];
}

/**
 * Is `raw` a correct answer? An answer that names a parameter (`param`) is
 * graded against this learner's value of it (`params`): without that value
 * nothing is correct, and another learner's value is not.
 */
export function isCorrectAnswer(answer: ResolvedAnswer, raw: string, params: ParamValues = {}): boolean {
  const text = normalizeAnswer(raw);
  if (text.length === 0 || text.length > MAX_ANSWER_LENGTH) return false;
  const pattern = answerPattern(answer, params);
  if (pattern === null) return false;
  const re = new RegExp(pattern, 'i');
  // An answer that is only decoration (`()`, `"…"`) has an empty canonical form: never correct.
  return answerForms(raw).some((form) => form.length > 0 && re.test(form));
}

/** The declared wrong answer `raw` is, if any: by its canonical form (`answers`) or by pattern. */
export function knownWrongAnswer(wrong: readonly ResolvedWrongAnswer[], raw: string): ResolvedWrongAnswer | null {
  const canonical = canonicalAnswer(raw);
  if (canonical.length === 0) return null;
  const forms = answerForms(raw);
  return wrong.find((w) =>
    w.answers.some((a) => canonicalAnswer(a) === canonical)
    || (w.pattern !== null && forms.some((form) => new RegExp(w.pattern!, 'i').test(form))),
  ) ?? null;
}

export interface Grade {
  passed: boolean;
  /** For the learner: why it is right, what the wrong answer they gave actually is, or where to look. */
  message: string;
}

/** What the grader says in each language where the lab gives no words of its own. */
const SAID: Record<Lang, { correct: string; correctWhy: (why: string) => string; notIt: (quoted: string, hasHints: boolean) => string }> = {
  en: {
    correct: DEFAULT_PASS_MESSAGE,
    correctWhy: (why) => `Correct: ${why}`,
    notIt: (quoted, hints) => `"${quoted}" is not it. Read the step's output again${hints ? ', or take a hint' : ''}.`,
  },
  ko: {
    correct: '정답입니다.',
    correctWhy: (why) => `정답입니다: ${why}`,
    notIt: (quoted, hints) => `"${quoted}"은(는) 답이 아닙니다. 단계의 출력을 다시 읽어 보십시오${hints ? '. 힌트를 볼 수도 있습니다' : ''}.`,
  },
};

/**
 * Grades an answer and says something useful about it: a pass gives the lab's
 * reason (`why`), a declared wrong answer its own message, any other miss
 * names the answer and points back at the step (and the hints, when there are some).
 * `question` is in the learner's language (localizeLab); so are the words added here.
 */
export function gradeAnswer(question: ResolvedQuestion, raw: string, params: ParamValues = {}, hasHints = false, lang: Lang = 'en'): Grade {
  const said = SAID[lang];
  if (isCorrectAnswer(question.answer, raw, params)) {
    const why = question.why?.trim();
    return { passed: true, message: why ? said.correctWhy(why) : said.correct };
  }
  const known = knownWrongAnswer(question.wrong ?? [], raw);
  if (known) return { passed: false, message: known.message };
  const shown = normalizeAnswer(raw);
  const quoted = shown.length > 40 ? `${shown.slice(0, 40)}…` : shown;
  return { passed: false, message: said.notIt(quoted, hasHints) };
}

/** The regular expression for this learner, or null when the parameter it needs has no value. */
export function answerPattern(answer: ResolvedAnswer, params: ParamValues = {}): string | null {
  if (answer.param === undefined) return answer.pattern;
  const value = params[answer.param];
  return value === undefined ? null : fillPlaceholder(answer.pattern, value, true);
}

/** A correct answer for this learner (the self-test submits it), or null without the parameter's value. */
export function exampleAnswer(answer: ResolvedAnswer, params: ParamValues = {}): string | null {
  if (answer.param === undefined) return answer.example;
  const value = params[answer.param];
  return value === undefined ? null : fillPlaceholder(answer.example, value, false);
}

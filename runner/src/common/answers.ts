// Grading of free-text answers. Pure, so the runner and the self-test agree.
import type { ResolvedAnswer } from './lab-schema.ts';
import { fillPlaceholder, type ParamValues } from './params.ts';

/** Longest answer the runner accepts; longer input is refused, not truncated. */
export const MAX_ANSWER_LENGTH = 200;

export function normalizeAnswer(raw: string): string {
  return raw.trim().replace(/\s+/g, ' ');
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
  return pattern !== null && new RegExp(pattern, 'i').test(text);
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

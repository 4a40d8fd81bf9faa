// Grading of free-text answers. Pure, so the runner and the self-test agree.
import type { ResolvedAnswer } from './lab-schema.ts';

/** Longest answer the runner accepts; longer input is refused, not truncated. */
export const MAX_ANSWER_LENGTH = 200;

export function normalizeAnswer(raw: string): string {
  return raw.trim().replace(/\s+/g, ' ');
}

export function isCorrectAnswer(answer: ResolvedAnswer, raw: string): boolean {
  const text = normalizeAnswer(raw);
  if (text.length === 0 || text.length > MAX_ANSWER_LENGTH) return false;
  return new RegExp(answer.pattern, 'i').test(text);
}

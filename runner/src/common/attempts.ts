// A question's attempt limit and penalty (lab.yaml `attempts`, `penalty`):
// what is left, when it closes, and what a task scores. Pure, so the runner
// (which enforces it), the grade export and the page (which shows it) agree.
//
// The scoring model: every task is worth one point. A task that is not passed
// scores 0. A passed task scores 1 − penalty × (wrong answers before its first
// pass), never below 0. A question with `attempts: n` closes after n wrong
// answers: it can no longer pass and scores 0. Without `attempts` there is no
// limit; without `penalty` a wrong answer costs nothing (a pass scores 1).
import type { Lang } from './langs.ts';

/** Highest `attempts` a lab may set: more is the same as no limit, and is a typo more often than a rule. */
export const MAX_QUESTION_ATTEMPTS = 20;

/** A question's rules as lab.yaml sets them; null and 0 are the defaults (no limit, no penalty). */
export interface AttemptRules {
  /** Wrong answers after which the question closes; null: no limit. */
  attempts: number | null;
  /** Fraction of the task's point each wrong answer before the pass costs (0–1); 0: none. */
  penalty: number;
}

export const NO_ATTEMPT_RULES: AttemptRules = { attempts: null, penalty: 0 };

/** Scores are rounded to 4 decimals like credit, so JSON and CSV agree. */
function round4(n: number): number {
  return Math.round(n * 10_000) / 10_000;
}

/** Attempts still open; null without a limit. Never negative. */
export function attemptsLeft(rules: AttemptRules, wrong: number): number | null {
  return rules.attempts === null ? null : Math.max(0, rules.attempts - wrong);
}

/** Closed: the limit is used up and the question was never passed. */
export function isClosed(rules: AttemptRules, wrong: number, passed: boolean): boolean {
  return !passed && rules.attempts !== null && wrong >= rules.attempts;
}

/** The task's score after the penalty: 0–1, 4 decimals. */
export function taskScore(rules: AttemptRules, wrong: number, passed: boolean): number {
  if (!passed) return 0;
  return round4(Math.max(0, 1 - rules.penalty * wrong));
}

/** What the learner reads beside the answer field: attempts left, the penalty, or that the question is closed. */
export function attemptsNote(rules: AttemptRules, wrong: number, passed: boolean, lang: Lang = 'en'): string {
  return lang === 'ko' ? attemptsNoteKo(rules, wrong, passed) : attemptsNoteEn(rules, wrong, passed);
}

function attemptsNoteEn(rules: AttemptRules, wrong: number, passed: boolean): string {
  if (passed) {
    if (rules.penalty === 0 || wrong === 0) return '';
    return `Scored ${taskScore(rules, wrong, passed)} of 1 (${wrong} wrong answer${wrong === 1 ? '' : 's'} before the right one).`;
  }
  if (isClosed(rules, wrong, passed)) {
    return `Closed: all ${rules.attempts} attempt${rules.attempts === 1 ? '' : 's'} used. This question no longer takes answers and scores 0.`;
  }
  const parts: string[] = [];
  const left = attemptsLeft(rules, wrong);
  if (left !== null) parts.push(`${left} of ${rules.attempts} attempt${rules.attempts === 1 ? '' : 's'} left`);
  if (rules.penalty > 0) parts.push(`each wrong answer costs ${rules.penalty} of this task's point`);
  if (!parts.length) return '';
  const text = parts.join('; ');
  return `${text[0]!.toUpperCase()}${text.slice(1)}.`;
}

function attemptsNoteKo(rules: AttemptRules, wrong: number, passed: boolean): string {
  if (passed) {
    if (rules.penalty === 0 || wrong === 0) return '';
    return `1점 중 ${taskScore(rules, wrong, passed)}점을 받았습니다 (맞히기 전에 ${wrong}번 틀림).`;
  }
  if (isClosed(rules, wrong, passed)) {
    return `마감: 기회 ${rules.attempts}번을 모두 썼습니다. 이 문제는 더 이상 답을 받지 않으며 0점입니다.`;
  }
  const parts: string[] = [];
  const left = attemptsLeft(rules, wrong);
  if (left !== null) parts.push(`남은 기회 ${left}/${rules.attempts}`);
  if (rules.penalty > 0) parts.push(`틀린 답 하나마다 이 과제 점수에서 ${rules.penalty}점이 깎입니다`);
  return parts.length ? `${parts.join('. ')}.` : '';
}

/** One learner's answers at one question so far: wrong answers before the first pass, and whether it passed. */
export interface AnswerCount { wrong: number; passed: boolean }

/** The count after one more answer, or the count unchanged and `recorded: false` when the question is closed. */
export type AnswerOutcome = AnswerCount & { recorded: boolean };

export const NO_ANSWERS: AnswerCount = { wrong: 0, passed: false };

/**
 * Counts one more answer against `attempts` (null: no limit). A closed question
 * refuses it: not counted, nothing changes. A wrong answer after the pass costs nothing.
 */
export function nextAnswerCount(before: AnswerCount, passed: boolean, attempts: number | null): AnswerOutcome {
  if (isClosed({ attempts, penalty: 0 }, before.wrong, before.passed)) return { ...before, recorded: false };
  return { wrong: before.wrong + (before.passed || passed ? 0 : 1), passed: before.passed || passed, recorded: true };
}

/** What a closed question says to an answer it refuses. */
export function closedMessage(attempts: number, lang: Lang = 'en'): string {
  if (lang === 'ko') return `이 문제는 마감되었습니다: 맞히지 못한 채 기회 ${attempts}번을 모두 써서 더 이상 답을 받지 않습니다 (0점)`;
  return `this question is closed: all ${attempts} attempt${attempts === 1 ? ' was' : 's were'} used without the right answer, so it takes no more answers (it scores 0)`;
}

/** Credit as a fraction rounded to 4 decimals (0.6667), so JSON and CSV agree. */
export function credit(score: number, total: number): number {
  return total === 0 ? 0 : Math.round((score / total) * 10_000) / 10_000;
}

/** Scores added up, rounded to 4 decimals: 0.1 + 0.2 is 0.3 here. */
export function sumScores(scores: readonly number[]): number {
  return Math.round(scores.reduce((n, s) => n + s, 0) * 10_000) / 10_000;
}


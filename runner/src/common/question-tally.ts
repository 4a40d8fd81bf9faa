// A question's tally as the learner gets it (TaskState.tally, CheckResult.tally):
// its own file so attempts.ts (which lab-schema.ts imports) needs nothing from
// the protocol, and no import goes round in a circle.
import { attemptsLeft, attemptsNote, isClosed, taskScore, type AnswerCount, type AttemptRules } from './attempts.ts';
import type { Lang } from './langs.ts';
import type { QuestionTally } from './protocol.ts';

/** Where a question stands: wrong answers, attempts left, closed, score and the line the learner reads. */
export function questionTally(rules: AttemptRules, count: AnswerCount, lang: Lang = 'en'): QuestionTally {
  const { wrong, passed } = count;
  return {
    wrong, attemptsLeft: attemptsLeft(rules, wrong), closed: isClosed(rules, wrong, passed),
    score: taskScore(rules, wrong, passed), note: attemptsNote(rules, wrong, passed, lang),
  };
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { questionTally } from './question-tally.ts';

test('the tally the page and the CLI get', () => {
  assert.deepEqual(questionTally({ attempts: 3, penalty: 0.25 }, { wrong: 1, passed: false }), { wrong: 1, attemptsLeft: 2, closed: false, score: 0, note: "2 of 3 attempts left; each wrong answer costs 0.25 of this task's point." });
  assert.deepEqual(questionTally({ attempts: 1, penalty: 0 }, { wrong: 1, passed: false }).closed, true);
  assert.deepEqual(questionTally({ attempts: null, penalty: 0.5 }, { wrong: 1, passed: true }).score, 0.5);
});

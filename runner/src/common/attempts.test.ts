import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attemptsLeft, attemptsNote, closedMessage, isClosed, nextAnswerCount, NO_ANSWERS, taskScore } from './attempts.ts';

test('a pass scores 1 less the penalty per wrong answer before it, never below 0; no pass scores 0', () => {
  assert.equal(taskScore({ attempts: null, penalty: 0 }, 5, true), 1, 'no penalty: any pass is the whole point');
  assert.equal(taskScore({ attempts: null, penalty: 0.25 }, 2, true), 0.5);
  assert.equal(taskScore({ attempts: null, penalty: 0.3 }, 1, true), 0.7);
  assert.equal(taskScore({ attempts: null, penalty: 0.1 }, 3, true), 0.7, 'rounded, not 0.7000000000000001');
  assert.equal(taskScore({ attempts: null, penalty: 0.5 }, 3, true), 0, 'floor 0');
  assert.equal(taskScore({ attempts: 3, penalty: 0.25 }, 1, false), 0);
});

test('attempts left and closed follow the limit; a passed question is never closed', () => {
  const two = { attempts: 2, penalty: 0 };
  assert.equal(attemptsLeft(two, 0), 2);
  assert.equal(attemptsLeft(two, 3), 0, 'never negative');
  assert.equal(attemptsLeft({ attempts: null, penalty: 0 }, 9), null);
  assert.equal(isClosed(two, 1, false), false);
  assert.equal(isClosed(two, 2, false), true);
  assert.equal(isClosed(two, 2, true), false);
  assert.equal(isClosed({ attempts: null, penalty: 0 }, 99, false), false);
});

test('counting an answer: wrong ones count until the pass; a closed question refuses without counting', () => {
  let c = nextAnswerCount(NO_ANSWERS, false, 2);
  assert.deepEqual(c, { wrong: 1, passed: false, recorded: true });
  c = nextAnswerCount(c, false, 2);
  assert.deepEqual(c, { wrong: 2, passed: false, recorded: true });
  assert.deepEqual(nextAnswerCount(c, true, 2), { wrong: 2, passed: false, recorded: false });
  const passed = nextAnswerCount({ wrong: 1, passed: false }, true, 2);
  assert.deepEqual(passed, { wrong: 1, passed: true, recorded: true });
  assert.deepEqual(nextAnswerCount(passed, false, 2), { wrong: 1, passed: true, recorded: true }, 'after the pass: recorded, not counted');
  assert.deepEqual(nextAnswerCount({ wrong: 50, passed: false }, false, null), { wrong: 51, passed: false, recorded: true });
});

test('what the learner reads', () => {
  assert.equal(attemptsNote({ attempts: null, penalty: 0 }, 3, false), '', 'nothing to say without rules');
  assert.equal(attemptsNote({ attempts: 3, penalty: 0 }, 1, false), '2 of 3 attempts left.');
  assert.equal(attemptsNote({ attempts: 1, penalty: 0 }, 0, false), '1 of 1 attempt left.');
  assert.equal(attemptsNote({ attempts: null, penalty: 0.25 }, 0, false), "Each wrong answer costs 0.25 of this task's point.");
  assert.equal(attemptsNote({ attempts: 2, penalty: 0.5 }, 0, false), "2 of 2 attempts left; each wrong answer costs 0.5 of this task's point.");
  assert.match(attemptsNote({ attempts: 2, penalty: 0 }, 2, false), /^Closed: all 2 attempts used/);
  assert.equal(attemptsNote({ attempts: 2, penalty: 0.25 }, 1, true), 'Scored 0.75 of 1 (1 wrong answer before the right one).');
  assert.equal(attemptsNote({ attempts: 2, penalty: 0 }, 1, true), '', 'no penalty: a pass is a pass');
  assert.match(closedMessage(1), /all 1 attempt was used/);
});

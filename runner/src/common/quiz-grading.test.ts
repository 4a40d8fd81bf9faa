import { test } from 'node:test';
import assert from 'node:assert/strict';
import { quizFileSchema, shuffled, toPublicQuiz, type QuizFile } from './quiz-schema.ts';
import { checkAnswerShape, gradeQuizAnswer, rightAnswer } from './quiz-grading.ts';

const quiz: QuizFile = quizFileSchema.parse({
  id: 'sample', kind: 'practice', page: '/x', title: { en: 'Sample', ko: '예시' },
  questions: [
    { id: 'one', type: 'single', prompt: 'Pick', explain: 'because', choices: [{ id: 'a', text: 'A', correct: true }, { id: 'b', text: 'B' }] },
    { id: 'many', type: 'multiple', prompt: 'Pick all', explain: 'because', choices: [{ id: 'a', text: 'A', correct: true }, { id: 'b', text: 'B', correct: true }, { id: 'c', text: 'C' }] },
    {
      id: 'word', type: 'text', prompt: 'Name it', explain: { en: 'why', ko: '이유' },
      answer: { pattern: '^(saturation|포화도)$', examples: ['saturation', '포화도'] },
      wrong: [{ answers: ['utilization'], message: { en: 'That is U.', ko: '그것은 U입니다.' } }],
    },
  ],
});
const [one, many, word] = quiz.questions as [QuizFile['questions'][number], QuizFile['questions'][number], QuizFile['questions'][number]];

test('a single-choice answer passes only with the right choice id', () => {
  assert.equal(gradeQuizAnswer(one, 'a', 'en').passed, true);
  assert.deepEqual(gradeQuizAnswer(one, 'b', 'ko'), { passed: false, message: '이 답이 아닙니다.' });
});

test('a multiple-choice answer must tick every right choice and no wrong one, and says which way it is off', () => {
  assert.equal(gradeQuizAnswer(many, ['b', 'a'], 'en').passed, true);
  assert.match(gradeQuizAnswer(many, ['a'], 'en').message, /missing/);
  assert.match(gradeQuizAnswer(many, ['a', 'b', 'c'], 'en').message, /wrong/);
});

test('a text answer is normalised like a lab answer, in either language', () => {
  for (const a of ['Saturation', '  "saturation".', '**SATURATION**', '포화도']) assert.equal(gradeQuizAnswer(word, a, 'en').passed, true, a);
  assert.deepEqual(gradeQuizAnswer(word, 'Utilization', 'ko'), { passed: false, message: '그것은 U입니다.' });
  assert.match(gradeQuizAnswer(word, 'errors', 'en').message, /^"errors" is not it/);
});

test('answers of the wrong shape are named, not graded', () => {
  assert.match(checkAnswerShape(one, ['a'])!.problem, /takes one choice id/);
  assert.match(checkAnswerShape(one, 'z')!.problem, /has no choice "z" \(its choices: a, b\)/);
  assert.match(checkAnswerShape(many, [])!.problem, /at least one choice id/);
  assert.match(checkAnswerShape(many, ['a', 'a'])!.problem, /ticked twice/);
  assert.match(checkAnswerShape(word, ['saturation'])!.problem, /takes a text answer/);
  assert.match(checkAnswerShape(word, '   ')!.problem, /is empty/);
  assert.match(checkAnswerShape(word, 'x'.repeat(201))!.problem, /201 characters \(at most 200\)/);
  assert.equal(checkAnswerShape(word, 'saturation'), null);
});

test('the public quiz has no answers, explanations or wrong-answer messages', () => {
  const text = JSON.stringify(toPublicQuiz(quiz, 'ko'));
  for (const secret of ['correct', 'because', '이유', 'saturation', '그것은 U입니다', 'explain', 'pattern']) assert.ok(!text.includes(secret), secret);
  assert.equal(toPublicQuiz(quiz, 'ko').title, '예시');
  assert.equal(toPublicQuiz(quiz, 'en').questions[0]!.prompt, 'Pick');
});

test('the right answer is shown by choice text or the first example', () => {
  assert.equal(rightAnswer(many, 'en'), 'A · B');
  assert.equal(rightAnswer(word, 'en'), 'saturation');
});

test('the schema refuses a single-choice question with two right choices, naming it', () => {
  const r = quizFileSchema.safeParse({
    id: 'bad', kind: 'checkpoint', page: '/x', title: 'x',
    questions: [{ id: 'q', type: 'single', prompt: 'p', explain: 'e', choices: [{ id: 'a', text: 'A', correct: true }, { id: 'b', text: 'B', correct: true }] }],
  });
  assert.equal(r.success, false);
  const messages = r.error!.issues.map((i) => i.message).join('\n');
  assert.match(messages, /exactly one choice with "correct: true" \(it has 2\)/);
  assert.match(messages, /a checkpoint names the roadmap stage/);
});

test('choices are shown in an order of their own, the same every time', () => {
  const choices = ['a', 'b', 'c', 'd', 'e', 'f'].map((id) => ({ id }));
  const once = shuffled(choices, 'quiz/q').map((c) => c.id);
  assert.deepEqual(shuffled(choices, 'quiz/q').map((c) => c.id), once);
  assert.deepEqual([...once].sort(), ['a', 'b', 'c', 'd', 'e', 'f']);
  const orders = new Set(['q1', 'q2', 'q3', 'q4'].map((seed) => shuffled(choices, seed).map((c) => c.id).join('')));
  assert.ok(orders.size > 1, 'different questions get different orders');
  assert.ok([...orders].some((o) => o !== 'abcdef'), 'not the authored order');
});

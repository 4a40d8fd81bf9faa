// Quizzes against a real runner and its SQLite progress store: the page's view
// has no answers, the runner grades in either language, records each answer,
// closes a question at its attempt limit, refuses bad input naming what was
// wrong, and a workshop learner's answers reach the roster and both grade exports.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestRunner, type TestRunner } from './helpers/runner-fixture.ts';
import { loadQuizzes } from '../runner/src/node/quizzes/load-quizzes.ts';
import { pick } from '../runner/src/common/langs.ts';
import { GRADE_CSV_COLUMNS, type GradeReport } from '../runner/src/common/grades.ts';
import type { QuizAnswerResponse, QuizState } from '../runner/src/common/protocol.ts';
import type { ProgressResponse, RosterResponse } from '../runner/src/common/workshop.ts';

let r: TestRunner;
const { quizzes } = loadQuizzes();
const as = (token: string | null) => ({ authorization: token ? `Bearer ${token}` : '' });
const answer = (quiz: string, body: unknown, token?: string) =>
  r.call('POST', `/api/quizzes/${quiz}/answers`, { body, ...(token ? { headers: as(token) } : {}) });

before(async () => { r = await startTestRunner({ allowHostRootLabs: true }); });
after(async () => { await r.dispose(); });

test('the quiz list a page may fetch carries no answer, explanation or wrong-answer message', async () => {
  const list = await r.call('GET', '/api/quizzes?lang=ko', { headers: as(null) });
  assert.equal(list.status, 200);
  assert.deepEqual(list.json.quizzes.map((q: { id: string }) => q.id).sort(), [...quizzes.keys()].sort());
  const text = JSON.stringify(list.json);
  for (const quiz of quizzes.values()) {
    for (const q of quiz.questions) {
      for (const lang of ['en', 'ko'] as const) assert.ok(!text.includes(pick(q.explain, lang)), `${quiz.id}/${q.id}: explanation`);
      for (const w of q.wrong) assert.ok(!text.includes(pick(w.message, 'ko')), `${quiz.id}/${q.id}: wrong-answer message`);
      if (q.answer) assert.ok(!text.includes(q.answer.pattern), `${quiz.id}/${q.id}: pattern`);
    }
  }
  assert.ok(!/"correct"/.test(text));
});

test('a question is graded by the runner, explained once passed, and closed after its attempts', async () => {
  const noToken = await r.call('GET', '/api/quizzes/use-method', { headers: as(null) });
  assert.equal(noToken.status, 401);
  const wrong = await answer('use-method', { questionId: 'after-utilization', answer: 'add-cpus', lang: 'en' });
  assert.equal(wrong.status, 200, JSON.stringify(wrong.json));
  const w = wrong.json as QuizAnswerResponse;
  assert.equal(w.passed, false);
  assert.equal(w.question.attemptsLeft, 1);
  assert.equal(w.question.explanation, null, 'no explanation while the question is open');
  const right = (await answer('use-method', { questionId: 'after-utilization', answer: 'saturation', lang: 'ko' })).json as QuizAnswerResponse;
  assert.equal(right.passed, true);
  assert.equal(right.question.status, 'passed');
  assert.match(right.question.explanation!, /포화도/);

  // A Korean text answer is accepted where the question takes it.
  const ko = (await answer('use-method', { questionId: 'run-queue-column', answer: 'r 열', lang: 'ko' })).json as QuizAnswerResponse;
  assert.equal(ko.passed, true, JSON.stringify(ko));

  for (const a of ['swapon -a', 'swapoff']) await answer('swappiness', { questionId: 'really-off', answer: a, lang: 'en' });
  const last = (await answer('swappiness', { questionId: 'really-off', answer: 'echo 0', lang: 'en' })).json as QuizAnswerResponse;
  assert.equal(last.question.status, 'closed');
  assert.equal(last.question.rightAnswer, 'swapoff -a');
  const refused = await answer('swappiness', { questionId: 'really-off', answer: 'swapoff -a', lang: 'en' });
  assert.equal(refused.status, 409);
  assert.match(refused.json.error.message, /closed: all 3 attempts were used/);
  const refusedKo = await r.call('POST', '/api/quizzes/swappiness/answers', { body: { questionId: 'really-off', answer: 'swapoff -a', lang: 'ko' }, headers: { 'accept-language': 'ko' } });
  assert.equal(refusedKo.status, 409);
  assert.match(refusedKo.json.error.message, /이 문제는 마감되었습니다: 맞히지 못한 채 기회 3번을 모두 써서/, 'a Korean page hears it in Korean');

  const state = (await r.call('GET', '/api/quizzes/use-method?lang=en')).json as QuizState;
  assert.deepEqual(state.questions.map((q) => [q.id, q.status, q.attempts]), [['after-utilization', 'passed', 2], ['run-queue-column', 'passed', 1], ['no-saturation', 'open', 0]]);
  assert.equal(state.questions[0]!.lastAnswer, 'saturation');
});

test('bad quiz requests get a clear error and change nothing', async () => {
  const cases: Array<[string, unknown, number, RegExp]> = [
    ['no-such-quiz', { questionId: 'x', answer: 'a' }, 404, /no quiz "no-such-quiz" \(known: .*use-method/],
    ['use-method', { questionId: 'nope', answer: 'a' }, 404, /has no question "nope" \(its questions: after-utilization/],
    ['use-method', { questionId: 'no-saturation', answer: ['efficient'] }, 400, /takes one choice id/],
    ['use-method', { questionId: 'no-saturation', answer: 'maybe' }, 400, /has no choice "maybe"/],
    ['use-method', { questionId: 'no-saturation', answer: 'efficient', lang: 'fr' }, 400, /lang/],
    ['use-method', { questionId: 'no-saturation' }, 400, /answer/],
  ];
  for (const [quiz, body, status, message] of cases) {
    const res = await answer(quiz, body);
    assert.equal(res.status, status, `${quiz} ${JSON.stringify(body)}: ${JSON.stringify(res.json)}`);
    assert.match(res.json.error.message, message);
  }
  const badLang = await r.call('GET', '/api/quizzes/use-method?lang=xx');
  assert.equal(badLang.status, 400);
  const state = (await r.call('GET', '/api/quizzes/use-method')).json as QuizState;
  assert.equal(state.questions.find((q) => q.id === 'no-saturation')!.attempts, 0, 'nothing was recorded');
});

test("a workshop learner's checkpoint answers reach their progress, the roster and both grade exports", async () => {
  const w = await r.call('POST', '/api/workshops', { body: { title: 'Quiz day', labs: ['syscall-storm'], seats: 5, endsAt: new Date(Date.now() + 3600_000).toISOString() } });
  assert.equal(w.status, 201, JSON.stringify(w.json));
  const joined = await r.call('POST', '/api/workshops/join', { body: { code: w.json.joinCode, name: '민지' }, headers: as(null) });
  assert.equal(joined.status, 201, JSON.stringify(joined.json));
  const token: string = joined.json.token;
  assert.equal((await answer('checkpoint-1', { questionId: 'kernel-share', answer: 'us', lang: 'ko' }, token)).json.question.message, 'us는 프로그램 자체 코드(사용자 모드)에서 쓴 시간입니다. 커널의 몫은 그 옆 열입니다.');
  assert.equal((await answer('checkpoint-1', { questionId: 'kernel-share', answer: '시스템', lang: 'ko' }, token)).json.passed, true);
  assert.equal((await answer('checkpoint-1', { questionId: 'blocked-state', answer: 'D', lang: 'ko' }, token)).json.passed, true);

  const progress = (await r.call('GET', '/api/progress', { headers: as(token) })).json as ProgressResponse;
  const cp = progress.quizzes.find((q) => q.quizId === 'checkpoint-1')!;
  assert.equal(cp.questionsPassed, 2);

  const roster = (await r.call('GET', `/api/workshops/${w.json.id}/roster`)).json as RosterResponse;
  assert.ok(roster.quizzes.some((q) => q.id === 'checkpoint-1'));
  const learner = roster.learners.find((l) => l.name === '민지')!;
  assert.equal(learner.quizzes.find((q) => q.quizId === 'checkpoint-1')!.questionsPassed, 2);
  assert.equal(learner.quizzes.find((q) => q.quizId === 'use-method')!.questions.every((q) => q.attempts === 0), true, "the owner's answers are not the learner's");

  const json = (await r.call('GET', `/api/workshops/${w.json.id}/grades?format=json`)).json as GradeReport;
  const g = json.learners[0]!.quizzes.find((q) => q.quizId === 'checkpoint-1')!;
  assert.deepEqual(g.questions.find((q) => q.questionId === 'kernel-share'), { ...g.questions.find((q) => q.questionId === 'kernel-share')!, passed: true, attempts: 2, wrongAnswers: 1, score: 1 });

  const csv = (await r.call('GET', `/api/workshops/${w.json.id}/grades?format=csv`)).json as string;
  const rows = csv.trim().split('\r\n').map((l) => l.split(','));
  const col = (name: string) => GRADE_CSV_COLUMNS.indexOf(name as (typeof GRADE_CSV_COLUMNS)[number]);
  const row = rows.find((x) => x[col('item_kind')] === 'quiz' && x[col('lab_id')] === 'checkpoint-1' && x[col('task_id')] === 'kernel-share');
  assert.ok(row, 'a CSV row for the question');
  assert.deepEqual([row[col('learner_name')], row[col('task_passed')], row[col('task_attempts')], row[col('task_wrong_answers')]], ['민지', '1', '2', '1']);
});

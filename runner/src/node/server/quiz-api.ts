// HTTP routes for quizzes (mounted by api.ts). The page shows the questions
// (built without answers); the runner grades, records and explains:
//   GET  /api/quizzes                      the quizzes, without answers (anyone)
//   GET  /api/quizzes/:id?lang=en|ko       own standing at each question (owner or workshop learner)
//   POST /api/quizzes/:id/answers          { questionId, answer, lang } → graded and recorded
import { isSlug } from '../../common/ids.ts';
import { pick, type Lang } from '../../common/langs.ts';
import { closedMessage } from '../../common/attempts.ts';
import { quizAnswerRequestSchema, type QuizAnswerResponse, type QuizQuestionState, type QuizState } from '../../common/protocol.ts';
import { toPublicQuiz, type QuizFile, type QuizQuestion } from '../../common/quiz-schema.ts';
import { checkAnswerShape, gradeQuizAnswer, rightAnswer, type QuizAnswer } from '../../common/quiz-grading.ts';
import type { ProgressStore, QuizAnswerCount } from '../progress/progress-store.ts';
import type { ProgressFeed } from '../progress/progress-feed.ts';
import type { WorkshopService } from '../workshops/workshop-service.ts';
import { HttpError, langOf, readJson, sendJson } from './http-util.ts';
import { requirePerson, type LearnerAuthenticator } from './identity.ts';
import type { Route } from './api.ts';

export interface QuizApiContext {
  quizzes: ReadonlyMap<string, QuizFile>;
  ownerToken: string;
  store: ProgressStore;
  feed: ProgressFeed;
  workshops: WorkshopService;
  now?: () => number;
}

export function quizRoutes(ctx: QuizApiContext): Route[] {
  const learners: LearnerAuthenticator = (t) => ctx.workshops.authenticate(t);
  const now = ctx.now ?? Date.now;
  const quizOr404 = (id: string | undefined): QuizFile => {
    if (!isSlug(id)) throw new HttpError('bad-request', `"${String(id).slice(0, 60)}" is not a quiz id (expected lower-case letters, digits and dashes)`);
    const quiz = ctx.quizzes.get(id);
    if (!quiz) throw new HttpError('not-found', `no quiz "${id}" (known: ${[...ctx.quizzes.keys()].join(', ') || 'none'})`);
    return quiz;
  };
  return [
    ['GET', /^\/api\/quizzes$/, async (req, res, url) => {
      const lang = langOf(url, req);
      sendJson(res, 200, { quizzes: [...ctx.quizzes.values()].map((q) => toPublicQuiz(q, lang)) });
    }],
    ['GET', /^\/api\/quizzes\/([^/]+)$/, async (req, res, url, [id]) => {
      const quiz = quizOr404(id);
      const lang = langOf(url, req);
      const who = requirePerson(req, url, ctx.ownerToken, learners);
      sendJson(res, 200, quizState(quiz, ctx.store.quizAnswers(who.learnerId, quiz.id), lang));
    }],
    ['POST', /^\/api\/quizzes\/([^/]+)\/answers$/, async (req, res, url, [id]) => {
      const quiz = quizOr404(id);
      const who = requirePerson(req, url, ctx.ownerToken, learners);
      const body = await readJson(req, quizAnswerRequestSchema);
      const question = quiz.questions.find((q) => q.id === body.questionId);
      if (!question) throw new HttpError('not-found', `quiz "${quiz.id}" has no question "${body.questionId.slice(0, 60)}" (its questions: ${quiz.questions.map((q) => q.id).join(', ')})`);
      const shape = checkAnswerShape(question, body.answer);
      if (shape) throw new HttpError('bad-request', shape.problem);
      if (who.kind === 'learner') {
        const w = ctx.workshops.learnerWorkshop(who.workshopId);
        if (!w || w.state === 'ended' || w.state === 'closed') throw new HttpError('gone', { en: 'your workshop has ended: its quizzes take no more answers', ko: '워크숍이 끝났습니다. 이 워크숍의 퀴즈는 더 이상 답을 받지 않습니다' });
      }
      const grade = gradeQuizAnswer(question, body.answer, body.lang);
      const outcome = ctx.store.recordQuizAnswer({
        at: now(), learnerId: who.learnerId, workshopId: who.workshopId, quizId: quiz.id, questionId: question.id,
        passed: grade.passed, answer: typeof body.answer === 'string' ? body.answer : JSON.stringify(body.answer),
      }, question.attempts);
      if (!outcome.recorded) throw new HttpError('conflict', { en: closedMessage(question.attempts, 'en'), ko: closedMessage(question.attempts, 'ko') });
      ctx.feed.emit(who.workshopId, who.learnerId);
      const state = quizState(quiz, ctx.store.quizAnswers(who.learnerId, quiz.id), body.lang);
      const reply: QuizAnswerResponse = { quizId: quiz.id, passed: grade.passed, question: state.questions.find((q) => q.id === question.id)! };
      sendJson(res, 200, reply);
    }],
  ];
}

/** A learner's standing at every question, with what the page may show now (the explanation only once passed or closed). */
export function quizState(quiz: QuizFile, answers: ReadonlyMap<string, QuizAnswerCount>, lang: Lang): QuizState {
  const questions = quiz.questions.map((q) => questionState(q, answers.get(q.id), lang));
  return { quizId: quiz.id, questions, passed: questions.filter((q) => q.status === 'passed').length, total: questions.length };
}

function questionState(q: QuizQuestion, count: QuizAnswerCount | undefined, lang: Lang): QuizQuestionState {
  const wrong = count?.wrong ?? 0;
  const passed = count?.passed ?? false;
  const closed = !passed && wrong >= q.attempts;
  const status = passed ? 'passed' : closed ? 'closed' : 'open';
  const last = count?.lastAnswer ?? null;
  const lastAnswer = last === null ? null : parseStoredAnswer(q, last);
  const done = status !== 'open';
  return {
    id: q.id,
    status,
    attempts: count?.attempts ?? 0,
    wrong,
    attemptsLeft: Math.max(0, q.attempts - wrong),
    score: passed ? 1 : 0,
    lastAnswer,
    message: lastAnswer === null ? '' : gradeQuizAnswer(q, lastAnswer, lang).message,
    explanation: done ? pick(q.explain, lang) : null,
    rightAnswer: done ? rightAnswer(q, lang) : null,
  };
}

/** What recordQuizAnswer stored: text as sent, a list of choices as JSON. */
function parseStoredAnswer(q: QuizQuestion, stored: string): QuizAnswer {
  if (q.type !== 'multiple') return stored;
  try {
    const v = JSON.parse(stored) as unknown;
    return Array.isArray(v) ? v.map(String) : stored;
  } catch {
    return stored;
  }
}

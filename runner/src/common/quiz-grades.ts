// Quiz grades from recorded answers: per question (right, when, attempts,
// closed) and per quiz. Pure, like grades.ts, which puts them in the report.
// A question scores 1 when answered right within its attempts, else 0.
import { credit, isClosed, sumScores, taskScore } from './attempts.ts';

/** A graded quiz: its questions and each one's attempt limit (quiz-schema.ts). */
export interface GradeQuiz { id: string; title: string; kind: 'practice' | 'checkpoint'; stage: number | null; questions: Array<{ id: string; attempts: number }> }

/** One learner's answers at one quiz question. */
export interface QuizQuestionRecord {
  learnerId: string;
  quizId: string;
  questionId: string;
  attempts: number;
  /** Wrong answers before the first right one. */
  wrongAnswers: number;
  firstPassedAt: string | null;
  lastAttemptAt: string | null;
}

export interface QuizQuestionGrade {
  questionId: string;
  passed: boolean;
  passedAt: string | null;
  attempts: number;
  wrongAnswers: number;
  /** Its attempts are used up without a right answer. */
  closed: boolean;
  /** 1 once answered right within its attempts, else 0. */
  score: number;
  lastAttemptAt: string | null;
}

export interface QuizGrade {
  quizId: string;
  questionsPassed: number;
  questionsTotal: number;
  score: number;
  credit: number;
  /** Every question has been answered right or is closed. */
  finished: boolean;
  questions: QuizQuestionGrade[];
}

/** One learner's grade at each quiz, from the records of their answers. */
export function gradeQuizzes(quizzes: readonly GradeQuiz[], records: readonly QuizQuestionRecord[], learnerId: string): QuizGrade[] {
  const mine = new Map(records.filter((r) => r.learnerId === learnerId).map((r) => [`${r.quizId}\u0000${r.questionId}`, r]));
  return quizzes.map((quiz) => {
    const questions = quiz.questions.map((q): QuizQuestionGrade => {
      const r = mine.get(`${quiz.id}\u0000${q.id}`);
      const passed = r?.firstPassedAt != null;
      const wrong = r?.wrongAnswers ?? 0;
      const rules = { attempts: q.attempts, penalty: 0 };
      return {
        questionId: q.id, passed, passedAt: r?.firstPassedAt ?? null, attempts: r?.attempts ?? 0, wrongAnswers: wrong,
        closed: isClosed(rules, wrong, passed), score: taskScore(rules, wrong, passed), lastAttemptAt: r?.lastAttemptAt ?? null,
      };
    });
    const score = sumScores(questions.map((q) => q.score));
    return {
      quizId: quiz.id,
      questionsPassed: questions.filter((q) => q.passed).length,
      questionsTotal: questions.length,
      score,
      credit: credit(score, questions.length),
      finished: questions.every((q) => q.passed || q.closed),
      questions,
    };
  });
}


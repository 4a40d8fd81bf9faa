// Grades from recorded progress: per task (passed, when, attempts, hints, and
// for a question its wrong answers, whether its attempt limit closed it, and its
// score after the penalty), per lab and overall partial credit (the tasks' scores
// over the number of tasks), and the CSV form of it. Pure, so the runner, the CLI
// and a browser page compute the same. The scoring model is in attempts.ts.
import type { LabProgressStatus } from './workshop.ts';
import { credit, isClosed, NO_ATTEMPT_RULES, sumScores, taskScore, type AttemptRules } from './attempts.ts';
import { gradeQuizzes, type GradeQuiz, type QuizGrade, type QuizQuestionRecord } from './quiz-grades.ts';

export type { GradeQuiz, QuizGrade, QuizQuestionGrade, QuizQuestionRecord } from './quiz-grades.ts';

/** A graded lab; a question task carries its attempt rules (absent: no limit, no penalty). */
export interface GradeLab { id: string; title: string; tasks: Array<{ id: string; title: string; rules?: AttemptRules }> }
export interface GradeLearner { id: string; name: string; joinedAt: string }

/** One learner's record at one task, aggregated over all their sessions. */
export interface TaskRecord {
  learnerId: string;
  labId: string;
  taskId: string;
  attempts: number;
  hintsUsed: number;
  firstPassedAt: string | null;
  lastAttemptAt: string | null;
  /** Wrong answers to the task's question before its first pass (what the limit and the penalty count). */
  wrongAnswers: number;
}

/** One learner's time and solution use in one lab. */
export interface LabRecord {
  learnerId: string;
  labId: string;
  activeSeconds: number;
  firstStartedAt: string | null;
  solutionRevealedAt: string | null;
}

export interface GradeInput {
  workshop: { id: string; title: string; startsAt: string; endsAt: string } | null;
  generatedAt: string;
  labs: GradeLab[];
  learners: GradeLearner[];
  tasks: TaskRecord[];
  labRecords: LabRecord[];
  /** The site's quizzes and every answer to them in scope (absent: none). */
  quizzes?: GradeQuiz[];
  quizRecords?: QuizQuestionRecord[];
}

export interface TaskGrade {
  taskId: string;
  passed: boolean;
  passedAt: string | null;
  attempts: number;
  hintsUsed: number;
  lastAttemptAt: string | null;
  /** Wrong answers to its question before the pass (0 for a check). */
  wrongAnswers: number;
  /** Its question's attempt limit was used up without a pass. */
  closed: boolean;
  /** 0–1: 1 − penalty × wrongAnswers once passed, else 0 (attempts.ts). */
  score: number;
}

export interface LabGrade {
  labId: string;
  tasksPassed: number;
  tasksTotal: number;
  /** Sum of the tasks' scores (tasksPassed when no question has a penalty). */
  score: number;
  /** score / tasksTotal, rounded to 4 decimals. */
  credit: number;
  status: LabProgressStatus;
  activeSeconds: number;
  startedAt: string | null;
  solutionRevealedAt: string | null;
  tasks: TaskGrade[];
}

export interface LearnerGrade {
  id: string;
  name: string;
  joinedAt: string;
  tasksPassed: number;
  tasksTotal: number;
  /** Sum of every task's score. */
  score: number;
  /** score / tasksTotal over every task of every lab, each task weighing the same. */
  credit: number;
  labs: LabGrade[];
  /** The quizzes, graded apart from the labs: a checkpoint is not a lab task. */
  quizzes: QuizGrade[];
  quizScore: number;
  quizTotal: number;
  quizCredit: number;
}

export interface GradeReport {
  workshop: GradeInput['workshop'];
  generatedAt: string;
  labs: GradeLab[];
  quizzes: GradeQuiz[];
  learners: LearnerGrade[];
}

export { credit } from './attempts.ts';

export function labStatus(tasksPassed: number, tasksTotal: number, started: boolean): LabProgressStatus {
  if (tasksTotal > 0 && tasksPassed >= tasksTotal) return 'done';
  return started || tasksPassed > 0 ? 'in-progress' : 'not-started';
}

export function computeGrades(input: GradeInput): GradeReport {
  const taskKey = (l: string, lab: string, t: string): string => `${l}\u0000${lab}\u0000${t}`;
  const labKey = (l: string, lab: string): string => `${l}\u0000${lab}`;
  const tasks = new Map(input.tasks.map((t) => [taskKey(t.learnerId, t.labId, t.taskId), t]));
  const labRecords = new Map(input.labRecords.map((r) => [labKey(r.learnerId, r.labId), r]));
  const learners = [...input.learners].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  return {
    workshop: input.workshop,
    generatedAt: input.generatedAt,
    labs: input.labs,
    quizzes: input.quizzes ?? [],
    learners: learners.map((learner) => {
      const labs = input.labs.map((lab): LabGrade => {
        const taskGrades = lab.tasks.map((t): TaskGrade => {
          const r = tasks.get(taskKey(learner.id, lab.id, t.id));
          const passed = r?.firstPassedAt != null;
          const wrong = r?.wrongAnswers ?? 0;
          const rules = t.rules ?? NO_ATTEMPT_RULES;
          return {
            taskId: t.id,
            passed,
            passedAt: r?.firstPassedAt ?? null,
            attempts: r?.attempts ?? 0,
            hintsUsed: r?.hintsUsed ?? 0,
            lastAttemptAt: r?.lastAttemptAt ?? null,
            wrongAnswers: wrong,
            closed: isClosed(rules, wrong, passed),
            score: taskScore(rules, wrong, passed),
          };
        });
        const rec = labRecords.get(labKey(learner.id, lab.id));
        const passed = taskGrades.filter((t) => t.passed).length;
        const score = sumScores(taskGrades.map((t) => t.score));
        const touched = rec?.firstStartedAt != null || taskGrades.some((t) => t.attempts > 0 || t.hintsUsed > 0);
        return {
          labId: lab.id,
          tasksPassed: passed,
          tasksTotal: lab.tasks.length,
          score,
          credit: credit(score, lab.tasks.length),
          status: labStatus(passed, lab.tasks.length, touched),
          activeSeconds: rec?.activeSeconds ?? 0,
          startedAt: rec?.firstStartedAt ?? null,
          solutionRevealedAt: rec?.solutionRevealedAt ?? null,
          tasks: taskGrades,
        };
      });
      const passed = labs.reduce((n, l) => n + l.tasksPassed, 0);
      const total = labs.reduce((n, l) => n + l.tasksTotal, 0);
      const score = sumScores(labs.map((l) => l.score));
      const quizzes = gradeQuizzes(input.quizzes ?? [], input.quizRecords ?? [], learner.id);
      const quizScore = sumScores(quizzes.map((q) => q.score));
      const quizTotal = quizzes.reduce((n, q) => n + q.questionsTotal, 0);
      return {
        id: learner.id, name: learner.name, joinedAt: learner.joinedAt, tasksPassed: passed, tasksTotal: total, score, credit: credit(score, total), labs,
        quizzes, quizScore, quizTotal, quizCredit: credit(quizScore, quizTotal),
      };
    }),
  };
}

// ---- CSV ----

export const GRADE_CSV_COLUMNS = [
  'workshop_id', 'learner_id', 'learner_name', 'lab_id', 'task_id',
  'task_passed', 'task_passed_at', 'task_attempts', 'task_hints_used', 'task_last_attempt_at',
  'task_wrong_answers', 'task_closed', 'task_score',
  'lab_tasks_passed', 'lab_tasks_total', 'lab_score', 'lab_credit', 'lab_active_seconds', 'lab_solution_revealed_at',
  'learner_score', 'learner_credit',
  // Quiz rows: item_kind "quiz", lab_id the quiz id, task_id the question id, the lab_* columns the quiz's totals.
  'item_kind', 'learner_quiz_score', 'learner_quiz_credit',
] as const;

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote, CR, LF or
 * edge spaces. Text that a spreadsheet would run as a formula (= + - @, tab,
 * CR first) gets a leading apostrophe: learner names are typed by learners.
 */
export function csvCell(value: string | number | boolean | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? '1' : '0';
  let text = value;
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(cells: ReadonlyArray<string | number | boolean | null>): string {
  return cells.map(csvCell).join(',');
}

/** One row per learner × lab × task, then per learner × quiz × question; CRLF line ends, header first. */
export function gradesToCsv(report: GradeReport): string {
  const lines = [csvLine([...GRADE_CSV_COLUMNS])];
  for (const learner of report.learners) {
    for (const lab of learner.labs) {
      for (const t of lab.tasks) {
        lines.push(csvLine([
          report.workshop?.id ?? '', learner.id, learner.name, lab.labId, t.taskId,
          t.passed, t.passedAt, t.attempts, t.hintsUsed, t.lastAttemptAt,
          t.wrongAnswers, t.closed, t.score,
          lab.tasksPassed, lab.tasksTotal, lab.score, lab.credit, lab.activeSeconds, lab.solutionRevealedAt,
          learner.score, learner.credit,
          'lab', learner.quizScore, learner.quizCredit,
        ]));
      }
    }
    for (const quiz of learner.quizzes) {
      for (const q of quiz.questions) {
        lines.push(csvLine([
          report.workshop?.id ?? '', learner.id, learner.name, quiz.quizId, q.questionId,
          q.passed, q.passedAt, q.attempts, 0, q.lastAttemptAt,
          q.wrongAnswers, q.closed, q.score,
          quiz.questionsPassed, quiz.questionsTotal, quiz.score, quiz.credit, null, null,
          learner.score, learner.credit,
          'quiz', learner.quizScore, learner.quizCredit,
        ]));
      }
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}

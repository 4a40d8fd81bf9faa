// What the API returns about progress, built from the store: a learner's own
// progress, a workshop's roster, and its grade report.
import { questionRules, type ResolvedLab } from '../../common/lab-schema.ts';
import { computeGrades, type GradeLab, type GradeQuiz, type GradeReport } from '../../common/grades.ts';
import type { QuizFile } from '../../common/quiz-schema.ts';
import { pick } from '../../common/langs.ts';
import { questionTally } from '../../common/question-tally.ts';
import { NO_ATTEMPT_RULES } from '../../common/attempts.ts';
import type {
  LabProgress, LearnerWorkshopInfo, ProgressResponse, RosterLab, RosterResponse, WorkshopInfo,
} from '../../common/workshop.ts';
import type { TaskStatus } from '../../common/protocol.ts';
import { iso, type LearnerRow, type ProgressStore, type Scope } from './progress-store.ts';

/** The labs as graded: in the order given, each with its tasks (a question's with its attempt rules); a lab no longer on disk keeps its id. */
export function gradeLabs(labIds: readonly string[], labs: ReadonlyMap<string, ResolvedLab>): GradeLab[] {
  return labIds.map((id) => {
    const lab = labs.get(id);
    return {
      id, title: lab?.title ?? id,
      tasks: lab?.tasks.map((t) => ({ id: t.id, title: t.title, ...(t.question ? { rules: questionRules(t.question) } : {}) })) ?? [],
    };
  });
}

/** The quizzes as graded: each question with its attempt limit; English titles (exports are read by instructors). */
export function gradeQuizList(quizzes: ReadonlyMap<string, QuizFile>): GradeQuiz[] {
  return [...quizzes.values()].map((q) => ({
    id: q.id, title: pick(q.title, 'en'), kind: q.kind, stage: q.stage ?? null,
    questions: q.questions.map((x) => ({ id: x.id, attempts: x.attempts })),
  }));
}

export function learnerProgress(
  store: ProgressStore, learner: LearnerRow, labs: GradeLab[], workshop: LearnerWorkshopInfo | null, quizzes: GradeQuiz[] = [],
): ProgressResponse {
  const scope: Scope = { learnerId: learner.id };
  const report = gradeReport(store, scope, [{ id: learner.id, name: learner.name, joinedAt: iso(learner.joinedAt) }], labs, null, quizzes);
  const last = new Map(store.lastSessions(learner.id).map((s) => [s.labId, s]));
  const grades = report.learners[0]!;
  return {
    learner: { id: learner.id, name: learner.name },
    workshop,
    labs: grades.labs.map((g, i): LabProgress => {
      const s = last.get(g.labId);
      // Attempt rules bind in workshops only (Session.rulesOf): alone, a question never closes.
      const rules = new Map(labs[i]!.tasks.map((t) => [t.id, t.rules && workshop === null ? NO_ATTEMPT_RULES : t.rules]));
      return {
        labId: g.labId,
        status: g.status,
        tasksPassed: g.tasks.filter((t) => t.passed).map((t) => t.taskId),
        tasksTotal: g.tasksTotal,
        activeSeconds: g.activeSeconds,
        hintsUsed: g.tasks.reduce((n, t) => n + t.hintsUsed, 0),
        solutionRevealed: g.solutionRevealedAt !== null,
        lastSession: s
          ? { id: s.id, startedAt: iso(s.startedAt), stoppedAt: s.stoppedAt === null ? null : iso(s.stoppedAt), endReason: s.endReason, live: s.stoppedAt === null }
          : null,
        questions: Object.fromEntries(g.tasks.flatMap((t) => {
          const r = rules.get(t.taskId);
          return r ? [[t.taskId, questionTally(r, { wrong: t.wrongAnswers, passed: t.passed })]] : [];
        })),
      };
    }),
    quizzes: grades.quizzes,
  };
}

export function roster(
  store: ProgressStore, workshop: WorkshopInfo, labs: GradeLab[], liveSessions: ReadonlyArray<{ id: string; learnerId: string; labId: string }>,
  quizzes: GradeQuiz[] = [],
): RosterResponse {
  const scope: Scope = { workshopId: workshop.id };
  const learners = store.learnersOf(workshop.id);
  const report = gradeReport(store, scope, learners.map((l) => ({ id: l.id, name: l.name, joinedAt: iso(l.joinedAt) })), labs, null, quizzes);
  const seen = store.lastSeen(scope);
  const live = new Map(liveSessions.map((s) => [`${s.learnerId}\u0000${s.labId}`, s.id]));
  const byId = new Map(report.learners.map((l) => [l.id, l]));
  return {
    workshop,
    generatedAt: new Date().toISOString(),
    labs: labs.map((l) => ({ id: l.id, title: l.title, tasks: l.tasks.map((t) => ({ id: t.id, title: t.title })) })),
    quizzes,
    learners: learners.map((l) => {
      const g = byId.get(l.id)!;
      const at = seen.get(l.id);
      return {
        id: l.id, name: l.name, joinedAt: iso(l.joinedAt), lastSeenAt: at === undefined ? null : iso(at),
        labs: g.labs.map((lab): RosterLab => ({
          labId: lab.labId,
          status: lab.status,
          tasks: lab.tasks.map((t) => ({
            taskId: t.taskId, status: taskStatus(t.passed, t.attempts), attempts: t.attempts, hintsUsed: t.hintsUsed, passedAt: t.passedAt,
            wrongAnswers: t.wrongAnswers, closed: t.closed, score: t.score,
          })),
          score: lab.score,
          activeSeconds: lab.activeSeconds,
          hintsUsed: lab.tasks.reduce((n, t) => n + t.hintsUsed, 0),
          solutionRevealed: lab.solutionRevealedAt !== null,
          liveSessionId: live.get(`${l.id}\u0000${lab.labId}`) ?? null,
        })),
        quizzes: g.quizzes,
      };
    }),
  };
}

export function workshopGrades(store: ProgressStore, workshop: WorkshopInfo, labs: GradeLab[], quizzes: GradeQuiz[] = []): GradeReport {
  const learners = store.learnersOf(workshop.id).map((l) => ({ id: l.id, name: l.name, joinedAt: iso(l.joinedAt) }));
  return gradeReport(store, { workshopId: workshop.id }, learners, labs, { id: workshop.id, title: workshop.title, startsAt: workshop.startsAt, endsAt: workshop.endsAt }, quizzes);
}

function gradeReport(
  store: ProgressStore, scope: Scope, learners: Array<{ id: string; name: string; joinedAt: string }>, labs: GradeLab[], workshop: GradeReport['workshop'],
  quizzes: GradeQuiz[],
): GradeReport {
  return computeGrades({
    workshop, generatedAt: new Date().toISOString(), labs, learners,
    tasks: store.taskRecords(scope), labRecords: store.labRecords(scope),
    quizzes, quizRecords: store.quizRecords(scope),
  });
}

function taskStatus(passed: boolean, attempts: number): TaskStatus {
  if (passed) return 'passed';
  return attempts > 0 ? 'failed' : 'pending';
}

// Grades from recorded progress: per task (passed, when, attempts, hints),
// per lab and overall partial credit (passed tasks / total tasks), and the CSV
// form of it. Pure, so the runner, the CLI and a browser page compute the same.
import type { LabProgressStatus } from './workshop.ts';

export interface GradeLab { id: string; title: string; tasks: Array<{ id: string; title: string }> }
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
}

export interface TaskGrade {
  taskId: string;
  passed: boolean;
  passedAt: string | null;
  attempts: number;
  hintsUsed: number;
  lastAttemptAt: string | null;
}

export interface LabGrade {
  labId: string;
  tasksPassed: number;
  tasksTotal: number;
  /** tasksPassed / tasksTotal, rounded to 4 decimals. */
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
  /** Over every task of every lab, each task weighing the same. */
  credit: number;
  labs: LabGrade[];
}

export interface GradeReport {
  workshop: GradeInput['workshop'];
  generatedAt: string;
  labs: GradeLab[];
  learners: LearnerGrade[];
}

/** Credit as a fraction rounded to 4 decimals (0.6667), so JSON and CSV agree. */
export function credit(passed: number, total: number): number {
  return total === 0 ? 0 : Math.round((passed / total) * 10_000) / 10_000;
}

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
    learners: learners.map((learner) => {
      const labs = input.labs.map((lab): LabGrade => {
        const taskGrades = lab.tasks.map((t): TaskGrade => {
          const r = tasks.get(taskKey(learner.id, lab.id, t.id));
          return {
            taskId: t.id,
            passed: r?.firstPassedAt != null,
            passedAt: r?.firstPassedAt ?? null,
            attempts: r?.attempts ?? 0,
            hintsUsed: r?.hintsUsed ?? 0,
            lastAttemptAt: r?.lastAttemptAt ?? null,
          };
        });
        const rec = labRecords.get(labKey(learner.id, lab.id));
        const passed = taskGrades.filter((t) => t.passed).length;
        const touched = rec?.firstStartedAt != null || taskGrades.some((t) => t.attempts > 0 || t.hintsUsed > 0);
        return {
          labId: lab.id,
          tasksPassed: passed,
          tasksTotal: lab.tasks.length,
          credit: credit(passed, lab.tasks.length),
          status: labStatus(passed, lab.tasks.length, touched),
          activeSeconds: rec?.activeSeconds ?? 0,
          startedAt: rec?.firstStartedAt ?? null,
          solutionRevealedAt: rec?.solutionRevealedAt ?? null,
          tasks: taskGrades,
        };
      });
      const passed = labs.reduce((n, l) => n + l.tasksPassed, 0);
      const total = labs.reduce((n, l) => n + l.tasksTotal, 0);
      return { id: learner.id, name: learner.name, joinedAt: learner.joinedAt, tasksPassed: passed, tasksTotal: total, credit: credit(passed, total), labs };
    }),
  };
}

// ---- CSV ----

export const GRADE_CSV_COLUMNS = [
  'workshop_id', 'learner_id', 'learner_name', 'lab_id', 'task_id',
  'task_passed', 'task_passed_at', 'task_attempts', 'task_hints_used', 'task_last_attempt_at',
  'lab_tasks_passed', 'lab_tasks_total', 'lab_credit', 'lab_active_seconds', 'lab_solution_revealed_at',
  'learner_credit',
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

/** One row per learner × lab × task, CRLF line ends, header first. */
export function gradesToCsv(report: GradeReport): string {
  const lines = [csvLine([...GRADE_CSV_COLUMNS])];
  for (const learner of report.learners) {
    for (const lab of learner.labs) {
      for (const t of lab.tasks) {
        lines.push(csvLine([
          report.workshop?.id ?? '', learner.id, learner.name, lab.labId, t.taskId,
          t.passed, t.passedAt, t.attempts, t.hintsUsed, t.lastAttemptAt,
          lab.tasksPassed, lab.tasksTotal, lab.credit, lab.activeSeconds, lab.solutionRevealedAt,
          learner.credit,
        ]));
      }
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}

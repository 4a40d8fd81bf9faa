// Reads and writes of the progress database. Every write is one synchronous
// statement or transaction: when a method returns, the row is on disk.
import type { LabRecord, QuizQuestionRecord, TaskRecord } from '../../common/grades.ts';
import { nextAnswerCount, NO_ANSWERS, type AnswerCount, type AnswerOutcome } from '../../common/attempts.ts';
import type { TimelineEvent, TimelineKind } from '../../common/workshop.ts';
import type { ProgressDb } from './database.ts';
import { learnerNameKey } from '../../common/learner-name.ts';

/** Event detail (check messages, answers) is for people; keep it bounded. */
const MAX_DETAIL_CHARS = 2000;

export interface WorkshopRow {
  id: string;
  title: string;
  labs: string[];
  seats: number;
  startsAt: number;
  endsAt: number;
  joinCode: string;
  seed: string;
  createdAt: number;
  closedAt: number | null;
}

export interface LearnerRow {
  id: string;
  workshopId: string | null;
  name: string;
  joinedAt: number;
}

export interface SessionRow {
  id: string;
  learnerId: string;
  workshopId: string | null;
  labId: string;
  startedAt: number;
  stoppedAt: number | null;
  endReason: string | null;
  activeMs: number;
  lastActiveAt: number;
}

export interface NewEvent {
  at: number;
  learnerId: string;
  workshopId: string | null;
  sessionId: string | null;
  labId: string | null;
  taskId: string | null;
  kind: TimelineKind;
  passed?: boolean;
  hintIndex?: number;
  detail?: string | null;
}

/** A learner's answers at one quiz question (attempts.ts counts plus what the page shows). */
export interface QuizAnswerCount extends AnswerCount { attempts: number; lastAnswer: string | null }

/** Which learners a query covers: one learner, or everyone in a workshop. */
export type Scope = { learnerId: string } | { workshopId: string };

interface RawWorkshop { id: string; title: string; labs: string; seats: number; starts_at: number; ends_at: number; join_code: string; seed: string; created_at: number; closed_at: number | null }

export class ProgressStore {
  constructor(readonly db: ProgressDb) {}

  // ---- workshops and learners ----

  insertWorkshop(w: WorkshopRow): void {
    this.db.prepare(`INSERT INTO workshops (id, title, labs, seats, starts_at, ends_at, join_code, seed, created_at, closed_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(w.id, w.title, JSON.stringify(w.labs), w.seats, w.startsAt, w.endsAt, w.joinCode, w.seed, w.createdAt, w.closedAt);
  }

  closeWorkshop(id: string, at: number): void {
    this.db.prepare('UPDATE workshops SET closed_at = ? WHERE id = ? AND closed_at IS NULL').run(at, id);
  }

  workshop(id: string): WorkshopRow | null {
    const r = this.db.prepare('SELECT * FROM workshops WHERE id = ?').get(id) as RawWorkshop | undefined;
    return r ? toWorkshop(r) : null;
  }

  workshopByCode(code: string): WorkshopRow | null {
    const r = this.db.prepare('SELECT * FROM workshops WHERE join_code = ?').get(code) as RawWorkshop | undefined;
    return r ? toWorkshop(r) : null;
  }

  workshops(): WorkshopRow[] {
    return (this.db.prepare('SELECT * FROM workshops ORDER BY created_at DESC').all() as RawWorkshop[]).map(toWorkshop);
  }

  seatsTaken(workshopId: string): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM learners WHERE workshop_id = ?').get(workshopId) as { n: number }).n;
  }

  /** Does a learner of this workshop have this name, compared as people read it (learnerNameKey: NFKC, case-folded)? */
  nameTaken(workshopId: string, name: string): boolean {
    const key = learnerNameKey(name);
    const rows = this.db.prepare('SELECT name FROM learners WHERE workshop_id = ?').all(workshopId) as Array<{ name: string }>;
    return rows.some((r) => learnerNameKey(r.name) === key);
  }

  /** Adds a learner and their `join` event, atomically. */
  insertLearner(l: LearnerRow, tokenHash: string): void {
    this.db.transaction(() => {
      this.db.prepare('INSERT INTO learners (id, workshop_id, name, token_hash, joined_at) VALUES (?, ?, ?, ?, ?)').run(l.id, l.workshopId, l.name, tokenHash, l.joinedAt);
      this.insertEvent({ at: l.joinedAt, learnerId: l.id, workshopId: l.workshopId, sessionId: null, labId: null, taskId: null, kind: 'join' });
    })();
  }

  learner(id: string): LearnerRow | null {
    const r = this.db.prepare('SELECT id, workshop_id AS workshopId, name, joined_at AS joinedAt FROM learners WHERE id = ?').get(id) as LearnerRow | undefined;
    return r ?? null;
  }

  learnerByTokenHash(hash: string): LearnerRow | null {
    const r = this.db.prepare('SELECT id, workshop_id AS workshopId, name, joined_at AS joinedAt FROM learners WHERE token_hash = ?').get(hash) as LearnerRow | undefined;
    return r ?? null;
  }

  learnersOf(workshopId: string): LearnerRow[] {
    return this.db.prepare('SELECT id, workshop_id AS workshopId, name, joined_at AS joinedAt FROM learners WHERE workshop_id = ? ORDER BY joined_at, id').all(workshopId) as LearnerRow[];
  }

  // ---- lab sessions ----

  startSession(s: { id: string; learnerId: string; workshopId: string | null; labId: string; at: number; runnerName?: string }): void {
    this.db.transaction(() => {
      this.db.prepare(`INSERT INTO lab_sessions (id, learner_id, workshop_id, lab_id, runner_name, started_at, last_active_at) VALUES (?, ?, ?, ?, ?, ?, ?)`)
        .run(s.id, s.learnerId, s.workshopId, s.labId, s.runnerName ?? '', s.at, s.at);
      this.insertEvent({ at: s.at, learnerId: s.learnerId, workshopId: s.workshopId, sessionId: s.id, labId: s.labId, taskId: null, kind: 'session-start' });
    })();
  }

  /** Ends a session once; a second stop (failed start, then stop) changes nothing. */
  stopSession(id: string, at: number, reason: string, activeMs: number, lastActiveAt: number): boolean {
    return this.db.transaction(() => {
      const row = this.session(id);
      if (!row || row.stoppedAt !== null) return false;
      this.db.prepare('UPDATE lab_sessions SET stopped_at = ?, end_reason = ?, active_ms = ?, last_active_at = ? WHERE id = ?')
        .run(at, reason, activeMs, lastActiveAt, id);
      this.insertEvent({ at, learnerId: row.learnerId, workshopId: row.workshopId, sessionId: id, labId: row.labId, taskId: null, kind: 'session-stop', detail: reason });
      return true;
    })();
  }

  /** Saves active time of running sessions (batched by the recorder). */
  updateActive(rows: ReadonlyArray<{ id: string; activeMs: number; lastActiveAt: number }>): void {
    if (!rows.length) return;
    const stmt = this.db.prepare('UPDATE lab_sessions SET active_ms = ?, last_active_at = ? WHERE id = ? AND stopped_at IS NULL');
    this.db.transaction(() => { for (const r of rows) stmt.run(r.activeMs, r.lastActiveAt, r.id); })();
  }

  /**
   * Sessions a killed runner of this name left open: they ended when they were
   * last seen active (saved activity or their last event). Another runner
   * sharing the data directory keeps its own. Returns how many were closed.
   */
  closeDanglingSessions(reason: string, runnerName = ''): number {
    return this.db.transaction(() => {
      const open = this.db.prepare(`SELECT id, MAX(last_active_at, COALESCE((SELECT MAX(at) FROM events e WHERE e.session_id = s.id), 0)) AS lastActiveAt,
        active_ms AS activeMs FROM lab_sessions s WHERE stopped_at IS NULL AND runner_name = ?`).all(runnerName) as Array<{ id: string; lastActiveAt: number; activeMs: number }>;
      for (const s of open) this.stopSession(s.id, s.lastActiveAt, reason, s.activeMs, s.lastActiveAt);
      return open.length;
    })();
  }

  session(id: string): SessionRow | null {
    const r = this.db.prepare(`SELECT id, learner_id AS learnerId, workshop_id AS workshopId, lab_id AS labId, started_at AS startedAt,
      stopped_at AS stoppedAt, end_reason AS endReason, active_ms AS activeMs, last_active_at AS lastActiveAt FROM lab_sessions WHERE id = ?`).get(id) as SessionRow | undefined;
    return r ?? null;
  }

  /** Each lab's most recent session of one learner. */
  lastSessions(learnerId: string): SessionRow[] {
    return this.db.prepare(`SELECT id, learner_id AS learnerId, workshop_id AS workshopId, lab_id AS labId, started_at AS startedAt,
        stopped_at AS stoppedAt, end_reason AS endReason, active_ms AS activeMs, last_active_at AS lastActiveAt
      FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY lab_id ORDER BY started_at DESC, rowid DESC) AS n FROM lab_sessions WHERE learner_id = ?)
      WHERE n = 1 ORDER BY lab_id`).all(learnerId) as SessionRow[];
  }

  // ---- events ----

  /** Records one event; check/answer events get the learner's attempt number at the task. Returns it. */
  insertEvent(e: NewEvent): number | null {
    let attempt: number | null = null;
    if (e.kind === 'check' || e.kind === 'answer') {
      const prior = this.db.prepare(`SELECT COUNT(*) AS n FROM events WHERE learner_id = ? AND lab_id = ? AND task_id = ? AND kind IN ('check', 'answer')`)
        .get(e.learnerId, e.labId, e.taskId) as { n: number };
      attempt = prior.n + 1;
    } else if (e.kind === 'quiz') {
      const prior = this.db.prepare(`SELECT COUNT(*) AS n FROM events WHERE learner_id = ? AND lab_id = ? AND task_id = ? AND kind = 'quiz'`)
        .get(e.learnerId, e.labId, e.taskId) as { n: number };
      attempt = prior.n + 1;
    }
    this.db.prepare(`INSERT INTO events (at, learner_id, workshop_id, session_id, lab_id, task_id, kind, passed, attempt, hint_index, detail)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
      e.at, e.learnerId, e.workshopId, e.sessionId, e.labId, e.taskId, e.kind,
      e.passed === undefined ? null : e.passed ? 1 : 0, attempt, e.hintIndex ?? null,
      e.detail == null ? null : e.detail.slice(0, MAX_DETAIL_CHARS),
    );
    return attempt;
  }

  /**
   * Records an answer unless its question is closed (`attempts` wrong answers
   * before a pass; null: no limit), in one write transaction (BEGIN IMMEDIATE):
   * two answers at once, from two requests or two runners on one data folder,
   * cannot both be counted as the last allowed attempt. A refused answer is not
   * recorded at all. Returns the question's count after it.
   */
  recordAnswer(e: Omit<NewEvent, 'kind' | 'passed' | 'labId' | 'taskId'> & { labId: string; taskId: string; passed: boolean }, attempts: number | null): AnswerOutcome {
    return this.db.transaction((): AnswerOutcome => {
      const before = this.answerCounts(e.learnerId, e.labId).get(e.taskId) ?? NO_ANSWERS;
      const after = nextAnswerCount(before, e.passed, attempts);
      if (after.recorded) this.insertEvent({ ...e, kind: 'answer' });
      return after;
    }).immediate();
  }

  /** Per task of one lab: wrong answers before the task's first pass (by check or answer), and whether it passed. */
  answerCounts(learnerId: string, labId: string): Map<string, AnswerCount> {
    const rows = this.db.prepare(`SELECT task_id AS taskId,
        SUM(CASE WHEN kind = 'answer' AND passed = 0 AND (first_pass IS NULL OR id < first_pass) THEN 1 ELSE 0 END) AS wrong,
        MAX(first_pass IS NOT NULL) AS passed
      FROM (${WITH_FIRST_PASS} WHERE learner_id = ? AND lab_id = ? AND kind IN ('check', 'answer')) GROUP BY task_id`)
      .all(learnerId, labId) as Array<{ taskId: string; wrong: number; passed: number }>;
    return new Map(rows.map((r) => [r.taskId, { wrong: r.wrong, passed: r.passed === 1 }]));
  }

  // ---- quizzes: events of kind 'quiz', lab_id = quiz id, task_id = question id ----

  /**
   * Records a quiz answer unless its question is closed (`attempts` wrong
   * answers before a pass), in one write transaction like recordAnswer.
   * `answer` is what was sent (JSON for a list of choices).
   */
  recordQuizAnswer(e: { at: number; learnerId: string; workshopId: string | null; quizId: string; questionId: string; passed: boolean; answer: string }, attempts: number): AnswerOutcome {
    return this.db.transaction((): AnswerOutcome => {
      const { wrong, passed } = this.quizAnswers(e.learnerId, e.quizId).get(e.questionId) ?? NO_ANSWERS;
      const after = nextAnswerCount({ wrong, passed }, e.passed, attempts);
      if (after.recorded) {
        this.insertEvent({ at: e.at, learnerId: e.learnerId, workshopId: e.workshopId, sessionId: null, labId: e.quizId, taskId: e.questionId, kind: 'quiz', passed: e.passed, detail: e.answer });
      }
      return after;
    }).immediate();
  }

  /** One learner's answers to one quiz, by question: wrong answers before the first pass, whether it passed, how many answers, the last one. */
  quizAnswers(learnerId: string, quizId: string): Map<string, QuizAnswerCount> {
    const rows = this.db.prepare(`SELECT task_id AS questionId, COUNT(*) AS attempts,
        SUM(CASE WHEN passed = 0 AND (first_pass IS NULL OR id < first_pass) THEN 1 ELSE 0 END) AS wrong,
        MAX(first_pass IS NOT NULL) AS passed,
        (SELECT detail FROM events l WHERE l.learner_id = q.learner_id AND l.lab_id = q.lab_id AND l.task_id = q.task_id AND l.kind = 'quiz' ORDER BY l.id DESC LIMIT 1) AS lastAnswer
      FROM (${WITH_FIRST_QUIZ_PASS} WHERE learner_id = ? AND lab_id = ? AND kind = 'quiz') q GROUP BY task_id`)
      .all(learnerId, quizId) as Array<{ questionId: string; attempts: number; wrong: number; passed: number; lastAnswer: string | null }>;
    return new Map(rows.map((r) => [r.questionId, { wrong: r.wrong, passed: r.passed === 1, attempts: r.attempts, lastAnswer: r.lastAnswer }]));
  }

  /** Every quiz answer in scope, per learner, quiz and question. */
  quizRecords(scope: Scope): QuizQuestionRecord[] {
    const { where, arg } = scopeSql(scope);
    const rows = this.db.prepare(`SELECT learner_id AS learnerId, lab_id AS quizId, task_id AS questionId, COUNT(*) AS attempts,
        SUM(CASE WHEN passed = 0 AND (first_pass IS NULL OR id < first_pass) THEN 1 ELSE 0 END) AS wrongAnswers,
        MIN(CASE WHEN passed = 1 THEN at END) AS firstPassedAt, MAX(at) AS lastAttemptAt
      FROM (${WITH_FIRST_QUIZ_PASS} WHERE ${where} AND kind = 'quiz') GROUP BY learner_id, lab_id, task_id`)
      .all(arg) as Array<Omit<QuizQuestionRecord, 'firstPassedAt' | 'lastAttemptAt'> & { firstPassedAt: number | null; lastAttemptAt: number }>;
    return rows.map((r) => ({ ...r, firstPassedAt: isoOrNull(r.firstPassedAt), lastAttemptAt: iso(r.lastAttemptAt) }));
  }

  timeline(learnerId: string): TimelineEvent[] {
    const rows = this.db.prepare(`SELECT at, kind, lab_id AS labId, task_id AS taskId, session_id AS sessionId, passed, attempt, hint_index AS hintIndex, detail
      FROM events WHERE learner_id = ? ORDER BY at, id`).all(learnerId) as Array<{ at: number; kind: TimelineKind; labId: string | null; taskId: string | null; sessionId: string | null; passed: number | null; attempt: number | null; hintIndex: number | null; detail: string | null }>;
    return rows.map((r) => ({
      at: iso(r.at), kind: r.kind, labId: r.labId, taskId: r.taskId, sessionId: r.sessionId,
      passed: r.passed === null ? null : r.passed === 1, attempt: r.attempt,
      detail: r.kind === 'hint' ? String(r.hintIndex) : r.detail,
    }));
  }

  /** Last time each learner in scope did anything recorded. */
  lastSeen(scope: Scope): Map<string, number> {
    const { where, arg } = scopeSql(scope);
    const rows = this.db.prepare(`SELECT learner_id AS learnerId, MAX(at) AS at FROM (
        SELECT learner_id, at FROM events WHERE ${where}
        UNION ALL SELECT learner_id, last_active_at AS at FROM lab_sessions WHERE ${where}
      ) GROUP BY learner_id`).all(arg, arg) as Array<{ learnerId: string; at: number }>;
    return new Map(rows.map((r) => [r.learnerId, r.at]));
  }

  // ---- aggregates for progress, roster and grades ----

  taskRecords(scope: Scope): TaskRecord[] {
    const { where, arg } = scopeSql(scope);
    const rows = this.db.prepare(`SELECT learner_id AS learnerId, lab_id AS labId, task_id AS taskId,
        SUM(CASE WHEN kind IN ('check', 'answer') THEN 1 ELSE 0 END) AS attempts,
        COUNT(DISTINCT CASE WHEN kind = 'hint' THEN hint_index END) AS hintsUsed,
        MIN(CASE WHEN kind IN ('check', 'answer') AND passed = 1 THEN at END) AS firstPassedAt,
        MAX(CASE WHEN kind IN ('check', 'answer') THEN at END) AS lastAttemptAt,
        SUM(CASE WHEN kind = 'answer' AND passed = 0 AND (first_pass IS NULL OR id < first_pass) THEN 1 ELSE 0 END) AS wrongAnswers
      FROM (${WITH_FIRST_PASS} WHERE ${where} AND task_id IS NOT NULL AND kind <> 'quiz') GROUP BY learner_id, lab_id, task_id`).all(arg) as Array<Omit<TaskRecord, 'firstPassedAt' | 'lastAttemptAt'> & { firstPassedAt: number | null; lastAttemptAt: number | null }>;
    return rows.map((r) => ({ ...r, firstPassedAt: isoOrNull(r.firstPassedAt), lastAttemptAt: isoOrNull(r.lastAttemptAt) }));
  }

  labRecords(scope: Scope): LabRecord[] {
    const { where, arg } = scopeSql(scope);
    const time = this.db.prepare(`SELECT learner_id AS learnerId, lab_id AS labId, SUM(active_ms) AS activeMs, MIN(started_at) AS firstStartedAt
      FROM lab_sessions WHERE ${where} GROUP BY learner_id, lab_id`).all(arg) as Array<{ learnerId: string; labId: string; activeMs: number; firstStartedAt: number }>;
    const solutions = this.db.prepare(`SELECT learner_id AS learnerId, lab_id AS labId, MIN(at) AS at FROM events WHERE ${where} AND kind = 'solution' GROUP BY learner_id, lab_id`)
      .all(arg) as Array<{ learnerId: string; labId: string; at: number }>;
    const out = new Map<string, LabRecord>();
    const key = (l: string, lab: string): string => `${l}\u0000${lab}`;
    for (const t of time) {
      out.set(key(t.learnerId, t.labId), { learnerId: t.learnerId, labId: t.labId, activeSeconds: Math.round(t.activeMs / 1000), firstStartedAt: iso(t.firstStartedAt), solutionRevealedAt: null });
    }
    for (const s of solutions) {
      const k = key(s.learnerId, s.labId);
      const rec = out.get(k) ?? { learnerId: s.learnerId, labId: s.labId, activeSeconds: 0, firstStartedAt: null, solutionRevealedAt: null };
      rec.solutionRevealedAt = iso(s.at);
      out.set(k, rec);
    }
    return [...out.values()];
  }
}

/**
 * Events with their task's first pass (the id of its first passing check or
 * answer, per learner, lab and task) beside them: a wrong answer before it is
 * one the attempt limit and the penalty count. Add a WHERE.
 */
const WITH_FIRST_PASS = `SELECT e.*, MIN(CASE WHEN kind IN ('check', 'answer') AND passed = 1 THEN id END)
  OVER (PARTITION BY learner_id, lab_id, task_id) AS first_pass FROM events e`;

/** Quiz events with their question's first pass beside them (as WITH_FIRST_PASS for labs). */
const WITH_FIRST_QUIZ_PASS = `SELECT e.*, MIN(CASE WHEN passed = 1 THEN id END)
  OVER (PARTITION BY learner_id, kind, lab_id, task_id) AS first_pass FROM events e`;

function scopeSql(scope: Scope): { where: string; arg: string } {
  return 'learnerId' in scope ? { where: 'learner_id = ?', arg: scope.learnerId } : { where: 'workshop_id = ?', arg: scope.workshopId };
}

function toWorkshop(r: RawWorkshop): WorkshopRow {
  return {
    id: r.id, title: r.title, labs: JSON.parse(r.labs) as string[], seats: r.seats, startsAt: r.starts_at, endsAt: r.ends_at,
    joinCode: r.join_code, seed: r.seed, createdAt: r.created_at, closedAt: r.closed_at,
  };
}

export function iso(ms: number): string { return new Date(ms).toISOString(); }
function isoOrNull(ms: number | null): string | null { return ms === null ? null : iso(ms); }

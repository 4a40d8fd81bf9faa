// Workshops and progress on the wire: ids, join codes, request schemas and the
// response shapes of /api/progress and /api/workshops/… . Shared by the runner,
// the CLI and the browser pages; pure (no Node, no DOM).
import { z } from 'zod';
import { SLUG_PATTERN } from './ids.ts';
import type { QuestionTally, TaskStatus } from './protocol.ts';
import type { GradeQuiz, QuizGrade } from './quiz-grades.ts';

// ---- Ids and codes ----

/** Workshop ids: `w-` and 12 lower-case base32 characters (60 bits: not guessable, short in URLs). */
export const WORKSHOP_ID_PATTERN = /^w-[a-z2-7]{12}$/;
/** Learner ids: `l-` and 12 base32 characters; the self-paced learner (the owner) is `local`. */
export const LEARNER_ID_PATTERN = /^(?:l-[a-z2-7]{12}|local)$/;
export const LOCAL_LEARNER_ID = 'local';

/** Join codes: read aloud and typed by people, so no 0/O and 1/I; 8 characters ≈ 2^40 codes. */
export const JOIN_CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export const JOIN_CODE_LENGTH = 8;
/** Where a learner's browser joins; the CLI prints `<runner url><path>?code=<code>`. */
export const WORKSHOP_JOIN_PATH = '/workshop';

/** A class, not a conference: more seats than this on one host is a mistake. */
export const MAX_SEATS = 200;
/** Longest workshop: a week-long course still fits; a forgotten one ends. */
export const MAX_WORKSHOP_MS = 14 * 24 * 3600_000;
export const MAX_WORKSHOP_LABS = 20;
export const MAX_LEARNER_NAME = 60;
export const MAX_WORKSHOP_TITLE = 100;

export function isWorkshopId(v: unknown): v is string {
  return typeof v === 'string' && WORKSHOP_ID_PATTERN.test(v);
}

export function isLearnerId(v: unknown): v is string {
  return typeof v === 'string' && LEARNER_ID_PATTERN.test(v);
}

/** Upper-cases and drops spaces and dashes, so "abcd-efgh" and "ABCD EFGH" are the same code. */
export function normalizeJoinCode(input: string): string {
  return input.toUpperCase().replace(/[\s-]+/g, '');
}

export function isJoinCode(code: string): boolean {
  return code.length === JOIN_CODE_LENGTH && [...code].every((c) => JOIN_CODE_ALPHABET.includes(c));
}

/** `ABCDEFGH` → `ABCD-EFGH`, easier to read out. */
export function formatJoinCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/** `90m`, `2h`, `1h30m`, `1d` → milliseconds; null when it is not a duration. */
export function parseDuration(text: string): number | null {
  const m = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$/i.exec(text.trim());
  if (!m || !(m[1] || m[2] || m[3])) return null;
  const ms = (Number(m[1] ?? 0) * 24 * 60 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0)) * 60_000;
  return ms > 0 ? ms : null;
}

// ---- Requests ----

const isoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'expected an ISO 8601 time such as "2025-05-01T09:00:00Z"');
const labId = z.string().regex(SLUG_PATTERN, 'expected a lab id such as "syscall-storm"');

export const createWorkshopRequestSchema = z
  .object({
    title: z.string().trim().min(1).max(MAX_WORKSHOP_TITLE).optional(),
    labs: z.array(labId).min(1, 'expected at least one lab').max(MAX_WORKSHOP_LABS),
    seats: z.number().int().min(1).max(MAX_SEATS),
    /** Default: now. */
    startsAt: isoTime.optional(),
    endsAt: isoTime,
  })
  .strict();
export type CreateWorkshopRequest = z.infer<typeof createWorkshopRequestSchema>;

export const joinWorkshopRequestSchema = z
  .object({
    code: z.string().max(32),
    name: z.string().max(200),
  })
  .strict();
export type JoinWorkshopRequest = z.infer<typeof joinWorkshopRequestSchema>;

// ---- Responses ----

export type WorkshopState = 'scheduled' | 'open' | 'ended' | 'closed';

export function workshopState(w: { startsAt: number; endsAt: number; closedAt: number | null }, now: number): WorkshopState {
  if (w.closedAt !== null) return 'closed';
  if (now < w.startsAt) return 'scheduled';
  return now < w.endsAt ? 'open' : 'ended';
}

/** What the instructor sees of a workshop. */
export interface WorkshopInfo {
  id: string;
  title: string;
  labs: string[];
  seats: number;
  seatsTaken: number;
  startsAt: string;
  endsAt: string;
  state: WorkshopState;
  joinCode: string;
  /** Path on the runner where learners join; prefix the address learners use. */
  joinPath: string;
  createdAt: string;
}

/** What a learner sees of their workshop. */
export interface LearnerWorkshopInfo {
  id: string;
  title: string;
  labs: string[];
  startsAt: string;
  endsAt: string;
  state: WorkshopState;
}

export interface JoinWorkshopResponse {
  learner: { id: string; name: string };
  /** The learner's bearer token: keep it (the browser stores it); it is shown once. */
  token: string;
  workshop: LearnerWorkshopInfo;
}

export type LabProgressStatus = 'not-started' | 'in-progress' | 'done';

export interface LabSessionSummary {
  id: string;
  startedAt: string;
  stoppedAt: string | null;
  /** Why it ended: stopped, idle, workshop-ended, gone, runner-restart. */
  endReason: string | null;
  live: boolean;
}

export interface LabProgress {
  labId: string;
  status: LabProgressStatus;
  tasksPassed: string[];
  tasksTotal: number;
  /** Seconds with activity (requests, terminal frames) across this learner's sessions of the lab. */
  activeSeconds: number;
  hintsUsed: number;
  solutionRevealed: boolean;
  lastSession: LabSessionSummary | null;
  /** Each question's tally (attempts left, closed, score) by task id: the page shows it while no lab runs. */
  questions?: Record<string, QuestionTally>;
}

/** GET /api/progress */
export interface ProgressResponse {
  learner: { id: string; name: string };
  workshop: LearnerWorkshopInfo | null;
  labs: LabProgress[];
  /** Each quiz on the site, graded (the roadmap shows the checkpoints). */
  quizzes: QuizGrade[];
}

export interface RosterTask {
  taskId: string;
  status: TaskStatus;
  attempts: number;
  hintsUsed: number;
  passedAt: string | null;
  /** Wrong answers to its question before the pass. */
  wrongAnswers: number;
  /** Its question's attempt limit was used up without a pass: it takes no more answers. */
  closed: boolean;
  /** 0–1 after the penalty (attempts.ts). */
  score: number;
}

export interface RosterLab {
  labId: string;
  status: LabProgressStatus;
  tasks: RosterTask[];
  /** Sum of the tasks' scores. */
  score: number;
  activeSeconds: number;
  hintsUsed: number;
  solutionRevealed: boolean;
  /** The learner's running session of this lab, if any. */
  liveSessionId: string | null;
}

export interface RosterLearner {
  id: string;
  name: string;
  joinedAt: string;
  lastSeenAt: string | null;
  labs: RosterLab[];
  quizzes: QuizGrade[];
}

/** GET /api/workshops/:id/roster, and each `roster` event of …/roster/stream */
export interface RosterResponse {
  workshop: WorkshopInfo;
  generatedAt: string;
  labs: Array<{ id: string; title: string; tasks: Array<{ id: string; title: string }> }>;
  quizzes: GradeQuiz[];
  learners: RosterLearner[];
}

export type TimelineKind = 'join' | 'session-start' | 'session-stop' | 'reset' | 'check' | 'answer' | 'hint' | 'solution'
  /** An answer to a quiz question: labId holds the quiz id, taskId the question id. */
  | 'quiz';

export interface TimelineEvent {
  at: string;
  kind: TimelineKind;
  labId: string | null;
  taskId: string | null;
  sessionId: string | null;
  /** check/answer: did it pass. */
  passed: boolean | null;
  /** check/answer: the learner's attempt number at this task. */
  attempt: number | null;
  /** answer: what was typed; check: the checker's message; hint: its index; session-stop: why. */
  detail: string | null;
}

/** GET /api/workshops/:id/learners/:learner/timeline */
export interface TimelineResponse {
  learner: { id: string; name: string; workshopId: string | null };
  events: TimelineEvent[];
}

// The one wire protocol between the runner and its clients (browser terminal, CLI).
// Both sides import these types; nothing on the wire is `any`.
//
// WebSocket /api/sessions/<id>/terminal?token=<session token>
//   - binary frames, server → client: raw terminal output bytes.
//   - text frames: JSON, one ClientMessage or ServerMessage each.
import { z } from 'zod';
import type { PublicLab } from './lab-schema.ts';
import { LANGS } from './langs.ts';

// ---- Flow control (see the xterm.js "flow control" guide) ----

/** Unacknowledged output above which the runner stops reading the shell: ~10 ms of xterm.js parsing, so Ctrl-C feels instant. */
export const FLOW_HIGH_WATERMARK = 256 * 1024;
/** The runner resumes reading once the client has caught up to this. */
export const FLOW_LOW_WATERMARK = 64 * 1024;
/** Clients acknowledge after processing this many bytes: often enough to keep the pipe full, rarely enough to be cheap. */
export const FLOW_ACK_EVERY = 32 * 1024;
/** Largest text frame a client may send; typed input and pastes fit, anything bigger is refused. */
export const MAX_CLIENT_FRAME_BYTES = 64 * 1024;
/**
 * Clients split input (a paste) into frames of at most this many characters: even a chunk
 * of control characters, six bytes each as JSON escapes, stays under MAX_CLIENT_FRAME_BYTES.
 */
export const INPUT_CHUNK_CHARS = 8 * 1024;

export const MIN_COLS = 2;
export const MAX_COLS = 1000;
export const MIN_ROWS = 1;
export const MAX_ROWS = 500;

// ---- WebSocket: client → server ----

export const clientMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('input'), data: z.string().max(MAX_CLIENT_FRAME_BYTES) }).strict(),
  z.object({
    type: z.literal('resize'),
    cols: z.number().int().min(MIN_COLS).max(MAX_COLS),
    rows: z.number().int().min(MIN_ROWS).max(MAX_ROWS),
  }).strict(),
  /** Bytes of output the client has finished processing since its last ack. */
  z.object({ type: z.literal('ack'), bytes: z.number().int().min(0).max(64 * 1024 * 1024) }).strict(),
  z.object({ type: z.literal('ping'), id: z.number().int() }).strict(),
  /**
   * The learner is using this viewer now (its tab or terminal gained focus): the shell
   * takes this viewer's size, as tmux follows its most recently active client. Input and
   * a resize make a viewer active too.
   */
  z.object({ type: z.literal('focus') }).strict(),
]);
export type ClientMessage = z.infer<typeof clientMessageSchema>;

// ---- WebSocket: server → client ----

export type TerminalState = 'attached' | 'exited' | 'restarting';

export type ServerMessage =
  | { type: 'hello'; sessionId: string; labId: string; cols: number; rows: number }
  | { type: 'state'; state: TerminalState; detail?: string }
  /**
   * The screen as it is now, as escape sequences (from the runner's headless copy of
   * the terminal). Sent once after `hello`, before any live output: a client clears its
   * terminal and writes it, so a reload or reconnect shows the same screen.
   */
  | { type: 'screen'; data: string; cols: number; rows: number }
  | { type: 'pong'; id: number }
  | { type: 'error'; code: WsErrorCode; message: string }
  /**
   * Something the learner should know before it happens: the lab stops soon because
   * it is idle (any key or request keeps it) or because the workshop ends.
   * `deadline` is when, as an ISO time.
   */
  | { type: 'notice'; code: NoticeCode; message: string; deadline: string | null }
  /**
   * The lab is not reading its input (say `sleep` runs with a paste behind it) and the
   * runner holds all it will: hold further input until `input-resumed`. A client that
   * keeps sending is not read any more until then.
   */
  | { type: 'input-paused' }
  | { type: 'input-resumed' };

export type WsErrorCode = 'bad-frame' | 'shell-failed' | 'session-gone';

export type NoticeCode = 'idle-warning' | 'idle-stopped' | 'workshop-ending' | 'workshop-ended'
  /** The lab wrote more than its disk quota (lab.yaml resources.disk) and was stopped. */
  | 'disk-quota'
  /** The lab's backend (Docker Engine, QEMU) became unreachable; the session is degraded and retried. */
  | 'backend-unavailable'
  /** The backend answers again and the lab survived: a new shell opens. */
  | 'backend-recovered';

// WebSocket close codes the runner uses (4000–4999 are application codes).
export const WS_CLOSE = {
  unauthorized: 4401,
  forbiddenOrigin: 4403,
  notFound: 4404,
  sessionStopped: 4410,
  /** The session already has as many terminals open as the runner allows. */
  tooManyViewers: 4429,
  tooBig: 1009,
} as const;

// ---- HTTP ----

// Error codes and their HTTP statuses: one table in errors.ts.
export type { ApiError, ApiErrorCode } from './errors.ts';

export const startSessionRequestSchema = z.object({ labId: z.string() }).strict();
export type StartSessionRequest = z.infer<typeof startSessionRequestSchema>;

/** `lang`: the learner's language; the grader's words (and the lab's why and wrong-answer messages) come in it. */
export const answerRequestSchema = z.object({ answer: z.string().max(1000), lang: z.enum(LANGS).default('en') }).strict();
export type AnswerRequest = z.input<typeof answerRequestSchema>;

/**
 * runner/src/node/sessions/session-phase.ts has the allowed transitions. `degraded`: the
 * backend is unreachable, the lab may still exist and is retried; `error` says what happened.
 */
export type SessionPhase = 'starting' | 'running' | 'resetting' | 'degraded' | 'stopping' | 'stopped' | 'failed';

/** Progress while a lab starts: image ready → container up → fault workload running. */
export type StartStage = 'image' | 'environment' | 'setup' | 'ready';

export interface StartProgress {
  stage: StartStage;
  message: string;
}

export type TaskStatus = 'pending' | 'passed' | 'failed';

/**
 * A question's standing against its attempt limit and penalty (lab.yaml `attempts`,
 * `penalty`; the model is in attempts.ts), counted over all of this learner's
 * sessions by the runner's progress store.
 */
export interface QuestionTally {
  /** Wrong answers before the first pass. */
  wrong: number;
  /** Attempts still open; null: the question has no limit. */
  attemptsLeft: number | null;
  /** The limit is used up without a pass: answers are refused (409) and the task scores 0. */
  closed: boolean;
  /** What the task scores now, 0–1: 1 − penalty × wrong once passed, 0 before. */
  score: number;
  /** For the learner: "2 of 3 attempts left", the penalty, or that the question is closed ('' when there is nothing to say). */
  note: string;
}

export interface TaskState {
  id: string;
  status: TaskStatus;
  /** Last message from the check or the grader, for the learner. */
  message: string;
  attempts: number;
  passedAt: string | null;
  /** Present for a task with a question. */
  tally?: QuestionTally;
}

export interface SessionView {
  id: string;
  labId: string;
  phase: SessionPhase;
  progress: StartProgress[];
  tasks: TaskState[];
  createdAt: string;
  /** Why the lab failed, or (degraded, stopping) what the runner is waiting for. */
  error: string | null;
  /** Whose lab it is: the local learner ("local", the owner) or a workshop learner. */
  learnerId?: string;
  workshopId?: string | null;
}

/** A program in the foreground of the lab shell's terminal (top, less, a running strace): typing goes to it, not to the shell. */
export interface ForegroundProgram {
  /** Its process id, as the lab (container or VM) numbers it. */
  pid: number;
  /** Its command name (the kernel's comm, at most 15 characters), e.g. "top". */
  name: string;
}

/** GET /api/sessions/:id/foreground — null when the shell is at its prompt. */
export interface ForegroundResponse {
  program: ForegroundProgram | null;
}

export interface StartSessionResponse {
  session: SessionView;
  /** The session's own token: needed for every request about it and for its terminal. */
  token: string;
}

export interface CheckResult {
  taskId: string;
  passed: boolean;
  message: string;
  durationMs: number;
  /** True when the task had passed before; a pass is never taken back. */
  alreadyPassed: boolean;
  /** An answer's standing after it was counted (attempts left, closed, score). */
  tally?: QuestionTally;
}

export interface LabListResponse {
  labs: PublicLab[];
  /** Lab files that failed to load, each line naming file, field and what was expected. */
  problems: string[];
}

export interface HintResponse {
  taskId: string;
  index: number;
  hint: string;
  remaining: number;
}

// ---- Quizzes (quiz-schema.ts) ----

/** POST /api/quizzes/:id/answers — `answer`: a choice id, choice ids, or text, as the question takes; `lang`: the page's language. */
export const quizAnswerRequestSchema = z.object({
  questionId: z.string().max(64),
  answer: z.union([z.string().max(1000), z.array(z.string().max(64)).max(16)]),
  lang: z.enum(LANGS).default('en'),
}).strict();
export type QuizAnswerRequest = z.input<typeof quizAnswerRequestSchema>;

/** passed: answered right; closed: its attempts are used up without a pass; open: still taking answers. */
export type QuizQuestionStatus = 'open' | 'passed' | 'closed';

export interface QuizQuestionState {
  id: string;
  status: QuizQuestionStatus;
  /** Answers counted (right and wrong). */
  attempts: number;
  wrong: number;
  attemptsLeft: number;
  /** 1 once passed, 0 otherwise (quizzes have no penalty: the attempt limit is the cost). */
  score: number;
  /** The last answer the learner gave, as sent (choice ids or text); null before any. */
  lastAnswer: string | string[] | null;
  /** What the grader said to the last answer, in the asked language. */
  message: string;
  /** Once passed or closed: why the right answer is right, and the right answer itself. */
  explanation: string | null;
  rightAnswer: string | null;
}

/** GET /api/quizzes/:id?lang= — this learner's standing at each question. */
export interface QuizState {
  quizId: string;
  questions: QuizQuestionState[];
  passed: number;
  total: number;
}

/** The reply to an answer: the question's state after it was counted. */
export interface QuizAnswerResponse {
  quizId: string;
  passed: boolean;
  question: QuizQuestionState;
}

// The progress database on a real SQLite file: migrations, durability settings,
// attempt numbering, aggregates, and the recorder's active-time accounting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openProgressDb } from './database.ts';
import { SCHEMA_VERSION } from './migrations.ts';
import { ProgressStore } from './progress-store.ts';
import { ProgressFeed } from './progress-feed.ts';
import { ACTIVE_GAP_MS, ProgressRecorder } from './progress-recorder.ts';
import type { Session } from '../sessions/session.ts';

function tempDb() {
  const dir = mkdtempSync(join(tmpdir(), 'kdlabs-progress-'));
  const file = join(dir, 'progress.db');
  return { file, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

test('a new database is migrated to the latest schema, in WAL mode with full sync', () => {
  const { file, cleanup } = tempDb();
  try {
    const db = openProgressDb(file);
    assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(db.pragma('synchronous', { simple: true }), 2, 'FULL');
    assert.equal(new ProgressStore(db).learner('local')?.name, 'you');
    db.close();
    const again = openProgressDb(file);
    assert.equal(again.pragma('user_version', { simple: true }), SCHEMA_VERSION, 'reopening changes nothing');
    again.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    again.close();
    assert.throws(() => openProgressDb(file), /schema version 2, but this runner knows versions up to 1: update kdlabs/);
  } finally { cleanup(); }
});

test('events number attempts per learner and task; aggregates see every session', () => {
  const { file, cleanup } = tempDb();
  const db = openProgressDb(file);
  try {
    const store = new ProgressStore(db);
    const base = { learnerId: 'local', workshopId: null, labId: 'lab-a' };
    store.startSession({ id: 's-1', ...base, at: 1000 });
    assert.equal(store.insertEvent({ ...base, at: 1100, sessionId: 's-1', taskId: 't1', kind: 'answer', passed: false, detail: 'read' }), 1);
    assert.equal(store.insertEvent({ ...base, at: 1200, sessionId: 's-1', taskId: 't1', kind: 'answer', passed: true, detail: 'write' }), 2);
    store.insertEvent({ ...base, at: 1250, sessionId: 's-1', taskId: 't2', kind: 'hint', hintIndex: 0 });
    store.insertEvent({ ...base, at: 1260, sessionId: 's-1', taskId: 't2', kind: 'hint', hintIndex: 0 });
    store.insertEvent({ ...base, at: 1270, sessionId: 's-1', taskId: 't2', kind: 'hint', hintIndex: 1 });
    assert.ok(store.stopSession('s-1', 2000, 'stopped', 800, 1900));
    assert.equal(store.stopSession('s-1', 3000, 'idle', 900, 2900), false, 'a session ends once');
    store.startSession({ id: 's-2', ...base, at: 5000, runnerName: 'r1' });
    store.startSession({ id: 's-3', ...base, at: 5000, runnerName: 'another' });
    assert.equal(store.insertEvent({ ...base, at: 5100, sessionId: 's-2', taskId: 't1', kind: 'answer', passed: true, detail: 'write' }), 3, 'attempts continue across sessions');
    store.insertEvent({ ...base, at: 5200, sessionId: 's-2', taskId: null, kind: 'solution' });
    const tasks = store.taskRecords({ learnerId: 'local' });
    const t1 = tasks.find((t) => t.taskId === 't1')!;
    assert.deepEqual([t1.attempts, t1.firstPassedAt], [3, new Date(1200).toISOString()]);
    assert.equal(tasks.find((t) => t.taskId === 't2')!.hintsUsed, 2, 'distinct hints');
    const [lab] = store.labRecords({ learnerId: 'local' });
    assert.deepEqual(lab, { learnerId: 'local', labId: 'lab-a', activeSeconds: 1, firstStartedAt: new Date(1000).toISOString(), solutionRevealedAt: new Date(5200).toISOString() });
    assert.deepEqual(store.lastSessions('local').map((s) => s.id), ['s-3'], 'one per lab, the latest');
    assert.equal(store.closeDanglingSessions('runner-restart', 'r1'), 1, "only this runner's sessions");
    assert.equal(store.session('s-2')!.endReason, 'runner-restart');
    assert.equal(store.session('s-3')!.stoppedAt, null, "another runner's session stays open");
    store.stopSession('s-3', 6000, 'stopped', 0, 6000);
    assert.deepEqual(store.timeline('local').map((e) => e.kind), ['session-start', 'answer', 'answer', 'hint', 'hint', 'hint', 'session-stop', 'session-start', 'session-start', 'answer', 'solution', 'session-stop', 'session-stop']);
  } finally { db.close(); cleanup(); }
});

test('the recorder counts active time from activity, with long silences left out', () => {
  const { file, cleanup } = tempDb();
  const db = openProgressDb(file);
  let now = 10_000;
  const recorder = new ProgressRecorder(new ProgressStore(db), new ProgressFeed(), 'r1', () => now);
  try {
    const s = { id: 's-x', owner: { learnerId: 'local', workshopId: null }, lab: { id: 'lab-a' } } as unknown as Session;
    recorder.onStart(s);
    now += 30_000; recorder.onActivity(s);
    now += 60_000; recorder.onActivity(s);
    now += ACTIVE_GAP_MS + 1; recorder.onActivity(s); // a break: not counted
    now += 10_000; recorder.onActivity(s);
    recorder.flush();
    const store = new ProgressStore(db);
    assert.equal(store.session('s-x')!.activeMs, 100_000);
    recorder.onStop(s, 'stopped');
    assert.equal(store.session('s-x')!.stoppedAt, now);
  } finally { recorder.close(); db.close(); cleanup(); }
});

test('quiz answers are counted per question, close at their limit, and stay out of the labs\' task records', () => {
  const { file, cleanup } = tempDb();
  const db = openProgressDb(file);
  try {
    const store = new ProgressStore(db);
    const answer = (questionId: string, passed: boolean, at: number) =>
      store.recordQuizAnswer({ at, learnerId: 'local', workshopId: null, quizId: 'use-method', questionId, passed, answer: passed ? 'saturation' : 'errors' }, 2);
    assert.deepEqual(answer('q1', false, 1000), { wrong: 1, passed: false, recorded: true });
    assert.deepEqual(answer('q1', true, 2000), { wrong: 1, passed: true, recorded: true });
    assert.deepEqual(answer('q1', false, 2500), { wrong: 1, passed: true, recorded: true }, 'a wrong answer after the pass costs nothing');
    answer('q2', false, 3000);
    assert.deepEqual(answer('q2', false, 4000), { wrong: 2, passed: false, recorded: true });
    assert.deepEqual(answer('q2', true, 5000), { wrong: 2, passed: false, recorded: false }, 'closed after two wrong answers');
    const counts = store.quizAnswers('local', 'use-method');
    assert.deepEqual(counts.get('q1'), { wrong: 1, passed: true, attempts: 3, lastAnswer: 'errors' });
    assert.deepEqual(counts.get('q2'), { wrong: 2, passed: false, attempts: 2, lastAnswer: 'errors' });
    const records = store.quizRecords({ learnerId: 'local' }).sort((a, b) => a.questionId.localeCompare(b.questionId));
    assert.deepEqual(records.map((r) => [r.questionId, r.attempts, r.wrongAnswers, r.firstPassedAt]), [
      ['q1', 3, 1, new Date(2000).toISOString()],
      ['q2', 2, 2, null],
    ]);
    assert.deepEqual(store.taskRecords({ learnerId: 'local' }), [], 'quiz answers are not lab tasks');
    assert.deepEqual(store.timeline('local').map((e) => [e.kind, e.labId, e.taskId, e.attempt]).slice(0, 2), [['quiz', 'use-method', 'q1', 1], ['quiz', 'use-method', 'q1', 2]]);
  } finally { db.close(); cleanup(); }
});

// Attempt limits enforced by the progress store on a real SQLite file: the
// limit closes a question, a refused answer is not recorded, the count survives
// a restart (the file opened again, a new session), and answers racing from
// several connections at once never exceed the limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { openProgressDb } from './database.ts';
import { ProgressStore } from './progress-store.ts';
import { ProgressFeed } from './progress-feed.ts';
import { ProgressRecorder } from './progress-recorder.ts';
import { Session } from '../sessions/session.ts';
import { FakeBackend, fakeLab } from '../sessions/fake-backend.test-support.ts';
import { computeGrades } from '../../common/grades.ts';
import { gradeLabs, learnerProgress } from './progress-views.ts';

function tempDb() {
  const dir = mkdtempSync(join(tmpdir(), 'kdlabs-attempts-'));
  return { file: join(dir, 'progress.db'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** fakeLab with its question ("name-it", answer "write") closing after two wrong answers, each costing 0.25. */
function limitedLab() {
  const lab = fakeLab();
  lab.tasks.find((t) => t.id === 'name-it')!.question!.rules = { attempts: 2, penalty: 0.25 };
  return lab;
}

/** A workshop and its learner in the store: attempt rules bind in workshops (Session.rulesOf). */
function inWorkshop(store: ProgressStore) {
  store.insertWorkshop({ id: 'w-test', title: 'W', labs: ['lab-a'], seats: 5, startsAt: 0, endsAt: 9e12, joinCode: 'c', seed: 's', createdAt: 0, closedAt: null });
  store.insertLearner({ id: 'l-test', workshopId: 'w-test', name: 'Ann', joinedAt: 0 }, 'hash');
  return { learnerId: 'l-test', workshopId: 'w-test' };
}

const answer = (store: ProgressStore, passed: boolean, attempts: number | null, taskId = 'q') =>
  store.recordAnswer({ at: 1000, learnerId: 'local', workshopId: null, sessionId: null, labId: 'lab-a', taskId, passed, detail: 'x' }, attempts);

const answerEvents = (store: ProgressStore): number =>
  (store.db.prepare(`SELECT COUNT(*) AS n FROM events WHERE kind = 'answer'`).get() as { n: number }).n;

test('the store closes a question at its limit and does not record a refused answer', () => {
  const { file, cleanup } = tempDb();
  const db = openProgressDb(file);
  try {
    const store = new ProgressStore(db);
    assert.deepEqual(answer(store, false, 2), { wrong: 1, passed: false, recorded: true });
    assert.deepEqual(answer(store, false, 2), { wrong: 2, passed: false, recorded: true });
    assert.deepEqual(answer(store, true, 2), { wrong: 2, passed: false, recorded: false }, 'closed: even the right answer is refused');
    assert.equal(answerEvents(store), 2, 'the refused answer left no event');
    assert.deepEqual(answer(store, false, null, 'open'), { wrong: 1, passed: false, recorded: true }, 'another question is not affected');
    assert.deepEqual(answer(store, true, 1, 'open'), { wrong: 1, passed: false, recorded: false }, 'a limit of 1 with one wrong answer is closed');
    const [rec] = store.taskRecords({ learnerId: 'local' }).filter((t) => t.taskId === 'q');
    assert.deepEqual([rec!.attempts, rec!.wrongAnswers, rec!.firstPassedAt], [2, 2, null]);
  } finally { db.close(); cleanup(); }
});

test('wrong answers after the pass are recorded but not counted against the question', () => {
  const { file, cleanup } = tempDb();
  const db = openProgressDb(file);
  try {
    const store = new ProgressStore(db);
    answer(store, false, 2);
    assert.deepEqual(answer(store, true, 2), { wrong: 1, passed: true, recorded: true });
    assert.deepEqual(answer(store, false, 2), { wrong: 1, passed: true, recorded: true });
    assert.deepEqual(answer(store, false, 2), { wrong: 1, passed: true, recorded: true }, 'a passed question never closes');
    assert.deepEqual(store.answerCounts('local', 'lab-a').get('q'), { wrong: 1, passed: true });
    assert.equal(store.taskRecords({ learnerId: 'local' })[0]!.wrongAnswers, 1);
  } finally { db.close(); cleanup(); }
});

test('the count survives a runner restart: the file opened again, a new session sees the question closed', async () => {
  const { file, cleanup } = tempDb();
  const lab = limitedLab();
  try {
    let db = openProgressDb(file);
    const owner = inWorkshop(new ProgressStore(db));
    let recorder = new ProgressRecorder(new ProgressStore(db), new ProgressFeed());
    const first = new Session(lab, { owner, backend: new FakeBackend(), observer: recorder, resolveImage: async () => 'image:test' });
    await first.start();
    assert.equal(first.answer('name-it', 'read').ok, true);
    const tally = first.view().tasks.find((t) => t.id === 'name-it')!.tally!;
    assert.deepEqual([tally.wrong, tally.attemptsLeft, tally.closed], [1, 1, false]);
    // The runner dies: the session is never stopped, the connection is dropped.
    recorder.close();
    db.close();

    db = openProgressDb(file);
    recorder = new ProgressRecorder(new ProgressStore(db), new ProgressFeed());
    const second = new Session(lab, { owner, backend: new FakeBackend(), observer: recorder, resolveImage: async () => 'image:test' });
    await second.start();
    assert.equal(second.view().tasks.find((t) => t.id === 'name-it')!.tally!.attemptsLeft, 1, 'a reload or restart shows what is left');
    assert.equal(second.answer('name-it', 'pread').ok, true);
    const refused = second.answer('name-it', 'write');
    assert.equal(refused.ok, false);
    assert.match(!refused.ok ? refused.error.message : '', /closed/);
    recorder.close();
    db.close();

    db = openProgressDb(file);
    const store = new ProgressStore(db);
    const third = new Session(lab, { owner, backend: new FakeBackend(), observer: new ProgressRecorder(store, new ProgressFeed()), resolveImage: async () => 'image:test' });
    const state = third.view().tasks.find((t) => t.id === 'name-it')!;
    assert.deepEqual([state.status, state.tally!.closed, state.tally!.attemptsLeft], ['failed', true, 0]);
    assert.equal(answerEvents(store), 2, 'two wrong answers; the refused one is not there');
    const report = computeGrades({
      workshop: null, generatedAt: 'now', labs: gradeLabs([lab.id], new Map([[lab.id, lab]])),
      learners: [{ id: 'l-test', name: 'Ann', joinedAt: 'then' }], tasks: store.taskRecords({ learnerId: 'l-test' }), labRecords: [],
    });
    const graded = report.learners[0]!.labs[0]!.tasks.find((t) => t.taskId === 'name-it')!;
    assert.deepEqual([graded.wrongAnswers, graded.closed, graded.score], [2, true, 0]);
    // GET /api/progress: the page shows the question closed even while no lab runs.
    const progress = learnerProgress(store, store.learner('l-test')!, gradeLabs([lab.id], new Map([[lab.id, lab]])), { id: 'w-test', title: 'W', labs: [lab.id], startsAt: 'then', endsAt: 'later', state: 'open' });
    assert.deepEqual(Object.keys(progress.labs[0]!.questions ?? {}), ['name-it'], 'questions only, not the check');
    assert.equal(progress.labs[0]!.questions!['name-it']!.closed, true);
    db.close();
  } finally { cleanup(); }
});

test('answers racing from four connections at once are counted up to the limit and no further', async () => {
  const { file, cleanup } = tempDb();
  const LIMIT = 3;
  const WORKERS = 4;
  const TRIES = 5;
  try {
    openProgressDb(file).close(); // migrated once, before the workers open it
    const gate = new SharedArrayBuffer(4);
    const workers = Array.from({ length: WORKERS }, (_, i) => new Worker(new URL('./answer-race-worker.test-support.mjs', import.meta.url), {
      workerData: { file, gate, tries: TRIES, attempts: LIMIT, name: `w${i}` },
    }));
    const done = workers.map((w) => new Promise<number>((resolve, reject) => {
      w.on('message', (m: { counted?: number }) => { if (m.counted !== undefined) resolve(m.counted); });
      w.once('error', reject);
      w.once('exit', (code) => { if (code !== 0) reject(new Error(`worker exited with ${code}`)); });
    }));
    await Promise.all(workers.map((w) => new Promise<void>((resolve) => w.once('message', () => resolve()))));
    // Every worker is at the gate: open it for all of them at once.
    Atomics.store(new Int32Array(gate), 0, 1);
    Atomics.notify(new Int32Array(gate), 0);
    const counted = await Promise.all(done);
    assert.equal(counted.reduce((a, b) => a + b, 0), LIMIT, `counted per worker: ${counted.join(', ')}`);
    const db = openProgressDb(file);
    try {
      assert.equal(answerEvents(new ProgressStore(db)), LIMIT, 'exactly the allowed attempts are recorded');
    } finally { db.close(); }
  } finally { cleanup(); }
});

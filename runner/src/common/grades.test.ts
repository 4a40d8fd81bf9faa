import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeGrades, credit, csvCell, gradesToCsv, labStatus, GRADE_CSV_COLUMNS, type GradeInput } from './grades.ts';

const input: GradeInput = {
  workshop: { id: 'w-aaaaaaaaaaaa', title: 'Intro', startsAt: '2025-01-01T09:00:00.000Z', endsAt: '2025-01-01T12:00:00.000Z' },
  generatedAt: '2025-01-01T12:00:00.000Z',
  labs: [
    { id: 'lab-a', title: 'A', tasks: [{ id: 't1', title: 'one', rules: { attempts: null, penalty: 0.25 } }, { id: 't2', title: 'two' }, { id: 't3', title: 'three', rules: { attempts: 1, penalty: 0 } }] },
    { id: 'lab-b', title: 'B', tasks: [{ id: 'u1', title: 'one' }] },
  ],
  learners: [
    { id: 'l-bbbbbbbbbbbb', name: 'Zoe', joinedAt: '2025-01-01T09:01:00.000Z' },
    { id: 'l-cccccccccccc', name: 'Ann', joinedAt: '2025-01-01T09:02:00.000Z' },
  ],
  tasks: [
    { learnerId: 'l-bbbbbbbbbbbb', labId: 'lab-a', taskId: 't1', attempts: 3, hintsUsed: 1, firstPassedAt: '2025-01-01T09:10:00.000Z', lastAttemptAt: '2025-01-01T09:10:00.000Z', wrongAnswers: 2 },
    { learnerId: 'l-bbbbbbbbbbbb', labId: 'lab-a', taskId: 't2', attempts: 2, hintsUsed: 0, firstPassedAt: '2025-01-01T09:20:00.000Z', lastAttemptAt: '2025-01-01T09:25:00.000Z', wrongAnswers: 0 },
    { learnerId: 'l-bbbbbbbbbbbb', labId: 'lab-a', taskId: 't3', attempts: 1, hintsUsed: 2, firstPassedAt: null, lastAttemptAt: '2025-01-01T09:30:00.000Z', wrongAnswers: 1 },
  ],
  labRecords: [
    { learnerId: 'l-bbbbbbbbbbbb', labId: 'lab-a', activeSeconds: 1200, firstStartedAt: '2025-01-01T09:05:00.000Z', solutionRevealedAt: '2025-01-01T09:40:00.000Z' },
  ],
};

test('partial credit is the tasks\' scores over total tasks, per lab and overall', () => {
  const r = computeGrades(input);
  assert.deepEqual(r.learners.map((l) => l.name), ['Ann', 'Zoe'], 'sorted by name');
  const zoe = r.learners[1]!;
  assert.equal(zoe.labs[0]!.tasksPassed, 2);
  assert.deepEqual(zoe.labs[0]!.tasks.map((t) => t.score), [0.5, 1, 0], 't1 passed after 2 wrong answers at 0.25 each');
  assert.equal(zoe.labs[0]!.score, 1.5);
  assert.equal(zoe.labs[0]!.credit, 0.5, '1.5 of 3');
  assert.equal(zoe.labs[0]!.status, 'in-progress');
  assert.equal(zoe.labs[0]!.solutionRevealedAt, '2025-01-01T09:40:00.000Z');
  assert.equal(zoe.labs[1]!.status, 'not-started');
  assert.equal(zoe.credit, 0.375, '1.5 of 4 tasks');
  assert.equal(zoe.score, 1.5);
  assert.deepEqual(zoe.labs[0]!.tasks[2], {
    taskId: 't3', passed: false, passedAt: null, attempts: 1, hintsUsed: 2, lastAttemptAt: '2025-01-01T09:30:00.000Z', wrongAnswers: 1, closed: true, score: 0,
  }, 'its one attempt was used: closed');
  assert.equal(zoe.labs[0]!.tasks[1]!.closed, false, 'no rules: never closed');
  const ann = r.learners[0]!;
  assert.equal(ann.credit, 0);
  assert.ok(ann.labs.every((l) => l.status === 'not-started' && l.tasks.every((t) => t.attempts === 0)));
});

test('credit and lab status edge cases', () => {
  assert.equal(credit(0, 0), 0);
  assert.equal(credit(1, 3), 0.3333);
  assert.equal(credit(3, 3), 1);
  assert.equal(labStatus(3, 3, true), 'done');
  assert.equal(labStatus(0, 3, true), 'in-progress');
  assert.equal(labStatus(0, 3, false), 'not-started');
});

test('CSV cells are quoted per RFC 4180 and formulas are defused', () => {
  assert.equal(csvCell('plain'), 'plain');
  assert.equal(csvCell('a,b'), '"a,b"');
  assert.equal(csvCell('say "hi"'), '"say ""hi"""');
  assert.equal(csvCell('two\nlines'), '"two\nlines"');
  assert.equal(csvCell(' padded'), '" padded"');
  assert.equal(csvCell('=HYPERLINK("http://x")'), '"\'=HYPERLINK(""http://x"")"');
  assert.equal(csvCell('+1'), "'+1");
  assert.equal(csvCell('-rm'), "'-rm");
  assert.equal(csvCell('@SUM(A1)'), "'@SUM(A1)");
  assert.equal(csvCell(-3), '-3', 'numbers are numbers');
  assert.equal(csvCell(null), '');
  assert.equal(csvCell(true), '1');
});

test('the CSV has a header and one row per learner × lab × task', () => {
  const csv = gradesToCsv(computeGrades({ ...input, learners: [{ id: 'l-bbbbbbbbbbbb', name: 'Zoe, "the" =admin', joinedAt: 'x' }] }));
  const lines = csv.split('\r\n');
  assert.equal(lines.pop(), '', 'ends with CRLF');
  assert.equal(lines[0], GRADE_CSV_COLUMNS.join(','));
  assert.equal(lines.length, 1 + 4);
  assert.equal(lines[1], 'w-aaaaaaaaaaaa,l-bbbbbbbbbbbb,"Zoe, ""the"" =admin",lab-a,t1,1,2025-01-01T09:10:00.000Z,3,1,2025-01-01T09:10:00.000Z,2,0,0.5,2,3,1.5,0.5,1200,2025-01-01T09:40:00.000Z,1.5,0.375,lab,0,0');
  assert.match(lines[3]!, /,lab-a,t3,0,,1,2,2025-01-01T09:30:00\.000Z,1,1,0,2,3,/, 't3: one wrong answer, closed, score 0');
  assert.match(lines[4]!, /,lab-b,u1,0,,0,0,,0,0,0,0,1,0,0,0,,1\.5,0\.375,lab,0,0$/);
});

test('quizzes are graded per question beside the labs, and exported as quiz rows of the CSV', () => {
  const report = computeGrades({
    workshop: null, generatedAt: 'now', labs: [], learners: [{ id: 'l-aaaaaaaaaaaa', name: 'Ann', joinedAt: 'x' }], tasks: [], labRecords: [],
    quizzes: [{ id: 'checkpoint-1', title: 'Checkpoint', kind: 'checkpoint', stage: 1, questions: [{ id: 'a', attempts: 2 }, { id: 'b', attempts: 2 }, { id: 'c', attempts: 2 }] }],
    quizRecords: [
      { learnerId: 'l-aaaaaaaaaaaa', quizId: 'checkpoint-1', questionId: 'a', attempts: 2, wrongAnswers: 1, firstPassedAt: '2026-01-01T00:00:00.000Z', lastAttemptAt: '2026-01-01T00:00:00.000Z' },
      { learnerId: 'l-aaaaaaaaaaaa', quizId: 'checkpoint-1', questionId: 'b', attempts: 2, wrongAnswers: 2, firstPassedAt: null, lastAttemptAt: '2026-01-01T00:01:00.000Z' },
    ],
  });
  const ann = report.learners[0]!;
  assert.deepEqual(ann.quizzes[0]!.questions.map((q) => [q.questionId, q.passed, q.attempts, q.closed, q.score]), [
    ['a', true, 2, false, 1], ['b', false, 2, true, 0], ['c', false, 0, false, 0],
  ]);
  assert.equal(ann.quizScore, 1);
  assert.equal(ann.quizCredit, 0.3333);
  assert.equal(ann.quizzes[0]!.finished, false);
  const rows = gradesToCsv(report).trim().split('\r\n').map((l) => l.split(','));
  const col = (name: string) => GRADE_CSV_COLUMNS.indexOf(name as (typeof GRADE_CSV_COLUMNS)[number]);
  const quizRows = rows.slice(1).filter((r) => r[col('item_kind')] === 'quiz');
  assert.deepEqual(quizRows.map((r) => [r[col('lab_id')], r[col('task_id')], r[col('task_attempts')], r[col('task_closed')], r[col('learner_quiz_credit')]]), [
    ['checkpoint-1', 'a', '2', '0', '0.3333'], ['checkpoint-1', 'b', '2', '1', '0.3333'], ['checkpoint-1', 'c', '0', '0', '0.3333'],
  ]);
});

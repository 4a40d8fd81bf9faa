// lab.yaml's grading fields (`why`, `wrong`) and reading list (`next.read`):
// loaded, checked, and kept on the runner (the browser gets only the reading list).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadLabs } from './registry.ts';
import { LABS_DIR, REPO_ROOT } from '../util/paths.ts';
import { existsSync } from 'node:fs';
import { toPublicLab } from '../../common/lab-schema.ts';
import { gradeAnswer } from '../../common/answers.ts';

const lab = (question: string, extra = ''): string => `id: graded
title: Graded
level: beginner
summary: Fine.
minutes: 10
steps: [steps/01.md]
tasks:
  - id: q1
    title: Name it
    question:
${question}
solution: { script: solve.sh }
selftest: { symptom: symptom.sh }
${extra}`;

function load(yaml: string): ReturnType<typeof loadLabs> {
  const root = mkdtempSync(join(tmpdir(), 'kdlabs-grading-'));
  try {
    const dir = join(root, 'graded');
    mkdirSync(join(dir, 'steps'), { recursive: true });
    writeFileSync(join(dir, 'lab.yaml'), yaml);
    for (const f of ['steps/01.md', 'solve.sh', 'symptom.sh']) writeFileSync(join(dir, f), '# Step\n');
    return loadLabs(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

test('why, wrong answers and next.read load; the page sees only the reading list', () => {
  const { labs, problems } = load(lab(`      prompt: Which column?
      answer: { pattern: '^sy$', example: sy }
      why: sy is kernel time.
      wrong:
        - answers: [us]
          message: That is user time.
        - pattern: '^id'
          example: idle
          message: That is idle time.`, `next:
  read:
    - { title: The case study, link: /case-studies/graded }
`));
  assert.deepEqual(problems, []);
  const q = labs.get('graded')!.tasks[0]!.question!;
  assert.equal(q.why, 'sy is kernel time.');
  assert.deepEqual(q.wrong, [
    { answers: ['us'], pattern: null, example: null, message: 'That is user time.' },
    { answers: [], pattern: '^id', example: 'idle', message: 'That is idle time.' },
  ]);
  assert.equal(gradeAnswer(q, '%us').message, 'That is user time.');
  const pub = JSON.stringify(toPublicLab(labs.get('graded')!));
  for (const secret of ['kernel time', 'user time', 'idle time', '^sy$', '^id']) assert.ok(!pub.includes(secret), `"${secret}" stays on the runner`);
  assert.deepEqual(toPublicLab(labs.get('graded')!).readNext, [{ title: 'The case study', link: '/case-studies/graded' }]);
});

test('a wrong answer needs answers or a pattern with an example, and a message; links are site paths or http(s)', () => {
  const bad = load(lab(`      prompt: p
      answer: { pattern: '^sy$', example: sy }
      wrong:
        - message: nothing to match
        - pattern: '^x'
          message: no example
        - answers: [y]`, `next:
  read:
    - { title: Somewhere, link: 'javascript:alert(1)' }
`));
  const text = bad.problems.join('\n');
  assert.match(text, /tasks\.0\.question\.wrong\.0: a wrong answer needs "answers" \(a list\) or a "pattern"/);
  assert.match(text, /tasks\.0\.question\.wrong\.1\.example: a wrong-answer pattern needs an "example"/);
  assert.match(text, /tasks\.0\.question\.wrong\.2\.message/);
  assert.match(text, /next\.read\.0\.link: expected a site path/);
});

test('the labs on disk: every declared wrong answer is refused with its message, every example still passes', () => {
  const { labs, problems } = loadLabs(LABS_DIR);
  assert.deepEqual(problems, []);
  let declared = 0;
  for (const l of labs.values()) {
    for (const t of l.tasks) {
      if (!t.question) continue;
      for (const p of l.params) {
        for (const value of p.choices) {
          const params = { [p.name]: value };
          for (const w of t.question.wrong ?? []) {
            for (const a of [...w.answers, ...(w.example === null ? [] : [w.example])]) {
              assert.deepEqual(gradeAnswer(t.question, a, params), { passed: false, message: w.message }, `${l.id}/${t.id}: "${a}" (${p.name}=${value})`);
            }
          }
        }
      }
      for (const w of t.question.wrong ?? []) {
        declared++;
        if (l.params.length) continue;
        for (const a of [...w.answers, ...(w.example === null ? [] : [w.example])]) {
          assert.deepEqual(gradeAnswer(t.question, a), { passed: false, message: w.message }, `${l.id}/${t.id}: "${a}"`);
        }
      }
    }
  }
  assert.ok(declared > 0, 'the labs declare wrong answers');
});

test('attempts and penalty load into the question\'s rules, reach the page, and default to no limit and no penalty', () => {
  const limited = load(lab(`      prompt: Which column?
      answer: { pattern: '^sy$', example: sy }
      attempts: 2
      penalty: 0.25`));
  assert.deepEqual(limited.problems, []);
  const graded = limited.labs.get('graded')!;
  assert.deepEqual(graded.tasks[0]!.question!.rules, { attempts: 2, penalty: 0.25 });
  assert.deepEqual(toPublicLab(graded).tasks[0]!.question!.rules, { attempts: 2, penalty: 0.25 }, 'shown before answering');
  const plain = load(lab(`      prompt: Which column?
      answer: { pattern: '^sy$', example: sy }`));
  assert.deepEqual(plain.labs.get('graded')!.tasks[0]!.question!.rules, { attempts: null, penalty: 0 });
});

test('attempts and penalty out of range are refused, naming the field and what is expected', () => {
  const cases: Array<[string, RegExp]> = [
    ['attempts: 0', /tasks\.0\.question\.attempts: expected at least 1 attempt \(leave "attempts" out for no limit\)/],
    ['attempts: 1.5', /tasks\.0\.question\.attempts: expected a whole number of attempts from 1 to 20/],
    ['attempts: 21', /tasks\.0\.question\.attempts: expected at most 20 attempts/],
    ['attempts: two', /tasks\.0\.question\.attempts: expected a whole number of attempts from 1 to 20, e\.g\. "attempts: 2"/],
    ['penalty: 0', /tasks\.0\.question\.penalty: expected a penalty of at least 0\.01/],
    ['penalty: 2', /tasks\.0\.question\.penalty: expected a penalty of at most 1/],
    ['penalty: 25%', /tasks\.0\.question\.penalty: expected a fraction of the task's one point per wrong answer, from 0\.01 to 1/],
  ];
  for (const [line, expected] of cases) {
    const { problems } = load(lab(`      prompt: p
      answer: { pattern: '^sy$', example: sy }
      ${line}`));
    assert.match(problems.join('\n'), expected, line);
  }
});

test('the labs on disk: a question whose answer is a per-learner choice is limited below its number of choices', () => {
  for (const l of loadLabs(LABS_DIR).labs.values()) {
    for (const t of l.tasks) {
      const param = t.question?.answer.param;
      if (param === undefined) continue;
      const choices = l.params.find((p) => p.name === param)!.choices.length;
      const attempts = t.question!.rules?.attempts ?? null;
      assert.ok(attempts !== null && attempts < choices, `${l.id}/${t.id}: ${choices} choices but attempts ${attempts}: trying every choice must not pass`);
    }
  }
});

test('the labs on disk: every "read next" site path is a page of the site', () => {
  for (const l of loadLabs(LABS_DIR).labs.values()) {
    for (const r of l.next?.read ?? []) {
      if (/^https?:/.test(r.link)) continue;
      const path = r.link.replace(/[#?].*$/, '').replace(/\/$/, '');
      const page = [`${path}.md`, `${path}/index.md`].map((p) => join(REPO_ROOT, 'docs', p));
      assert.ok(page.some((p) => existsSync(p)), `${l.id}: next.read link ${r.link} is not a page in docs/`);
    }
  }
});

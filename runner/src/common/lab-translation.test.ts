import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ResolvedLab } from './lab-schema.ts';
import { codeSpans, fencedBlocks, localizeLab, translationProblems, type LabTranslation } from './lab-translation.ts';

const english = {
  id: 'demo', title: 'Demo — a lab', summary: 'English summary',
  steps: [{ file: 'steps/01-look.md', title: 'Look', markdown: '# Look\n\nRun it:\n\n```bash walkthrough=ctrl-c:5\ntop\n```\n' }],
  tasks: [
    {
      id: 'name-it', title: 'Name it', step: 1, hints: ['Run `top`{walkthrough=interactive:q}, press P.'], check: null,
      question: {
        prompt: 'Which process?', placeholder: 'a name', answer: { pattern: '^relayd$', example: 'relayd' }, why: 'It tops the list.',
        wrong: [{ answers: ['top'], pattern: null, example: null, message: 'That is the tool.' }],
      },
    },
    { id: 'fix-it', title: 'Fix it', step: 1, hints: [], check: { script: 'true', timeoutSeconds: 5 }, question: null },
  ],
  solution: { script: '', notes: 'English notes', timeoutSeconds: 5 },
  next: { read: [{ title: 'Case study', link: '/case-studies/demo' }] },
} as unknown as ResolvedLab;

const ko: LabTranslation = {
  file: {
    title: '데모 — 실습', summary: '한국어 요약',
    tasks: {
      'name-it': { title: '이름 대기', prompt: '어느 프로세스입니까?', placeholder: '이름', why: '목록 맨 위에 있습니다.', wrong: ['그것은 도구입니다.'], hints: ['`top`{walkthrough=interactive:q}을 실행하고 P를 누르십시오.'] },
      'fix-it': { title: '고치기' },
    },
    next: { read: ['사례 연구'] },
  },
  steps: [{ file: 'demo/steps/01-look.ko.md', title: '살펴보기', markdown: '# 살펴보기\n\n실행하십시오:\n\n```bash walkthrough=ctrl-c:5\ntop\n```\n' }],
  solutionNotes: '한국어 풀이',
};

test('a complete translation has no problems, and the lab reads in Korean with its answers unchanged', () => {
  assert.deepEqual(translationProblems(english, ko, 'demo/lab.ko.yaml'), []);
  const lab = localizeLab({ ...english, translations: { ko } }, 'ko');
  assert.equal(lab.title, '데모 — 실습');
  assert.equal(lab.steps[0]!.title, '살펴보기');
  assert.equal(lab.tasks[0]!.question!.prompt, '어느 프로세스입니까?');
  assert.equal(lab.tasks[0]!.question!.wrong![0]!.message, '그것은 도구입니다.');
  assert.deepEqual(lab.tasks[0]!.question!.wrong![0]!.answers, ['top'], 'wrong answers are matched as in English');
  assert.equal(lab.tasks[0]!.question!.answer.pattern, '^relayd$');
  assert.equal(lab.solution.notes, '한국어 풀이');
  assert.equal(lab.next!.read[0]!.title, '사례 연구');
  assert.equal(lab.next!.read[0]!.link, '/case-studies/demo');
  assert.equal(localizeLab({ ...english, translations: { ko } }, 'en').title, 'Demo — a lab');
  assert.equal(localizeLab(english, 'ko'), english, 'no translation: the English lab');
});

test('a translation that changes a command, or misses a piece, is named', () => {
  const broken: LabTranslation = {
    ...ko,
    file: { ...ko.file, tasks: { 'name-it': { ...ko.file.tasks['name-it']!, hints: ['`htop`을 실행하십시오.'], wrong: [] }, ghost: { title: '유령' } }, next: undefined },
    steps: [{ ...ko.steps[0]!, markdown: '# 살펴보기\n\n```bash\ntop -b\n```\n' }],
  };
  const problems = translationProblems(english, broken, 'demo/lab.ko.yaml');
  const expect = [
    /tasks\.ghost: lab\.yaml has no task "ghost"/,
    /tasks\.name-it\.wrong: expected 1 message/,
    /tasks\.name-it\.hints\.0: its commands/,
    /tasks\.fix-it: missing/,
    /next\.read: expected 1 title/,
    /01-look\.ko\.md: its command blocks must be steps\/01-look\.md's/,
  ];
  for (const re of expect) assert.ok(problems.some((p) => re.test(p)), `${re}: ${problems.join('\n')}`);
  assert.equal(problems.length, expect.length);
});

test('command blocks and spans are read with their markers', () => {
  assert.deepEqual(fencedBlocks('a\n```bash norun\nls\n```\nb\n~~~\nx\n~~~'), ['```bash norun\nls\n```', '~~~\nx\n~~~']);
  assert.deepEqual(codeSpans('Run `top`{walkthrough=interactive:q}, then `q`.'), ['`top`{walkthrough=interactive:q}', '`q`']);
});

// The site's quiz files: they load, every example answer passes and every
// declared wrong answer is refused with its message in both languages, each
// quiz is on its page, every page's quiz exists, and each roadmap stage ends
// with a checkpoint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadQuizzes } from './load-quizzes.ts';
import { REPO_ROOT } from '../util/paths.ts';
import { LANGS, isTranslated, pick } from '../../common/langs.ts';
import { gradeQuizAnswer } from '../../common/quiz-grading.ts';
import { quizTexts } from '../../common/quiz-schema.ts';

const DOCS = join(REPO_ROOT, 'docs');
const { quizzes, problems } = loadQuizzes();

function markdownFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (name.startsWith('.') || name === 'node_modules' || name === 'public') return [];
    return statSync(p).isDirectory() ? markdownFiles(p) : name.endsWith('.md') ? [p] : [];
  });
}

test('every quiz file loads', () => {
  assert.deepEqual(problems, []);
  for (const id of ['use-method', 'flame-graph', 'swappiness', 'thp-databases', 'ebpf-vs-strace']) assert.ok(quizzes.has(id), `seed 004 quiz ${id}`);
});

test('every right answer passes and every wrong one fails, in both languages', () => {
  for (const quiz of quizzes.values()) {
    for (const q of quiz.questions) {
      for (const lang of LANGS) {
        const where = `${quiz.id}/${q.id} (${lang})`;
        if (q.type === 'text') {
          for (const ex of q.answer!.examples) assert.equal(gradeQuizAnswer(q, ex, lang).passed, true, `${where}: example "${ex}"`);
          for (const w of q.wrong) {
            for (const a of w.answers) assert.deepEqual(gradeQuizAnswer(q, a, lang), { passed: false, message: pick(w.message, lang) }, `${where}: wrong "${a}"`);
          }
          continue;
        }
        const right = q.choices!.filter((c) => c.correct).map((c) => c.id);
        assert.equal(gradeQuizAnswer(q, q.type === 'single' ? right[0]! : right, lang).passed, true, `${where}: the right choices`);
        for (const c of q.choices!.filter((x) => !x.correct)) {
          assert.equal(gradeQuizAnswer(q, q.type === 'single' ? c.id : [...right, c.id], lang).passed, false, `${where}: with ${c.id}`);
        }
      }
    }
  }
});

test('every quiz text has its Korean translation', () => {
  const missing = [...quizzes.values()].flatMap((quiz) => quizTexts(quiz).filter((t) => !isTranslated(t.text)).map((t) => `docs/quizzes/${quiz.id}.yaml: ${t.where}`));
  assert.deepEqual(missing, [], `missing Korean:\n${missing.join('\n')}`);
});

test('each quiz is shown on the page it names, in every language, and every quiz block names a quiz', () => {
  const pages = markdownFiles(DOCS);
  const blocks = new Map<string, string[]>();
  for (const file of pages) {
    for (const m of readFileSync(file, 'utf8').matchAll(/^::: *quiz +([a-z0-9-]+) *$/gm)) {
      const rel = relative(DOCS, file);
      assert.ok(quizzes.has(m[1]!), `${rel}: quiz "${m[1]}" does not exist`);
      blocks.set(m[1]!, [...(blocks.get(m[1]!) ?? []), rel]);
    }
  }
  for (const quiz of quizzes.values()) {
    const page = `${quiz.page.replace(/^\//, '').replace(/\/$/, '/index') || 'index'}.md`;
    assert.ok(existsSync(join(DOCS, page)), `${quiz.id}: page ${quiz.page} (docs/${page}) exists`);
    assert.ok(blocks.get(quiz.id)?.includes(page), `${quiz.id}: "::: quiz ${quiz.id}" is on docs/${page}`);
  }
});

test('each roadmap stage ends with its graded checkpoint', () => {
  const roadmap = readFileSync(join(DOCS, 'roadmap.md'), 'utf8');
  const stages = [...roadmap.matchAll(/^## Stage (\d+):/gm)].map((m) => Number(m[1]));
  assert.ok(stages.length >= 3);
  for (const n of stages) {
    const cp = [...quizzes.values()].find((q) => q.kind === 'checkpoint' && q.stage === n);
    assert.ok(cp, `a checkpoint quiz for stage ${n}`);
    const section = roadmap.split(/^## Stage /m)[n]!;
    assert.match(section, new RegExp(`^::: *quiz ${cp.id} *$`, 'm'), `stage ${n}'s section shows ${cp.id}`);
    assert.ok(roadmap.includes(`<LabQuizStatus quiz="${cp.id}" />`), `the roadmap table shows ${cp.id}'s result`);
  }
});

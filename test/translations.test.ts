// The Korean translation is complete: every English page has its Korean page
// with the same commands, quizzes and live components; every lab has its Korean
// text (lab.ko.yaml and .ko.md files, checked against the English when the lab
// loads); every quiz string has its Korean. Each failure names what is missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT, LABS_DIR } from '../runner/src/node/util/paths.ts';
import { loadLabs } from '../runner/src/node/labs/registry.ts';
import { loadQuizzes } from '../runner/src/node/quizzes/load-quizzes.ts';
import { quizTexts } from '../runner/src/common/quiz-schema.ts';
import { isTranslated } from '../runner/src/common/langs.ts';
import { fencedBlocks } from '../runner/src/common/lab-translation.ts';

const DOCS = join(REPO_ROOT, 'docs');
const KO = join(DOCS, 'ko');

/** The English pages: every .md under docs/ but the Korean tree and READMEs. */
function englishPages(dir = DOCS): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (name.startsWith('.') || p === KO || name === 'public' || name === 'node_modules') return [];
    if (statSync(p).isDirectory()) return englishPages(p);
    return name.endsWith('.md') && name !== 'README.md' ? [relative(DOCS, p)] : [];
  });
}

const HANGUL = /[\uac00-\ud7a3]/g;
const componentTags = (md: string): string[] => [...md.replace(/```[\s\S]*?```/g, '').matchAll(/<(Lab[A-Za-z]+)\b[^>]*>/g)].map((m) => m[0]).sort();
const quizBlocks = (md: string): string[] => [...md.matchAll(/^::: *quiz +([a-z0-9-]+) *$/gm)].map((m) => m[1]!);

test('every English page has a Korean page', () => {
  const missing = englishPages().filter((rel) => !existsSync(join(KO, rel)));
  assert.deepEqual(missing, [], `pages without a Korean version (docs/ko/<same path>):\n${missing.join('\n')}`);
});

test('each Korean page is Korean prose around the English commands, quizzes and components', () => {
  const problems: string[] = [];
  for (const rel of englishPages()) {
    const koFile = join(KO, rel);
    if (!existsSync(koFile) || rel.includes('[')) continue;
    const en = readFileSync(join(DOCS, rel), 'utf8');
    const ko = readFileSync(koFile, 'utf8');
    const where = `docs/ko/${rel}`;
    if ((ko.match(HANGUL)?.length ?? 0) < 20) problems.push(`${where}: hardly any Korean in it`);
    const a = fencedBlocks(en);
    const b = fencedBlocks(ko);
    if (a.length !== b.length) problems.push(`${where}: ${b.length} command/code blocks, the English has ${a.length}`);
    else a.forEach((block, i) => { if (block !== b[i]) problems.push(`${where}: code block ${i + 1} differs from the English one`); });
    if (quizBlocks(en).join() !== quizBlocks(ko).join()) problems.push(`${where}: quizzes [${quizBlocks(ko).join(', ')}], the English page has [${quizBlocks(en).join(', ')}]`);
    const ta = componentTags(en).map((t) => t.replace(/(href|link)="\//g, '$1="/ko/'));
    const tb = componentTags(ko);
    if (ta.length !== tb.length) problems.push(`${where}: ${tb.length} live components (<Lab…>), the English page has ${ta.length}`);
  }
  assert.deepEqual(problems, [], problems.join('\n'));
});

test('every lab has its Korean text, complete and with the English commands', () => {
  const { labs, problems } = loadLabs(LABS_DIR);
  assert.deepEqual(problems, [], 'lab files (translations included) load');
  const missing = [...labs.values()].filter((l) => !l.translations?.ko).map((l) => `labs/${l.id}/lab.ko.yaml (and its steps/*.ko.md, solution.ko.md)`);
  assert.deepEqual(missing, [], `labs without Korean:\n${missing.join('\n')}`);
});

test('every quiz string has its Korean', () => {
  const missing = [...loadQuizzes().quizzes.values()].flatMap((q) => quizTexts(q).filter((t) => !isTranslated(t.text)).map((t) => `docs/quizzes/${q.id}.yaml: ${t.where}`));
  assert.deepEqual(missing, [], missing.join('\n'));
});

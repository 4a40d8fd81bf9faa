// The site builds from docs/ and labs/ with no dead links (VitePress fails the build on one),
// and every lab gets a generated page, in English and in Korean.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../runner/src/node/util/paths.ts';
import { loadLabs } from '../runner/src/node/labs/registry.ts';
import { buildSite } from './helpers/site.ts';
import { localizeLab } from '../runner/src/common/lab-translation.ts';

test('the site builds with no dead links and a page per lab', { timeout: 300_000 }, () => {
  const out = mkdtempSync(join(tmpdir(), 'kdlabs-site-'));
  try {
    const r = buildSite(out);
    assert.ok(r.ok, `vitepress build failed:\n${r.output}`);
    assert.doesNotMatch(r.output, /dead link/i);
    for (const lab of loadLabs(join(REPO_ROOT, 'labs')).labs.values()) {
      const page = join(out, 'labs', `${lab.id}.html`);
      assert.ok(existsSync(page), `generated page for ${lab.id}`);
      // VitePress writes ' and " as entities; compare text with text.
      const html = readFileSync(page, 'utf8').replace(/&#39;|&#x27;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&');
      for (const step of lab.steps) assert.ok(html.includes(step.title.split(':')[0]!), `step "${step.title}" on the page`);
      for (const t of lab.tasks) if (t.question) assert.ok(!html.includes(t.question.answer.pattern), 'no answer pattern on the page');
      // The Korean page of the lab: Korean markup, the lab's Korean title and steps, no answers either.
      const koPage = join(out, 'ko', 'labs', `${lab.id}.html`);
      assert.ok(existsSync(koPage), `Korean page for ${lab.id}`);
      const ko = localizeLab(lab, 'ko');
      const koHtml = readFileSync(koPage, 'utf8').replace(/&#39;|&#x27;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&');
      assert.match(koHtml, /<html lang="ko-KR"/);
      assert.ok(koHtml.includes(ko.title.split(' — ')[0]!), `${lab.id}: its Korean title on /ko/labs/${lab.id}`);
      for (const step of ko.steps) assert.ok(koHtml.includes(step.title.split(':')[0]!), `Korean step "${step.title}" on the page`);
      for (const t of lab.tasks) if (t.question) assert.ok(!koHtml.includes(t.question.answer.pattern), 'no answer pattern on the Korean page');
    }
    // Every page is there in both languages (the Korean build has no dead links: VitePress fails on one).
    for (const page of ['index', 'roadmap', 'security', 'authoring', 'methodology/use-red-tsa', 'case-studies/gc-stall', 'tools/ktrace']) {
      assert.ok(existsSync(join(out, 'ko', `${page}.html`)), `/ko/${page}`);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

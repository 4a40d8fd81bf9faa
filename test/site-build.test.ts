// The site builds from docs/ and labs/ with no dead links (VitePress fails the build on one),
// and every lab gets a generated page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../runner/src/node/util/paths.ts';
import { loadLabs } from '../runner/src/node/labs/registry.ts';
import { buildSite } from './helpers/site.ts';

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
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

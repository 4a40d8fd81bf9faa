// The lab page and the self-test's walkthrough read command blocks with the
// same parser: every block the walkthrough plans has a Run button on the page
// (VitePress's own markdown renderer, with the site's plugin), and the
// walkthrough markers never reach the page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMarkdownRenderer } from 'vitepress';
import { loadLabs } from '../runner/src/node/labs/registry.ts';
import { LABS_DIR, REPO_ROOT } from '../runner/src/node/util/paths.ts';
import { labPageMarkdown } from '../docs/.vitepress/lab-pages.ts';
import { runButtons, runLabel } from '../docs/.vitepress/run-buttons-plugin.ts';
import { markdownFences, planWalkthrough } from '../runner/src/common/walkthrough-plan.ts';
import { parseFenceInfo } from '../runner/src/common/walkthrough-markers.ts';
import { join } from 'node:path';

const { labs } = loadLabs(LABS_DIR);

test('every lab\'s walkthrough plan parses', () => {
  for (const lab of labs.values()) assert.deepEqual(planWalkthrough(lab.steps, lab.tasks).problems, [], lab.id);
});

test('the page has a Run button for exactly the blocks the walkthrough reads as runnable, and shows no marker', async () => {
  const md = await createMarkdownRenderer(join(REPO_ROOT, 'docs'), { config: (m) => runButtons(m) });
  for (const lab of labs.values()) {
    const html = md.render(labPageMarkdown(lab), { relativePath: `labs/${lab.id}.md` });
    const buttons = (html.match(/class="lab-run"/g) ?? []).length;
    // The solution notes are on the page too (behind a confirmation); the walkthrough leaves them to solve.sh.
    const texts = [...lab.steps.map((s) => s.markdown), lab.solution.notes ?? ''];
    const runnable = texts.flatMap((t) => markdownFences(t)).filter((f) => parseFenceInfo(f.info).runnable).length;
    assert.ok(runnable > 0, lab.id);
    assert.equal(buttons, runnable, `${lab.id}: Run buttons on the page`);
    assert.doesNotMatch(html, /walkthrough=/, `${lab.id}: a marker reached the page`);
  }
});

test('a block with a marker that does not parse fails the site build, naming the page', async () => {
  const md = await createMarkdownRenderer(join(REPO_ROOT, 'docs'), { config: (m) => runButtons(m) });
  assert.throws(() => md.render('```bash walkthrough=ctrl-c:never\ntop\n```\n', { relativePath: 'labs/x.md' }), /labs\/x\.md: command block "bash walkthrough=ctrl-c:never": walkthrough=ctrl-c:never: expected ctrl-c:<seconds>/);
  const ok = md.render('```bash walkthrough=ctrl-c:5\ntop\n```\n', { relativePath: 'labs/x.md' });
  assert.match(ok, /class="lab-run"/);
  assert.match(ok, /class="language-bash/);
});

test('a Run button is named by its command, so a list of them tells them apart', async () => {
  const md = await createMarkdownRenderer(join(REPO_ROOT, 'docs'), { config: (m) => runButtons(m) });
  const html = md.render('```bash\nvmstat 1 5\necho "<done>"\n```\n', { relativePath: 'labs/x.md' });
  assert.match(html, /<button class="lab-run" type="button" aria-label="Run: vmstat 1 5; echo &quot;&lt;done&gt;&quot;"/);
  assert.match(html, /<span aria-hidden="true">▶ <\/span>Run<\/button>/);
  assert.equal(runLabel(`${'x'.repeat(200)}`).length, 'Run: '.length + 121, 'long commands are cut, with an ellipsis');
});

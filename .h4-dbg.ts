import { createMarkdownRenderer } from 'vitepress';
import { loadLabs } from '/work/main/runner/src/node/labs/registry.ts';
import { LABS_DIR } from '/work/main/runner/src/node/util/paths.ts';
import { labPageMarkdown } from '/work/main/docs/.vitepress/lab-pages.ts';
import { runButtons } from '/work/main/docs/.vitepress/run-buttons-plugin.ts';
const md = await createMarkdownRenderer('/work/main/docs', { config: (m) => runButtons(m) });
const lab = loadLabs(LABS_DIR).labs.get(process.argv[2]!)!;
const html = md.render(labPageMarkdown(lab), { relativePath: `labs/${lab.id}.md` });
for (const m of html.matchAll(/class="lab-run"[^]*?<code>([^]{0,80})/g)) console.log(m[1]!.replace(/<[^>]+>/g,'').slice(0,60));

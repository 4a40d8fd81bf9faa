// Adds a Run button to the shell command blocks of lab pages. The theme's
// click handler (theme/lab/run-buttons.ts) types the block into the lab terminal.
// Which blocks get one, and the walkthrough markers they may carry
// (```bash norun, ```bash walkthrough=ctrl-c:5), are read by the same parser
// the lab self-test's walkthrough uses; markers never reach the page.
import type { MarkdownRenderer } from 'vitepress'
import { parseFenceInfo, WALKTHROUGH_KEY } from '../../runner/src/common/walkthrough-markers.ts'

export function runButtons(md: MarkdownRenderer): void {
  const fence = md.renderer.rules.fence
  if (!fence) throw new Error('markdown-it has no fence renderer to extend')
  md.renderer.rules.fence = (tokens, idx, options, env, self) => {
    const token = tokens[idx]
    const relativePath = String((env as { relativePath?: string }).relativePath ?? '')
    const info = parseFenceInfo(token?.info ?? '')
    // A marker that does not parse would silently change what the self-test does: fail the build, naming it.
    if (info.problems.length) throw new Error(`${relativePath}: command block "${token?.info}": ${info.problems.join('; ')}`)
    // VitePress reads the language and its own options ({1,3}, :line-numbers) from the info string; markers go.
    if (token) token.info = token.info.trim().split(/\s+/).filter((f) => !f.startsWith(`${WALKTHROUGH_KEY}=`)).join(' ')
    const html = fence(tokens, idx, options, env, self)
    const onLabPage = /^labs\/(?!index\.md$)/.test(relativePath)
    if (!onLabPage || !info.runnable) return html
    // After the block's opening <div>, next to VitePress's copy button. Named by its command, so
    // a screen reader's list of a dozen buttons says which is which, not "Run" twelve times.
    const label = md.utils.escapeHtml(runLabel(token?.content ?? ''))
    return html.replace(/^(<div[^>]*>)/, (_whole, open: string) => `${open}<button class="lab-run" type="button" aria-label="${label}" title="Type this command into the lab terminal"><span aria-hidden="true">▶ </span>Run</button>`)
  }
}

/** Longest command quoted in a Run button's name; the rest is summarised (a long heredoc is not read out whole). */
const RUN_LABEL_MAX_CHARS = 120

/** "Run: <command>" for a block's accessible name; several lines are joined with "; ". */
export function runLabel(content: string): string {
  const command = content.split('\n').map((l) => l.trim()).filter(Boolean).join('; ')
  return `Run: ${command.length > RUN_LABEL_MAX_CHARS ? `${command.slice(0, RUN_LABEL_MAX_CHARS)}…` : command}`
}

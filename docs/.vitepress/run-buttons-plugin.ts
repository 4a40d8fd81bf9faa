// Adds a Run button to the shell command blocks of lab pages. The theme's
// click handler (theme/lab/run-buttons.ts) types the block into the lab terminal.
// A block opts out with `norun` after its language: ```bash norun
import type { MarkdownRenderer } from 'vitepress'

const RUNNABLE = new Set(['bash', 'sh', 'shell', 'console'])

export function runButtons(md: MarkdownRenderer): void {
  const fence = md.renderer.rules.fence
  if (!fence) throw new Error('markdown-it has no fence renderer to extend')
  md.renderer.rules.fence = (tokens, idx, options, env, self) => {
    const html = fence(tokens, idx, options, env, self)
    const token = tokens[idx]
    const [lang = '', ...flags] = (token?.info ?? '').trim().split(/\s+/)
    const onLabPage = /^labs\/(?!index\.md$)/.test(String((env as { relativePath?: string }).relativePath ?? ''))
    if (!onLabPage || !RUNNABLE.has(lang) || flags.includes('norun')) return html
    // After the block's opening <div>, next to VitePress's copy button.
    return html.replace(/^(<div[^>]*>)/, '$1<button class="lab-run" type="button" title="Type this command into the lab terminal">▶ Run</button>')
  }
}

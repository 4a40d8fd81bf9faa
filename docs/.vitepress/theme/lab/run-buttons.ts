// Run buttons on a lab page's command blocks. The markdown renderer puts a
// <button class="lab-run"> in each runnable block (config.ts); one delegated
// listener types the block's command into the lab terminal.
import { labSession } from './lab-session.ts'

export function installRunButtons(): void {
  document.addEventListener('click', (ev) => {
    const button = (ev.target as Element | null)?.closest?.('button.lab-run')
    if (!button) return
    const block = button.closest('div[class*="language-"]')
    const code = block?.querySelector('pre code')
    const labId = document.querySelector<HTMLElement>('[data-lab-id]')?.dataset.labId
    if (!code || !labId) return
    // Each line of the block is a line typed at the prompt; VitePress renders a line per span.line.
    const lines = [...code.querySelectorAll('.line')].map((l) => l.textContent ?? '')
    const text = (lines.length ? lines.join('\n') : code.textContent ?? '').trim()
    if (text) void labSession(labId).runCommand(text)
  })
}

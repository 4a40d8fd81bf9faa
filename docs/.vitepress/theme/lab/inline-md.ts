// Hints and prompts come from lab.yaml as short text with `code` spans. This
// renders just that, escaping everything else, so lab text can never inject HTML.
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c)
}

export function inlineMarkdown(text: string): string {
  return text.split(/(`[^`]+`)/).map((part) =>
    part.length > 1 && part.startsWith('`') && part.endsWith('`')
      ? `<code>${escapeHtml(part.slice(1, -1))}</code>`
      : escapeHtml(part).replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>'),
  ).join('')
}

// The terminal's font. xterm.js lays text on a grid of cells as wide as the
// font's Latin letters; a Hangul syllable takes two cells. A fallback font's
// Hangul is narrower than two of another font's cells, so Korean text showed
// gaps between its syllables ("시 스 템"). On Korean pages the terminal uses
// Nanum Gothic Coding, whose Hangul is exactly two of its own Latin cells;
// it is bundled with the site (from @fontsource; its licence, the OFL, is
// served beside it as /licenses/nanum-gothic-coding-OFL.txt), so it works offline.
import type { Lang } from '../../../../runner/src/common/langs.ts'

/** The learner's own monospace fonts, best first; the browser's generic monospace last. */
const LATIN_FONTS = 'ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace'
/** The bundled font family (docs/.vitepress/theme/LabTerminal.vue imports its @font-face rules). */
export const KOREAN_TERMINAL_FONT = 'Nanum Gothic Coding'
/** Letters the font is loaded for before xterm.js measures its cell: one Latin, one Hangul. */
const MEASURED_TEXT = 'a한'

/**
 * Row height as a multiple of the font's size: Nanum Gothic Coding's own line box is tight, so
 * xterm.js's rows cut off its descenders (p, g, y) at 1.0.
 */
const KOREAN_LINE_HEIGHT = 1.2

export function terminalLineHeight(lang: Lang): number {
  return lang === 'ko' ? KOREAN_LINE_HEIGHT : 1
}

export function terminalFontFamily(lang: Lang): string {
  return lang === 'ko' ? `"${KOREAN_TERMINAL_FONT}", ${LATIN_FONTS}` : LATIN_FONTS
}

/**
 * Loads the page's terminal font before xterm.js measures a cell with it: measured with a
 * fallback, the grid would stay the fallback's width. Never fails: without the font the
 * terminal still works, in the learner's own monospace font.
 */
export async function loadTerminalFont(lang: Lang, fontSizePx: number, fonts: Pick<FontFaceSet, 'load'> | undefined): Promise<void> {
  if (lang !== 'ko' || !fonts) return
  try {
    await fonts.load(`${fontSizePx}px "${KOREAN_TERMINAL_FONT}"`, MEASURED_TEXT)
  } catch {
    // An asset that did not load: the fallback fonts below it in the family are used.
  }
}

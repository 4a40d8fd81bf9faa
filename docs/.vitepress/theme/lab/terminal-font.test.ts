import { test } from 'node:test'
import assert from 'node:assert/strict'
import { KOREAN_TERMINAL_FONT, loadTerminalFont, terminalFontFamily, terminalLineHeight } from './terminal-font.ts'

test('Korean pages put the bundled Korean coding font first; English pages keep the learner\'s monospace fonts', () => {
  assert.ok(terminalFontFamily('ko').startsWith(`"${KOREAN_TERMINAL_FONT}", `))
  assert.ok(!terminalFontFamily('en').includes(KOREAN_TERMINAL_FONT))
  assert.ok(terminalFontFamily('en').endsWith('monospace'))
  assert.ok(terminalLineHeight('ko') > 1, 'taller rows keep the Korean font\'s descenders')
  assert.equal(terminalLineHeight('en'), 1)
})

test('the Korean font is loaded at the terminal\'s size, for a Latin letter and a syllable, before the cell is measured', async () => {
  const asked: Array<[string, string | undefined]> = []
  await loadTerminalFont('ko', 12, { load: async (font, text) => { asked.push([font, text]); return [] } })
  assert.deepEqual(asked, [[`12px "${KOREAN_TERMINAL_FONT}"`, 'a한']])
  await loadTerminalFont('en', 12, { load: async (font, text) => { asked.push([font, text]); return [] } })
  assert.equal(asked.length, 1, 'English pages load nothing')
})

test('a font that does not load leaves the terminal to the fallback fonts, without an error', async () => {
  await loadTerminalFont('ko', 12, { load: () => Promise.reject(new Error('404')) })
  await loadTerminalFont('ko', 12, undefined)
})

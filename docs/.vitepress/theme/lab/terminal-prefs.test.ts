import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  ESCAPE_HOLD_MS, FONT_SIZE_DESKTOP, FONT_SIZE_MAX, FONT_SIZE_MIN, FONT_SIZE_PHONE, PANEL_MIN_PX, STEPS_MIN_PX, TabEscape,
  clampPanelHeight, clampPanelWidth, forgetFontSize, loadFontSize, loadPanelWidth, saveFontSize, savePanelWidth, splitterKey, terminalAction,
  type KeyLike, type PrefStorage,
} from './terminal-prefs.ts'

class MemoryStorage implements PrefStorage {
  readonly map = new Map<string, string>()
  getItem(k: string): string | null { return this.map.get(k) ?? null }
  setItem(k: string, v: string): void { this.map.set(k, v) }
  removeItem(k: string): void { this.map.delete(k) }
}
const key = (k: string, mods: Partial<KeyLike> = {}): KeyLike => ({ key: k, ctrlKey: false, shiftKey: false, altKey: false, metaKey: false, ...mods })

test('font size: a default per device, the learner\'s choice remembered and kept in bounds', () => {
  const s = new MemoryStorage()
  assert.equal(loadFontSize(s, 1280), FONT_SIZE_DESKTOP)
  assert.equal(loadFontSize(s, 390), FONT_SIZE_PHONE)
  saveFontSize(s, 15)
  assert.equal(loadFontSize(s, 390), 15)
  saveFontSize(s, 400)
  assert.equal(loadFontSize(s, 1280), FONT_SIZE_MAX)
  s.setItem('kdlabs:terminal-font-size', 'garbage')
  assert.equal(loadFontSize(s, 1280), FONT_SIZE_DESKTOP)
  saveFontSize(s, 1)
  assert.equal(loadFontSize(s, 1280), FONT_SIZE_MIN)
  forgetFontSize(s)
  assert.equal(loadFontSize(s, 390), FONT_SIZE_PHONE, 'reset: each device its default again')
  assert.equal(loadFontSize(null, 1280), FONT_SIZE_DESKTOP, 'no storage: the default')
})

test('storage that throws (private mode) leaves the defaults', () => {
  const denied = (): never => { throw new Error('denied') }
  const broken: PrefStorage = { getItem: denied, setItem: denied, removeItem: denied }
  assert.doesNotThrow(() => forgetFontSize(broken))
  assert.equal(loadFontSize(broken, 1280), FONT_SIZE_DESKTOP)
  assert.doesNotThrow(() => savePanelWidth(broken, 700))
  assert.equal(loadPanelWidth(broken), null)
})

test('the panel width stays between a usable terminal and a strip of steps', () => {
  const s = new MemoryStorage()
  assert.equal(loadPanelWidth(s), null)
  savePanelWidth(s, 1150.4)
  assert.equal(loadPanelWidth(s), 1150)
  assert.equal(clampPanelWidth(5000, 1280), 1280 - STEPS_MIN_PX)
  assert.equal(clampPanelWidth(10, 1280), PANEL_MIN_PX)
  assert.equal(clampPanelWidth(10, 200), PANEL_MIN_PX, 'a tiny window still gets a terminal')
  assert.equal(clampPanelHeight(5000, 844), 844 - 120)
  assert.equal(clampPanelHeight(0, 844), 120)
})

test('splitter keys: arrows toward the steps grow the panel, Shift moves further, Home/End go to the ends', () => {
  assert.equal(splitterKey('ArrowLeft', false, 600, 'vertical'), 624)
  assert.equal(splitterKey('ArrowRight', true, 600, 'vertical'), 480)
  assert.equal(splitterKey('ArrowUp', false, 400, 'horizontal'), 424)
  assert.equal(splitterKey('ArrowUp', false, 400, 'vertical'), null)
  assert.equal(splitterKey('Home', false, 400, 'vertical'), Number.POSITIVE_INFINITY)
  assert.equal(splitterKey('End', false, 400, 'vertical'), 0)
  assert.equal(splitterKey('a', false, 400, 'vertical'), null)
})

test('terminal shortcuts: font size with Ctrl, maximise with Ctrl+Shift+Enter, the rest goes to the shell', () => {
  assert.equal(terminalAction(key('=', { ctrlKey: true })), 'font-up')
  assert.equal(terminalAction(key('+', { ctrlKey: true, shiftKey: true })), 'font-up')
  assert.equal(terminalAction(key('-', { ctrlKey: true })), 'font-down')
  assert.equal(terminalAction(key('0', { ctrlKey: true })), 'font-reset')
  assert.equal(terminalAction(key('Enter', { ctrlKey: true, shiftKey: true })), 'maximise')
  assert.equal(terminalAction(key('Enter', { ctrlKey: true })), null)
  assert.equal(terminalAction(key('c', { ctrlKey: true })), null, 'Ctrl+C interrupts')
  assert.equal(terminalAction(key('=')), null)
  assert.equal(terminalAction(key('=', { ctrlKey: true, altKey: true })), null)
})

test('Escape then Tab leaves the terminal and the shell sees neither; a lone Escape reaches it, in order', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] })
  const sent: string[] = []
  const esc = new TabEscape(() => sent.push('ESC'))
  const press = (k: string, mods: Partial<KeyLike> = {}): string => {
    const v = esc.keydown(key(k, mods))
    if (v === 'pass') sent.push(k)
    return v
  }
  assert.equal(press('Tab'), 'pass', 'Tab alone completes in the shell')
  assert.equal(press('Escape'), 'swallow')
  assert.equal(press('Tab'), 'leave')
  assert.deepEqual(sent, ['Tab'], 'the shell got no Escape')
  press('Escape')
  press('Shift', { shiftKey: true })
  assert.equal(press('Tab', { shiftKey: true }), 'leave', 'Shift+Tab leaves backwards')
  sent.length = 0
  // Escape then another key: the Escape goes first, at once (vim: Esc, then a command).
  press('Escape')
  press(':')
  assert.deepEqual(sent, ['ESC', ':'])
  // A lone Escape reaches the shell after the hold.
  sent.length = 0
  press('Escape')
  assert.deepEqual(sent, [])
  t.mock.timers.tick(ESCAPE_HOLD_MS)
  assert.deepEqual(sent, ['ESC'])
  assert.equal(press('Tab'), 'pass', 'too late to leave: Tab completes')
  // Escape, Escape: the first goes when the second comes.
  sent.length = 0
  press('Escape'); press('Escape')
  assert.deepEqual(sent, ['ESC'])
  esc.dispose()
  t.mock.timers.tick(ESCAPE_HOLD_MS)
  assert.deepEqual(sent, ['ESC'], 'disposed: nothing more')
})

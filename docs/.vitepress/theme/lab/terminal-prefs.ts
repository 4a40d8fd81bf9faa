// A learner's terminal preferences (font size, the panel's width or height),
// kept in localStorage so they hold across labs and visits, and the keys the
// terminal itself answers (font size, maximise, leaving the terminal).
// DOM-free: the workbench passes storage and key events in.

/** 12 px gives 100+ columns in the panel at 1280 px wide (lab.css), so wide tool output does not wrap. */
export const FONT_SIZE_DESKTOP = 12
/** 10 px on a phone: the maximised terminal keeps 60+ columns at 390 px wide (DejaVu Sans Mono is ~0.6 em per cell). */
export const FONT_SIZE_PHONE = 10
/** Below 8 px cells are unreadable; above 24 px a laptop panel shows fewer than 40 columns. */
export const FONT_SIZE_MIN = 8
export const FONT_SIZE_MAX = 24
/** Widths up to this are phones: they get the smaller default font. */
export const PHONE_MAX_WIDTH_PX = 640

/** The panel never gets narrower than a usable 40-odd-column terminal ... */
export const PANEL_MIN_PX = 320
/** ... nor so wide that the steps beside it vanish (a strip of text stays to read and drag back). */
export const STEPS_MIN_PX = 96
/** On a narrow window the panel sits below the steps: its header stays, and a few lines of steps above it. */
export const PANEL_MIN_HEIGHT_PX = 120
export const STEPS_MIN_HEIGHT_PX = 120

const KEY_FONT = 'kdlabs:terminal-font-size'
const KEY_WIDTH = 'kdlabs:lab-panel-width'
const KEY_HEIGHT = 'kdlabs:lab-panel-height'

export interface PrefStorage {
  getItem(key: string): string | null
  setItem(key: string, value: string): void
  removeItem(key: string): void
}

/** localStorage when the browser lets us have it (private modes and sandboxed frames may throw). */
export function browserStorage(): PrefStorage | null {
  try { return typeof localStorage === 'undefined' ? null : localStorage } catch { return null }
}

function readNumber(storage: PrefStorage | null, key: string): number | null {
  try {
    const v = Number(storage?.getItem(key) ?? Number.NaN)
    return Number.isFinite(v) ? v : null
  } catch { return null }
}

function write(storage: PrefStorage | null, key: string, value: number): void {
  try { storage?.setItem(key, String(Math.round(value))) } catch { /* storage full or refused: the preference lasts this visit */ }
}

export function clampFontSize(size: number): number {
  return Math.min(FONT_SIZE_MAX, Math.max(FONT_SIZE_MIN, Math.round(size)))
}

export function defaultFontSize(viewportWidth: number): number {
  return viewportWidth <= PHONE_MAX_WIDTH_PX ? FONT_SIZE_PHONE : FONT_SIZE_DESKTOP
}

export function loadFontSize(storage: PrefStorage | null, viewportWidth: number): number {
  const saved = readNumber(storage, KEY_FONT)
  return saved === null ? defaultFontSize(viewportWidth) : clampFontSize(saved)
}

export function saveFontSize(storage: PrefStorage | null, size: number): void {
  write(storage, KEY_FONT, clampFontSize(size))
}

/** Back to the device's default (12 px on a laptop, 10 px on a phone), wherever the learner opens a lab next. */
export function forgetFontSize(storage: PrefStorage | null): void {
  try { storage?.removeItem(KEY_FONT) } catch { /* refused: the saved size stays */ }
}

export function clampPanelWidth(px: number, viewportWidth: number): number {
  const max = Math.max(PANEL_MIN_PX, viewportWidth - STEPS_MIN_PX)
  return Math.round(Math.min(max, Math.max(PANEL_MIN_PX, px)))
}

export function clampPanelHeight(px: number, viewportHeight: number): number {
  const max = Math.max(PANEL_MIN_HEIGHT_PX, viewportHeight - STEPS_MIN_HEIGHT_PX)
  return Math.round(Math.min(max, Math.max(PANEL_MIN_HEIGHT_PX, px)))
}

/** The learner's panel width, if they dragged it; null means the stylesheet's default. */
export function loadPanelWidth(storage: PrefStorage | null): number | null { return readNumber(storage, KEY_WIDTH) }
export function savePanelWidth(storage: PrefStorage | null, px: number): void { write(storage, KEY_WIDTH, px) }
export function loadPanelHeight(storage: PrefStorage | null): number | null { return readNumber(storage, KEY_HEIGHT) }
export function savePanelHeight(storage: PrefStorage | null, px: number): void { write(storage, KEY_HEIGHT, px) }

/** The splitter's keyboard: arrows move it a little, with Shift a lot; Home/End go to the ends. */
export const SPLITTER_STEP_PX = 24
export const SPLITTER_BIG_STEP_PX = 120

/**
 * The new panel size after a key on the splitter, or null when the key is not the splitter's.
 * `grows` are the keys that make the panel bigger: the panel is right of a vertical splitter
 * (ArrowLeft grows it) and below a horizontal one (ArrowUp grows it).
 */
export function splitterKey(key: string, shift: boolean, current: number, orientation: 'vertical' | 'horizontal'): number | null {
  const step = shift ? SPLITTER_BIG_STEP_PX : SPLITTER_STEP_PX
  const grow = orientation === 'vertical' ? 'ArrowLeft' : 'ArrowUp'
  const shrink = orientation === 'vertical' ? 'ArrowRight' : 'ArrowDown'
  if (key === grow) return current + step
  if (key === shrink) return current - step
  if (key === 'Home') return Number.POSITIVE_INFINITY
  if (key === 'End') return 0
  return null
}

export type TerminalAction = 'font-up' | 'font-down' | 'font-reset' | 'maximise'

export interface KeyLike { key: string; ctrlKey: boolean; shiftKey: boolean; altKey: boolean; metaKey: boolean }

/**
 * The terminal's own shortcuts (documented in the terminal's description and on the lab
 * pages): Ctrl+= / Ctrl+- / Ctrl+0 for the font (as Windows Terminal and VS Code do) and
 * Ctrl+Shift+Enter to maximise or restore. Everything else goes to the shell.
 */
export function terminalAction(ev: KeyLike): TerminalAction | null {
  if (!ev.ctrlKey || ev.altKey || ev.metaKey) return null
  if (ev.shiftKey && ev.key === 'Enter') return 'maximise'
  if (ev.key === '=' || ev.key === '+') return 'font-up'
  if (ev.key === '-' || ev.key === '_') return 'font-down'
  if (!ev.shiftKey && ev.key === '0') return 'font-reset'
  return null
}

/**
 * How long an Escape waits for a Tab before it goes to the shell: long enough to press
 * Tab deliberately, short enough that vim's mode change does not feel late (any other
 * key sends the Escape at once, before itself).
 */
export const ESCAPE_HOLD_MS = 500

export type EscapeVerdict = 'leave' | 'swallow' | 'pass'

/**
 * Tab belongs to the shell (completion), so the terminal keeps it; Escape then Tab
 * (Shift+Tab) leaves the terminal, as in CodeMirror. The Escape is held back until the
 * next key or ESCAPE_HOLD_MS: when that key is Tab the shell never sees either (a bare
 * Escape would leave readline waiting to eat the learner's next key as Meta-something).
 */
export class TabEscape {
  private timer: ReturnType<typeof setTimeout> | null = null
  constructor(private readonly sendEscape: () => void) {}

  /** 'leave': let the browser move focus; 'swallow': the terminal ignores the key; 'pass': the terminal handles it. */
  keydown(ev: KeyLike): EscapeVerdict {
    // Modifier keys alone (Shift for Shift+Tab) keep the Escape pending.
    if (ev.key === 'Shift' || ev.key === 'Control' || ev.key === 'Alt' || ev.key === 'Meta') return 'pass'
    const held = this.timer !== null
    this.cancel()
    const plain = !ev.ctrlKey && !ev.altKey && !ev.metaKey
    if (held && ev.key === 'Tab' && plain) return 'leave'
    if (held) this.sendEscape()
    if (ev.key === 'Escape' && plain && !ev.shiftKey) {
      this.timer = setTimeout(() => { this.timer = null; this.sendEscape() }, ESCAPE_HOLD_MS)
      return 'swallow'
    }
    return 'pass'
  }

  dispose(): void { this.cancel() }

  private cancel(): void {
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
  }
}

// How the lab terminal is shown, shared by the workbench (its buttons, the
// splitter) and the terminal (its keyboard shortcuts): the font size, maximised,
// and on a narrow window whether the panel is folded away. Client-only.
import { reactive } from 'vue'
import { browserStorage, clampFontSize, defaultFontSize, forgetFontSize, loadFontSize, saveFontSize } from './terminal-prefs.ts'

export const terminalView = reactive({
  fontSize: loadFontSize(browserStorage(), typeof window === 'undefined' ? 1280 : window.innerWidth),
  maximised: false,
  /** Narrow windows only: the panel shows just its header, the steps get the screen. */
  collapsed: false,
})

export function changeFontSize(delta: number): void {
  terminalView.fontSize = clampFontSize(terminalView.fontSize + delta)
  saveFontSize(browserStorage(), terminalView.fontSize)
}

export function resetFontSize(): void {
  terminalView.fontSize = defaultFontSize(window.innerWidth)
  forgetFontSize(browserStorage())
}

export function toggleMaximised(): void {
  terminalView.maximised = !terminalView.maximised
  if (terminalView.maximised) terminalView.collapsed = false
}

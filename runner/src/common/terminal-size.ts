// The lab terminal's size before any client says otherwise, and the size the
// self-test's walkthrough uses: what the lab page's terminal panel holds at
// 1280×800, the smallest laptop screen the site is laid out for (see
// docs/.vitepress/theme/lab.css; test/browser-lab.test.ts measures it).
export interface TerminalSize { cols: number; rows: number }

export const DEFAULT_TERMINAL_SIZE: Readonly<TerminalSize> = { cols: 120, rows: 32 };

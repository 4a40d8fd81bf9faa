// The lab terminal's size before any client says otherwise, and the size the
// self-test's walkthrough uses: what the lab page's terminal panel holds at
// 1280×800, the smallest laptop screen the site is laid out for (see
// docs/.vitepress/theme/lab.css; test/browser-lab.test.ts measures it).
export interface TerminalSize { cols: number; rows: number }

/** Measured in Debian's Chromium at 1280×800 (test/browser-lab.test.ts prints it): 104 × 42. */
export const DEFAULT_TERMINAL_SIZE: Readonly<TerminalSize> = { cols: 104, rows: 42 };

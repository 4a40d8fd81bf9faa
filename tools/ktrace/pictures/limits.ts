// The picture contract's limits, copied from runner/src/common/pictures.ts.
// ktrace is bundled into lab images with nothing but Node's own modules; that
// file builds zod schemas at load time, so importing a value from it would pull
// zod into the bundle. Types come from there with `import type`; the numbers are
// repeated here, and limits.test.ts fails the moment the two disagree.

export const PICTURE_SPOOL_DIR = '/var/lib/kdlabs/pictures';
export const MAX_SPOOL_PICTURES = 20;
export const MAX_PICTURE_BYTES = 4 * 1024 * 1024;
export const MAX_FLAME_STACKS = 20_000;
export const MAX_FLAME_DEPTH = 256;
export const MAX_CHART_ROWS = 200;
export const MAX_CHARTS = 12;
export const PICTURE_OSC = 7717;
export const PICTURE_NAME_PATTERN = /^(flame|charts)-\d{13}-[a-z0-9-]{1,40}\.json$/;
/** The contract's longest label (title, bar label) and command. */
export const MAX_LABEL_CHARS = 300;
export const MAX_COMMAND_CHARS = 1000;
/** The contract's longest folded stack string. */
export const MAX_STACK_CHARS = 64 * 1024;

/** A title or label the contract accepts: never empty, at most MAX_LABEL_CHARS. */
export function clampLabel(s: string): string {
  const t = s.trim() === '' ? '?' : s;
  return t.length <= MAX_LABEL_CHARS ? t : `${t.slice(0, MAX_LABEL_CHARS - 1)}…`;
}

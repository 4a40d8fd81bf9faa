// The picture contract's limits for ktrace: the zod-free half of
// runner/src/common/pictures.ts (its schemas would pull zod into the bundle
// every lab image carries), and how ktrace keeps a label within them.
import { MAX_LABEL_CHARS } from '../../../runner/src/common/picture-limits.ts';

export * from '../../../runner/src/common/picture-limits.ts';

/** A title or label the contract accepts: never empty, at most MAX_LABEL_CHARS. */
export function clampLabel(s: string): string {
  const t = s.trim() === '' ? '?' : s;
  return t.length <= MAX_LABEL_CHARS ? t : `${t.slice(0, MAX_LABEL_CHARS - 1)}…`;
}

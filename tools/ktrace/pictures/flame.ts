// Folded stacks cut to what a flame picture may hold: at most MAX_FLAME_DEPTH
// frames a stack, MAX_FLAME_STACKS stacks, MAX_PICTURE_BYTES a file — without
// losing a sample: the total the page shows is the total perf recorded.
import type { FlamePicture } from '../../../runner/src/common/pictures.ts';
import type { Folded } from '../flame/fold.ts';
import { MAX_FLAME_DEPTH, MAX_FLAME_STACKS, MAX_PICTURE_BYTES, MAX_STACK_CHARS, clampLabel } from './limits.ts';

/** Where the root end of a too-deep stack was cut. */
export const CUT_FRAME = '[deeper frames cut]';
/** Samples of dropped stacks that have no kept ancestor. */
export const OTHER_STACKS = '[other stacks]';
/** Longest frame name kept: MAX_FLAME_DEPTH of them still fit in MAX_STACK_CHARS. */
export const MAX_FRAME_CHARS = Math.floor(MAX_STACK_CHARS / MAX_FLAME_DEPTH) - 1;
/** Room for the fields around the stacks (title, command) in MAX_PICTURE_BYTES. */
const HEADER_BYTES = 4096;

type Stack = [string, number];

function shortFrame(f: string): string {
  const name = f === '' ? '[unknown]' : f;
  return name.length <= MAX_FRAME_CHARS ? name : `${name.slice(0, MAX_FRAME_CHARS - 1)}…`;
}

/** Keeps the command (the first frame) and the leaf end, marking the cut. */
export function cutDepth(stack: string, maxDepth = MAX_FLAME_DEPTH): string {
  const frames = stack.split(';').map(shortFrame);
  const kept = frames.length <= maxDepth ? frames : [frames[0] ?? '[unknown]', CUT_FRAME, ...frames.slice(frames.length - (maxDepth - 2))];
  return kept.join(';');
}

/** Bytes a stack takes in the picture's JSON (quotes, escapes, comma, brackets). */
function jsonBytes(s: Stack): number {
  return Buffer.byteLength(JSON.stringify(s)) + 1;
}

/**
 * The heaviest stacks; a dropped stack's samples go to its nearest kept
 * ancestor's self time (the contract's rule), or to OTHER_STACKS.
 */
export function trimStacks(folded: Folded, maxStacks = MAX_FLAME_STACKS, maxBytes = MAX_PICTURE_BYTES - HEADER_BYTES): Stack[] {
  const merged = new Map<string, number>();
  for (const [stack, n] of folded) {
    if (!(n > 0)) continue;
    const key = cutDepth(stack);
    merged.set(key, (merged.get(key) ?? 0) + Math.round(n));
  }
  const heaviest = [...merged.entries()].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0));
  // Room for OTHER_STACKS, in count and bytes, whenever something is dropped.
  let room = heaviest.length <= maxStacks ? heaviest.length : maxStacks - 1;
  let bytes = 0;
  for (let i = 0; i < room; i++) {
    const s = heaviest[i];
    if (s === undefined) break;
    bytes += jsonBytes(s);
    if (bytes > maxBytes - jsonBytes([OTHER_STACKS, Number.MAX_SAFE_INTEGER])) { room = i; break; }
  }
  const kept = new Map(heaviest.slice(0, room));
  let other = 0;
  for (const [stack, n] of heaviest.slice(room)) {
    const frames = stack.split(';');
    let home: string | undefined;
    for (let len = frames.length - 1; len >= 1 && home === undefined; len--) {
      const prefix = frames.slice(0, len).join(';');
      if (kept.has(prefix)) home = prefix;
    }
    if (home === undefined) other += n;
    else kept.set(home, (kept.get(home) ?? 0) + n);
  }
  const out: Stack[] = [...kept.entries()];
  if (other > 0) out.push([OTHER_STACKS, other]);
  return out;
}

export function flamePicture(folded: Folded, title: string, command: string, createdAt: number): FlamePicture {
  return { kind: 'flame', title: clampLabel(title), createdAt, command, stacks: trimStacks(folded) };
}

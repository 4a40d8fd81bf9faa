// The request line's target, checked before anything parses it. The runner only
// serves origin-form targets ("/path?query", RFC 9112 §3.2.1). Anything else is
// refused: an absolute URL or "*" names no path here, and "//host/…" or "/\…"
// would be read by URL parsing as a host (and "//[/" makes `new URL` throw).

export type TargetVerdict = { ok: true; url: URL } | { ok: false; message: string };

/** Parsed targets are resolved against this; the host is never used for anything. */
const BASE_URL = 'http://runner.invalid';
/** Enough of a bad target to recognise it in the error, not enough to echo a megabyte back. */
const SHOWN_TARGET_CHARS = 80;

export function parseRequestTarget(raw: string | undefined): TargetVerdict {
  const target = raw ?? '';
  if (!/^\/(?![/\\])/.test(target)) {
    return { ok: false, message: `request target ${shown(target)} is not a path: expected one starting with a single "/" (like /api/health)` };
  }
  try {
    return { ok: true, url: new URL(target, BASE_URL) };
  } catch (e) {
    return { ok: false, message: `request target ${shown(target)} is not a valid path (${(e as Error).message}): expected one like /api/health` };
  }
}

function shown(target: string): string {
  if (!target) return '(empty)';
  const cut = target.length > SHOWN_TARGET_CHARS ? `${target.slice(0, SHOWN_TARGET_CHARS)}…` : target;
  return JSON.stringify(cut);
}

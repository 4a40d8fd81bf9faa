// Pure parts of the integration harness: a file's time budget and what its run reported.

/** A file without a declared budget gets this; most integration files finish in a few minutes. */
export const DEFAULT_FILE_BUDGET_MS = 15 * 60_000;
/** A declared budget above this is a typo, not a plan: CI has 90 minutes for everything. */
export const MAX_FILE_BUDGET_MS = 60 * 60_000;

/**
 * A test file declares its budget in a comment near the top: `// test-budget: 40m` (or `90s`).
 * Returns the budget in ms, or an error naming what was wrong.
 */
export function parseBudget(source: string): { ok: true; ms: number } | { ok: false; error: string } {
  const head = source.split('\n').slice(0, 20).join('\n');
  const m = /^\/\/\s*test-budget:\s*(\S+)\s*$/m.exec(head);
  if (!m) return { ok: true, ms: DEFAULT_FILE_BUDGET_MS };
  const v = /^(\d+)(s|m)$/.exec(m[1]!);
  if (!v) return { ok: false, error: `test-budget "${m[1]}" is not a number of seconds or minutes (expected e.g. 90s or 40m)` };
  const ms = Number(v[1]) * (v[2] === 'm' ? 60_000 : 1000);
  if (ms <= 0 || ms > MAX_FILE_BUDGET_MS) return { ok: false, error: `test-budget ${m[1]} is outside 1s…${MAX_FILE_BUDGET_MS / 60_000}m` };
  return { ok: true, ms };
}

export interface FileCounts { pass: number; fail: number; skipped: number; cancelled: number }

/** Reads the closing counts that node's test runner prints (spec: "ℹ pass 3"; tap: "# pass 3"). */
export function parseCounts(output: string): FileCounts | null {
  const get = (name: string): number | null => {
    const all = [...output.matchAll(new RegExp(`^(?:ℹ|#) ${name} (\\d+)\\s*$`, 'gm'))];
    return all.length ? Number(all[all.length - 1]![1]) : null;
  };
  const pass = get('pass'), fail = get('fail');
  if (pass === null || fail === null) return null;
  return { pass, fail, skipped: get('skipped') ?? 0, cancelled: get('cancelled') ?? 0 };
}

/** Lines of the digest per failed file: CI shows only the tail of the run, and every failure must fit in it. */
export const DIGEST_LINES_PER_FILE = 8;
/** A digest line longer than this is cut: an assertion quoting a whole terminal would crowd out the rest. */
const DIGEST_LINE_CHARS = 240;

/**
 * What a failed file said about its failures, short enough to print after the run's table (where a
 * CI log's tail still shows it): node's "✖ failing tests:" section without stack frames or blank
 * lines, at most `maxLines` lines. Empty when the output has no such section.
 */
export function failureDigest(output: string, maxLines = DIGEST_LINES_PER_FILE): string[] {
  const at = output.lastIndexOf('✖ failing tests:');
  if (at < 0) return [];
  const lines = output.slice(at).split('\n').slice(1)
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '' && !/^\s+at /.test(l) && !/^test at /.test(l) && !/^\s*(\{|\}|generatedMessage|code|actual|expected|operator):?/.test(l))
    .map((l) => (l.length > DIGEST_LINE_CHARS ? `${l.slice(0, DIGEST_LINE_CHARS - 1)}…` : l));
  return lines.length > maxLines ? [...lines.slice(0, maxLines - 1), `… (${lines.length - maxLines + 1} more lines in the file's output above)`] : lines;
}

// Reading kernel interfaces (procfs/sysfs/tracefs) without ever throwing:
// every failure becomes a one-line reason a learner can act on.
import { readFileSync, readdirSync } from 'node:fs';

export type ReadResult = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly problem: SourceProblem };

/** A source that could not be read, e.g. "/proc/slabinfo: permission denied (needs root)". */
export interface SourceProblem {
  readonly source: string;
  readonly reason: string;
}

function errnoCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = (err as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

/** Maps an errno to a short human reason. */
export function describeFsError(err: unknown): string {
  switch (errnoCode(err)) {
    case 'ENOENT':
      return 'not present on this kernel/system';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied (needs root or a capability)';
    case 'ENOTDIR':
      return 'not present (parent is not a directory)';
    case 'EINVAL':
      return 'not readable on this kernel (EINVAL)';
    case 'ENODEV':
    case 'ENXIO':
      return 'device/interface not available';
    default:
      return err instanceof Error ? err.message : String(err);
  }
}

export function readText(path: string): ReadResult {
  try {
    return { ok: true, text: readFileSync(path, 'utf8') };
  } catch (err) {
    return { ok: false, problem: { source: path, reason: describeFsError(err) } };
  }
}

/** Reads a file and returns its trimmed text, or undefined (recording why into `problems`). */
export function readTrimmed(path: string, problems?: SourceProblem[]): string | undefined {
  const r = readText(path);
  if (r.ok) return r.text.trim();
  problems?.push(r.problem);
  return undefined;
}

export function readInt(path: string, problems?: SourceProblem[]): number | undefined {
  const t = readTrimmed(path, problems);
  if (t === undefined) return undefined;
  const n = Number(t);
  if (!Number.isFinite(n)) {
    problems?.push({ source: path, reason: `unexpected content '${t.slice(0, 40)}'` });
    return undefined;
  }
  return n;
}

export function listDir(path: string, problems?: SourceProblem[]): string[] {
  try {
    return readdirSync(path);
  } catch (err) {
    problems?.push({ source: path, reason: describeFsError(err) });
    return [];
  }
}

// The picture spool: a directory inside the lab where ktrace leaves pictures
// for the lab page. The runner reads it through the backend's exec; nothing here
// sends anything anywhere. Writes are atomic (a reader never sees half a file)
// and the spool keeps only the newest MAX_SPOOL_PICTURES.
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Picture } from '../../../runner/src/common/pictures.ts';
import { MAX_PICTURE_BYTES, MAX_SPOOL_PICTURES, PICTURE_NAME_PATTERN, PICTURE_SPOOL_DIR } from './limits.ts';

/** Overrides the spool directory (tests, or a learner who wants pictures elsewhere). */
export const SPOOL_ENV = 'KDLABS_PICTURE_SPOOL';
/** Longest `<what>` part of a name, as PICTURE_NAME_PATTERN allows. */
const MAX_WHAT_CHARS = 40;
/** Names tried when pictures of one kind and subject are saved in the same millisecond. */
const NAME_TRIES = 100;
/** A temporary file this old was left by a writer that died before its rename (a write takes milliseconds). */
export const STALE_TMP_MS = 60_000;
/** Temporary files: `.<picture name>.<pid>.tmp`. */
const TMP_NAME = /^\.(flame|charts)-\d{13}-[a-z0-9-]{1,40}\.json\.\d+\.tmp$/;

export class SpoolError extends Error {}

export function spoolDir(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env[SPOOL_ENV];
  return dir !== undefined && dir !== '' ? dir : PICTURE_SPOOL_DIR;
}

/** "ktrace syscalls, PID 12" -> "ktrace-syscalls-pid-12": what the pattern's `<what>` allows. */
export function slug(text: string, fallback: string): string {
  const s = text.toLowerCase().replace(/[^a-z0-9]+/g, '-').slice(0, MAX_WHAT_CHARS).replace(/^-+|-+$/g, '');
  return s === '' ? fallback : s;
}

/** `<kind>-<unix ms, 13 digits>-<what>.json`. */
export function pictureName(kind: Picture['kind'], createdAt: number, what: string): string {
  const name = `${kind}-${String(createdAt).padStart(13, '0')}-${slug(what, kind)}.json`;
  if (!PICTURE_NAME_PATTERN.test(name)) throw new SpoolError(`cannot name a picture '${name}'`);
  return name;
}

/** The spool's pictures, oldest first (by the time in the name, then the name). */
export function listPictures(dir: string): string[] {
  const stamp = (n: string) => Number(n.split('-')[1]);
  return readdirSync(dir)
    .filter((n) => PICTURE_NAME_PATTERN.test(n))
    .sort((a, b) => stamp(a) - stamp(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/** Removes the oldest pictures beyond `keep`, and dead writers' temporary files; returns the pictures removed. */
export function prune(dir: string, keep = MAX_SPOOL_PICTURES, now = Date.now()): string[] {
  const names = listPictures(dir);
  const old = names.slice(0, Math.max(0, names.length - keep));
  for (const n of old) rmSync(join(dir, n), { force: true });
  for (const n of readdirSync(dir).filter((f) => TMP_NAME.test(f))) {
    try {
      if (now - statSync(join(dir, n)).mtimeMs > STALE_TMP_MS) rmSync(join(dir, n), { force: true });
    } catch {
      // another writer renamed or removed it meanwhile
    }
  }
  return old;
}

export interface Saved {
  readonly name: string;
  readonly path: string;
}

/**
 * Writes the picture as `<kind>-<createdAt>-<what>.json` (a temporary file,
 * then rename, so the runner never reads half of it) and prunes the spool.
 */
export function savePicture(picture: Picture, what: string, dir = spoolDir()): Saved {
  const body = JSON.stringify(picture);
  const bytes = Buffer.byteLength(body);
  if (bytes > MAX_PICTURE_BYTES) throw new SpoolError(`picture is ${bytes} bytes, over the ${MAX_PICTURE_BYTES} the page reads`);
  try {
    mkdirSync(dir, { recursive: true });
    let name = pictureName(picture.kind, picture.createdAt, what);
    for (let i = 1; existsSync(join(dir, name)); i++) {
      if (i >= NAME_TRIES) throw new SpoolError(`too many pictures named like ${name}`);
      name = pictureName(picture.kind, picture.createdAt + i, what);
    }
    const path = join(dir, name);
    // A dot name never matches the pattern: a reader listing the spool skips it.
    const tmp = join(dir, `.${name}.${process.pid}.tmp`);
    try {
      writeFileSync(tmp, body, { mode: 0o644 });
      renameSync(tmp, path);
    } finally {
      rmSync(tmp, { force: true });
    }
    prune(dir);
    return { name, path };
  } catch (err) {
    if (err instanceof SpoolError) throw err;
    throw new SpoolError(`cannot write to ${dir}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

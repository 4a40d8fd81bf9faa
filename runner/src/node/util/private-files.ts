// The data folder holds the owner token, the workshop secret and every
// learner's progress: only the user the runner runs as may read it. Modes are
// set on creation and tightened on files and folders an older runner (or a
// loose umask) left readable, when they are ours to change.
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';

/** Folders: owner only (rwx). */
export const PRIVATE_DIR_MODE = 0o700;
/** Files: owner only (rw). */
export const PRIVATE_FILE_MODE = 0o600;

/** Creates a folder (and its parents) as 0700, or tightens an existing one we own that others could read. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  tighten(dir, PRIVATE_DIR_MODE);
}

/** Creates an empty file as 0600 if it is missing (so a library that opens it later keeps that mode), and tightens it. */
export function ensurePrivateFile(file: string): void {
  closeSync(openSync(file, 'a', PRIVATE_FILE_MODE));
  tighten(file, PRIVATE_FILE_MODE);
}

/** Tightens a file that exists (a database's -wal and -shm); a missing one is fine. */
export function tightenIfPresent(file: string): void {
  if (existsSync(file)) tighten(file, PRIVATE_FILE_MODE);
}

/** Removes group and other bits; a path owned by another user (root's shared folder) is left as it is. */
function tighten(path: string, mode: number): void {
  const st = statSync(path);
  const mine = typeof process.getuid !== 'function' || st.uid === process.getuid();
  if (mine && (st.mode & 0o077) !== 0) chmodSync(path, mode);
}

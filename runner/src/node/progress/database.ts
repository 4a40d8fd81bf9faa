// Opens the progress database: one SQLite file in the data directory, WAL
// mode, every commit fsync'd (synchronous=FULL) so nothing a learner was told
// is lost when the runner is killed or the machine loses power, then brings
// the schema up to date. The file and its -wal/-shm are readable by the owner
// only: they hold every learner's names, answers and token hashes.
import Database from 'better-sqlite3';
import { dirname, join } from 'node:path';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.ts';
import { ensurePrivateDir, ensurePrivateFile, tightenIfPresent } from '../util/private-files.ts';

export const PROGRESS_DB_FILE = 'progress.db';
/** A writer waits this long for a lock held by another connection (another runner on the same data dir) before failing. */
const BUSY_TIMEOUT_MS = 5000;

/** The files SQLite keeps beside the database in WAL mode. */
const WAL_FILES = ['-wal', '-shm'];

export type ProgressDb = Database.Database;

export function progressDbPath(dataDir: string): string {
  return join(dataDir, PROGRESS_DB_FILE);
}

export function openProgressDb(file: string): ProgressDb {
  ensurePrivateDir(dirname(file));
  // SQLite creates -wal and -shm with the database file's mode: make that 0600 first.
  ensurePrivateFile(file);
  const db = new Database(file);
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma('journal_mode = WAL');
    for (const side of WAL_FILES) tightenIfPresent(`${file}${side}`);
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    migrate(db, file);
  } catch (e) {
    db.close();
    throw e;
  }
  return db;
}

/** Applies the migrations newer than the file's version; refuses a file from a newer runner. */
export function migrate(db: ProgressDb, file = 'the progress database'): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new Error(`${file} has schema version ${current}, but this runner knows versions up to ${SCHEMA_VERSION}: update kdlabs, or move the file away to start afresh`);
  }
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return db.pragma('user_version', { simple: true }) as number;
}

// Reads the soak runner's progress database (read-only, beside the live runner:
// SQLite WAL allows it) so rows written before a crash can be checked after.
import Database from 'better-sqlite3';
import { join } from 'node:path';

export interface ProgressRows {
  /** Every lab session row: id → end reason (null while open). */
  sessions: Map<string, string | null>;
  /** Every event row id. */
  events: Set<number>;
}

export function readProgressRows(dataDir: string): ProgressRows {
  const db = new Database(join(dataDir, 'progress.db'), { readonly: true, fileMustExist: true });
  try {
    const sessions = new Map<string, string | null>();
    for (const r of db.prepare('SELECT id, end_reason FROM lab_sessions').all() as Array<{ id: string; end_reason: string | null }>) sessions.set(r.id, r.end_reason);
    const events = new Set<number>((db.prepare('SELECT id FROM events').all() as Array<{ id: number }>).map((r) => r.id));
    return { sessions, events };
  } finally {
    db.close();
  }
}

/** Rows present in `before` and missing from `after`. */
export function lostRows(before: ProgressRows, after: ProgressRows): number {
  let lost = 0;
  for (const id of before.sessions.keys()) if (!after.sessions.has(id)) lost++;
  for (const id of before.events) if (!after.events.has(id)) lost++;
  return lost;
}

// The progress database's schema, as numbered migrations. A database records
// its version in `PRAGMA user_version`; opening it applies every newer
// migration in one transaction each. Never edit a shipped migration: add one.

export interface Migration { version: number; name: string; sql: string }

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'workshops, learners, lab sessions, events',
    sql: `
      CREATE TABLE workshops (
        id         TEXT PRIMARY KEY,
        title      TEXT NOT NULL,
        labs       TEXT NOT NULL,              -- JSON array of lab ids
        seats      INTEGER NOT NULL,
        starts_at  INTEGER NOT NULL,           -- ms since the epoch, like every time here
        ends_at    INTEGER NOT NULL,
        join_code  TEXT NOT NULL UNIQUE,
        seed       TEXT NOT NULL,              -- per-workshop input of the parameter choice
        created_at INTEGER NOT NULL,
        closed_at  INTEGER
      );
      CREATE TABLE learners (
        id          TEXT PRIMARY KEY,
        workshop_id TEXT REFERENCES workshops(id),
        name        TEXT NOT NULL,
        token_hash  TEXT UNIQUE,               -- SHA-256 of the bearer token; the token itself is never stored
        joined_at   INTEGER NOT NULL
      );
      CREATE UNIQUE INDEX learners_name ON learners(workshop_id, name COLLATE NOCASE) WHERE workshop_id IS NOT NULL;
      INSERT INTO learners (id, workshop_id, name, token_hash, joined_at) VALUES ('local', NULL, 'you', NULL, 0);
      CREATE TABLE lab_sessions (
        id             TEXT PRIMARY KEY,
        learner_id     TEXT NOT NULL REFERENCES learners(id),
        workshop_id    TEXT REFERENCES workshops(id),
        lab_id         TEXT NOT NULL,
        runner_name    TEXT NOT NULL,          -- which runner ran it: only that runner closes it after a crash
        started_at     INTEGER NOT NULL,
        stopped_at     INTEGER,
        end_reason     TEXT,
        active_ms      INTEGER NOT NULL DEFAULT 0,
        last_active_at INTEGER NOT NULL
      );
      CREATE INDEX lab_sessions_learner ON lab_sessions(learner_id, lab_id, started_at);
      CREATE INDEX lab_sessions_workshop ON lab_sessions(workshop_id);
      CREATE TABLE events (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        at          INTEGER NOT NULL,
        learner_id  TEXT NOT NULL REFERENCES learners(id),
        workshop_id TEXT REFERENCES workshops(id),
        session_id  TEXT,
        lab_id      TEXT,
        task_id     TEXT,
        kind        TEXT NOT NULL,             -- join, session-start, session-stop, reset, check, answer, hint, solution
        passed      INTEGER,                   -- check/answer: 1 or 0
        attempt     INTEGER,                   -- check/answer: the learner's attempt number at the task
        hint_index  INTEGER,
        detail      TEXT                       -- answer text, check message, stop reason
      );
      CREATE INDEX events_learner ON events(learner_id, lab_id, task_id, at);
      CREATE INDEX events_workshop ON events(workshop_id, at);
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

import type Sqlite from 'better-sqlite3';

/**
 * One step of berth's database schema. Steps run once each, in version order, each in its own
 * transaction, and are recorded in `schema_migrations`. A shipped step is never edited: a later
 * change is a new step appended with the next version.
 */
export interface Migration {
  version: number;
  name: string;
  /** SQL to run, or a function for a step that must read data to transform it. */
  up: string | ((db: Sqlite.Database) => void);
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'api tokens',
    // Only the SHA-256 of a token is kept. Names are unique among active tokens, so one can be
    // revoked by name and the name used again afterwards.
    up: `
      CREATE TABLE api_tokens (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
        hash BLOB NOT NULL CHECK (length(hash) = 32),
        source TEXT NOT NULL CHECK (source IN ('created', 'generated', 'environment')),
        created_at INTEGER NOT NULL,
        last_used_at INTEGER,
        revoked_at INTEGER
      ) STRICT;
      CREATE UNIQUE INDEX api_tokens_active_name ON api_tokens (name) WHERE revoked_at IS NULL;
    `,
  },
  {
    version: 2,
    name: 'audit log',
    // Pages run newest first on (at, id); each filter has an index that ends in the same order.
    up: `
      CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        token_id TEXT,
        token_name TEXT,
        action TEXT NOT NULL,
        target TEXT,
        result TEXT NOT NULL,
        detail TEXT
      ) STRICT;
      CREATE INDEX audit_log_at ON audit_log (at, id);
      CREATE INDEX audit_log_token ON audit_log (token_id, at, id);
      CREATE INDEX audit_log_action ON audit_log (action, at, id);
      CREATE INDEX audit_log_result ON audit_log (result, at, id);
    `,
  },
  {
    version: 3,
    name: 'create policy',
    // One row: the admin's create policy as JSON, validated by src/policy on the way in and out.
    up: `
      CREATE TABLE create_policy (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        policy TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;
    `,
  },
];

import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { MIGRATIONS, type Migration } from './migrations.js';

export const DATABASE_FILE = 'berth.db';

export class DatabaseError extends Error {
  override name = 'DatabaseError';
}

export interface OpenOptions {
  /** Directory of `berth.db`; created (mode 0700) when missing. */
  dataDir: string;
  /** For tests; berth itself always applies {@link MIGRATIONS}. */
  migrations?: readonly Migration[];
}

/** What one migration run did, for the start-up log. */
export interface MigrationReport {
  applied: readonly string[];
  version: number;
}

/**
 * berth's own state in one embedded SQLite file under BERTH_DATA_DIR. Synchronous on purpose: each
 * call is a prepared statement on a local file, far cheaper than the await it would replace.
 * Several processes may open the file at once (the server and `npm run token`): WAL lets readers
 * run beside the one writer, and a busy timeout makes a second writer wait instead of failing.
 */
export class BerthDatabase {
  readonly path: string;
  readonly migrations: MigrationReport;
  readonly #db: Sqlite.Database;

  private constructor(path: string, db: Sqlite.Database, migrations: MigrationReport) {
    this.path = path;
    this.#db = db;
    this.migrations = migrations;
  }

  static open(options: OpenOptions): BerthDatabase {
    mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    const path = join(options.dataDir, DATABASE_FILE);
    const db = new Sqlite(path);
    try {
      // The WAL and shared-memory files SQLite makes later take the database file's mode.
      chmodSync(path, 0o600);
      // First, so that switching to WAL waits for another process opening the file too.
      db.pragma('busy_timeout = 5000');
      db.pragma('journal_mode = WAL');
      // Safe with WAL: a power cut may lose the last commits, never corrupt the file.
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      const report = migrate(db, options.migrations ?? MIGRATIONS);
      return new BerthDatabase(path, db, report);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /** Compiles a statement; keep the result and reuse it, compiling is the expensive part. */
  prepare<Params extends unknown[] = unknown[], Row = unknown>(sql: string): Sqlite.Statement<Params, Row> {
    return this.#db.prepare<Params, Row>(sql);
  }

  /**
   * Runs `fn` in one write transaction that commits when `fn` returns and rolls back when it throws.
   * It takes the write lock at once (`BEGIN IMMEDIATE`): a read-then-write must not find, at its
   * first write, that another process wrote in between.
   */
  transaction<T>(fn: () => T): T {
    return this.#db.transaction(fn).immediate();
  }

  get isOpen(): boolean {
    return this.#db.open;
  }

  /** Checkpoints the WAL into the main file and closes; a second call does nothing. */
  close(): void {
    if (!this.#db.open) return;
    this.#db.close();
  }
}

/**
 * Applies, in order and each in its own transaction, the migrations this database has not seen.
 * Run again, it applies nothing. `BEGIN IMMEDIATE` takes the write lock before reading what was
 * applied, so two processes starting together cannot both apply the same step.
 */
function migrate(db: Sqlite.Database, migrations: readonly Migration[]): MigrationReport {
  checkOrder(migrations);
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  ) STRICT`);
  const appliedVersions = db.prepare<[], { version: number; name: string }>(
    'SELECT version, name FROM schema_migrations ORDER BY version',
  );
  const record = db.prepare<[number, string, number]>(
    'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
  );
  const known = new Map(migrations.map((m) => [m.version, m.name]));
  const checkKnown = (done: readonly { version: number; name: string }[]): void => {
    const unknown = done.find((row) => known.get(row.version) !== row.name);
    if (unknown) {
      throw new DatabaseError(
        `the database has migration ${unknown.version} "${unknown.name}" that this berth does not know ` +
          `(newest known: ${migrations.at(-1)?.version ?? 0}); it was written by a newer or different berth`,
      );
    }
  };
  checkKnown(appliedVersions.all());
  const applied: string[] = [];

  for (const migration of migrations) {
    const step = db.transaction(() => {
      const done = appliedVersions.all();
      checkKnown(done);
      if (done.some((row) => row.version === migration.version)) return;
      const newest = done.at(-1)?.version ?? 0;
      if (newest > migration.version) {
        throw new DatabaseError(
          `migration ${migration.version} "${migration.name}" is older than the applied ${newest}; migrations must be appended`,
        );
      }
      if (typeof migration.up === 'string') db.exec(migration.up);
      else migration.up(db);
      record.run(migration.version, migration.name, Date.now());
      applied.push(`${migration.version} ${migration.name}`);
    });
    step.immediate();
  }
  const version = appliedVersions.all().at(-1)?.version ?? 0;
  return { applied, version };
}

function checkOrder(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    const previous = migrations[index - 1];
    if (!Number.isInteger(migration.version) || migration.version < 1) {
      throw new DatabaseError(`migration "${migration.name}" needs a positive integer version`);
    }
    if (previous && migration.version <= previous.version) {
      throw new DatabaseError(
        `migrations out of order: ${migration.version} "${migration.name}" after ${previous.version} "${previous.name}"`,
      );
    }
  });
}

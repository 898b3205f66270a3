import type { BerthDatabase } from '../../platform/store/database.js';
import type { StackHistoryEntry } from './model.js';

/** A stack as berth last deployed it: the text it came from, kept to plan the next deploy against. */
export interface StackRecord {
  name: string;
  compose: string;
  env: string;
  hash: string;
  deployedAt: Date;
  deployedBy: string;
  /** Replica counts `scaleStackService` set since the deploy, by service. */
  scales: Record<string, number>;
}

interface StackRow {
  name: string;
  compose: string;
  env: string;
  hash: string;
  deployed_at: number;
  deployed_by: string;
  scales: string;
}

interface HistoryRow {
  stack: string;
  hash: string;
  actor: string;
  action: StackHistoryEntry['action'];
  ok: number;
  summary: string;
  at: number;
}

const toRecord = (row: StackRow): StackRecord => ({
  name: row.name,
  compose: row.compose,
  env: row.env,
  hash: row.hash,
  deployedAt: new Date(row.deployed_at),
  deployedBy: row.deployed_by,
  scales: parseScales(row.scales),
});

function parseScales(text: string): Record<string, number> {
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed !== 'object' || parsed === null) return {};
    return Object.fromEntries(
      Object.entries(parsed).filter((entry): entry is [string, number] => Number.isInteger(entry[1])),
    );
  } catch {
    return {};
  }
}

/**
 * One environment's stacks and their history in the embedded database (migrations 9 and 20): a
 * stack is keyed by (environment, name), so the same name on two hosts is two stacks, and this store
 * sees only its environment's rows.
 */
export class StackStore {
  readonly #all;
  readonly #byName;
  readonly #upsert;
  readonly #delete;
  readonly #record;
  readonly #history;

  constructor(
    private readonly db: BerthDatabase,
    /** The environment whose stacks these are. */
    readonly environment: string,
  ) {
    this.#all = db.prepare<[string], StackRow>('SELECT * FROM stacks WHERE environment = ? ORDER BY name');
    this.#byName = db.prepare<[string, string], StackRow>(
      'SELECT * FROM stacks WHERE environment = ? AND name = ?',
    );
    this.#upsert = db.prepare<[string, string, string, string, string, number, string, string]>(
      `INSERT INTO stacks (environment, name, compose, env, hash, deployed_at, deployed_by, scales)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (environment, name) DO UPDATE SET compose = excluded.compose, env = excluded.env,
         hash = excluded.hash, deployed_at = excluded.deployed_at, deployed_by = excluded.deployed_by,
         scales = excluded.scales`,
    );
    this.#delete = db.prepare<[string, string]>('DELETE FROM stacks WHERE environment = ? AND name = ?');
    this.#record = db.prepare<[string, string, string, string, string, number, string, number]>(
      `INSERT INTO stack_history (environment, stack, hash, actor, action, ok, summary, at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#history = db.prepare<[string, string, number], HistoryRow>(
      'SELECT * FROM stack_history WHERE environment = ? AND stack = ? ORDER BY id DESC LIMIT ?',
    );
  }

  list(): StackRecord[] {
    return this.#all.all(this.environment).map(toRecord);
  }

  get(name: string): StackRecord | null {
    const row = this.#byName.get(this.environment, name);
    return row ? toRecord(row) : null;
  }

  save(record: StackRecord): void {
    this.#upsert.run(
      this.environment,
      record.name,
      record.compose,
      record.env,
      record.hash,
      record.deployedAt.getTime(),
      record.deployedBy,
      JSON.stringify(record.scales),
    );
  }

  delete(name: string): void {
    this.#delete.run(this.environment, name);
  }

  /** Records what happened to a stack; with `save`, in one transaction when both are given. */
  record(entry: StackHistoryEntry, save?: StackRecord): void {
    this.db.transaction(() => {
      if (save) this.save(save);
      this.#record.run(
        this.environment,
        entry.stack,
        entry.hash,
        entry.actor,
        entry.action,
        entry.ok ? 1 : 0,
        entry.summary,
        entry.at.getTime(),
      );
    });
  }

  /** Newest first. */
  history(stack: string, limit: number): StackHistoryEntry[] {
    return this.#history.all(this.environment, stack, limit).map((row) => ({
      stack: row.stack,
      hash: row.hash,
      actor: row.actor,
      action: row.action,
      ok: row.ok === 1,
      summary: row.summary,
      at: new Date(row.at),
    }));
  }
}

import { InvalidInputError } from '../../shared/errors.js';
import type { BerthDatabase } from '../store/database.js';

/**
 * What was changed or refused, by which token, kept in the database so it outlives restarts.
 * Writes are one prepared INSERT on a local file (tens of microseconds), so callers record
 * synchronously, before answering, and a reply never gets ahead of its audit entry. Refusals are
 * counted per (address, reason, minute) rather than written one by one, and AuditRetention
 * (./retention.ts) bounds the table by age and by rows: no client can grow it without end.
 */

/**
 * `error:<CODE>` carries the code from the error catalog (or INTERNAL). A create is recorded as
 * `started` before the engine is asked; should berth stop before its outcome is recorded, the next
 * start adds `ok` (the engine made the container) or `interrupted` (it made none).
 */
export type AuditResult = 'ok' | 'denied' | 'started' | 'interrupted' | `error:${string}`;

export interface AuditEntryInput {
  /** When it happened; now when left out. */
  at?: Date | undefined;
  /** The token's public id and name, null when no valid token was presented. Never the secret. */
  tokenId: string | null;
  tokenName: string | null;
  /** What was attempted: a mutation or route, e.g. `stopContainer`, `DELETE /containers/{id}`. */
  action: string;
  /** What it was attempted on, e.g. a container name or id; null when nothing in particular. */
  target: string | null;
  result: AuditResult;
  detail?: string | null | undefined;
}

/** A request refused before it ran (authentication, a token in the URL, a rate limit). */
export interface AuditRefusalInput {
  /** When it happened; now when left out. */
  at?: Date | undefined;
  /** The token presented, when it was valid (refused for its rate); null otherwise. */
  tokenId: string | null;
  tokenName: string | null;
  /** What was attempted, as a route shape (`GET /containers/{id}`), never a raw path. */
  action: string;
  /** Where it came from. */
  address: string;
  /** The refusal's code from the error catalog. */
  code: string;
}

export interface AuditEntry {
  /** Opaque; pass as `after` to get the entries older than this one. */
  cursor: string;
  /** When it happened; for counted refusals, when the first of them did. */
  at: Date;
  /** How many requests the entry stands for: 1, or the refusals counted in its minute. */
  count: number;
  tokenId: string | null;
  tokenName: string | null;
  action: string;
  target: string | null;
  result: AuditResult;
  detail: string | null;
}

/** A create's intent whose outcome was never recorded (berth stopped first). */
export interface OpenIntent extends AuditEntry {
  /** The id the intent was recorded under, also the value of the container's intent label. */
  intent: string;
}

export interface AuditFilter {
  tokenId?: string | null | undefined;
  action?: string | null | undefined;
  /** An exact result, or `error` for every `error:<CODE>`. */
  result?: string | null | undefined;
  /** Inclusive. */
  since?: Date | null | undefined;
  /** Exclusive. */
  until?: Date | null | undefined;
}

export interface AuditQuery {
  filter?: AuditFilter | null | undefined;
  /** Page size: 50 when left out, at most 200. */
  first?: number | null | undefined;
  /** A cursor from an earlier page: the entries older than that one. */
  after?: string | null | undefined;
}

export interface AuditPage {
  /** Newest first. */
  entries: AuditEntry[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

export const AUDIT_PAGE_SIZE = { default: 50, max: 200 } as const;

/** Longest text kept per field; longer is cut, so a hostile input cannot grow the file much. */
const MAX_FIELD_LENGTH = { action: 200, target: 1000, detail: 4000, token: 100, address: 100 } as const;
const RESULT_PATTERN = /^(ok|denied|started|interrupted|error:[A-Z][A-Z0-9_]*)$/;
/** A whole token, should one slip into a target or detail: keep its public id, drop the secret. */
const TOKEN_IN_TEXT = /berth_([0-9a-f]{12})_[A-Za-z0-9_-]{43}/g;

interface AuditRow {
  id: number;
  at: number;
  token_id: string | null;
  token_name: string | null;
  action: string;
  target: string | null;
  result: AuditResult;
  detail: string | null;
  count: number;
}

type QueryParams = Record<string, string | number>;

function encodeCursor(row: { at: number; id: number }): string {
  return Buffer.from(`${row.at}.${row.id}`).toString('base64url');
}

function decodeCursor(cursor: string): { at: number; id: number } {
  const match =
    cursor.length <= 64
      ? /^(-?\d{1,15})\.(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString())
      : null;
  if (!match) throw new InvalidInputError('after', 'not a cursor that auditLog returned');
  return { at: Number(match[1]), id: Number(match[2]) };
}

function clean(text: string, max: number): string {
  const redacted = text.replace(TOKEN_IN_TEXT, 'berth_$1_[redacted]');
  return redacted.length > max ? `${redacted.slice(0, max - 1)}…` : redacted;
}

function cleanOptional(text: string | null | undefined, max: number): string | null {
  return text === null || text === undefined ? null : clean(text, max);
}

function toEntry(row: AuditRow): AuditEntry {
  return {
    cursor: encodeCursor(row),
    at: new Date(row.at),
    count: row.count,
    tokenId: row.token_id,
    tokenName: row.token_name,
    action: row.action,
    target: row.target,
    result: row.result,
    detail: row.detail,
  };
}

function checkTime(value: Date, field: string): number {
  const ms = value.getTime();
  if (!Number.isFinite(ms)) throw new InvalidInputError(field, 'not a valid time');
  return ms;
}

const MINUTE_MS = 60_000;

export class AuditLog {
  readonly #db: BerthDatabase;
  readonly #insert;
  readonly #refuse;
  readonly #newestId;
  readonly #deleteBefore;
  readonly #deleteUpToId;
  readonly #intent;
  readonly #settle;
  readonly #outcome;
  readonly #openIntents;
  /** One compiled statement per combination of filters used; at most 2^6 of them. */
  readonly #queries = new Map<string, ReturnType<BerthDatabase['prepare']>>();

  constructor(db: BerthDatabase) {
    this.#db = db;
    this.#insert = db.prepare<
      [number, string | null, string | null, string, string | null, string, string | null]
    >(
      `INSERT INTO audit_log (at, token_id, token_name, action, target, result, detail)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#refuse = db.prepare<[number, string | null, string | null, string, string, string], AuditRow>(
      `INSERT INTO audit_log (at, token_id, token_name, action, target, result, detail, count, refusal_key)
       VALUES (?, ?, ?, ?, NULL, 'denied', ?, 1, ?)
       ON CONFLICT (refusal_key) WHERE refusal_key IS NOT NULL DO UPDATE SET count = count + 1
       RETURNING id, at, token_id, token_name, action, target, result, detail, count`,
    );
    this.#newestId = db.prepare<[], { id: number | null }>('SELECT max(id) AS id FROM audit_log');
    this.#intent = db.prepare<
      [number, string | null, string | null, string, string | null, string | null, string]
    >(
      `INSERT INTO audit_log (at, token_id, token_name, action, target, result, detail, intent)
       VALUES (?, ?, ?, ?, ?, 'started', ?, ?)`,
    );
    this.#settle = db.prepare<[number, string]>(
      `UPDATE audit_log SET settled_at = ? WHERE intent = ? AND result = 'started' AND settled_at IS NULL`,
    );
    this.#outcome = db.prepare<
      [number, string | null, string | null, string, string | null, string, string | null, string, number]
    >(
      `INSERT INTO audit_log (at, token_id, token_name, action, target, result, detail, intent, settled_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#openIntents = db.prepare<[number], AuditRow & { intent: string }>(
      `SELECT * FROM audit_log WHERE intent IS NOT NULL AND settled_at IS NULL AND id <= ? ORDER BY id`,
    );
    this.#deleteBefore = db.prepare<[beforeMs: number, limit: number]>(
      `DELETE FROM audit_log WHERE id IN
         (SELECT id FROM audit_log WHERE at < ? ORDER BY at, id LIMIT ?)`,
    );
    this.#deleteUpToId = db.prepare<[lastId: number, limit: number]>(
      'DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE id <= ? ORDER BY id LIMIT ?)',
    );
  }

  /**
   * Counts a refusal: the first of its kind (address, action, code, token) in a minute makes an
   * entry, the rest of that minute add to its count. Returns the entry as it stands.
   */
  recordRefusal(input: AuditRefusalInput): AuditEntry {
    if (typeof input.action !== 'string' || input.action.length === 0) {
      throw new InvalidInputError('action', 'an audit entry needs an action');
    }
    if (!/^[A-Z][A-Z0-9_]*$/.test(input.code)) {
      throw new InvalidInputError('code', 'expected a code from the error catalog');
    }
    const at = input.at === undefined ? Date.now() : checkTime(input.at, 'at');
    const tokenId = cleanOptional(input.tokenId, MAX_FIELD_LENGTH.token);
    const action = clean(input.action, MAX_FIELD_LENGTH.action);
    const address = clean(input.address, MAX_FIELD_LENGTH.address);
    const key = JSON.stringify([Math.floor(at / MINUTE_MS), address, action, input.code, tokenId]);
    const row = this.#refuse.get(
      at,
      tokenId,
      cleanOptional(input.tokenName, MAX_FIELD_LENGTH.token),
      action,
      `${input.code} from ${address}`,
      key,
    );
    if (!row) throw new Error('the audit log did not return the refusal it recorded');
    return toEntry(row);
  }

  /**
   * Records that a create is about to be asked of the engine (result `started`), under `intent`;
   * `settleIntent` marks it once the create's outcome is recorded.
   */
  recordIntent(input: Omit<AuditEntryInput, 'result'> & { intent: string }): AuditEntry {
    const row = this.#row({ ...input, result: 'started' });
    const { lastInsertRowid } = this.#intent.run(
      row.at,
      row.token_id,
      row.token_name,
      row.action,
      row.target,
      row.detail,
      input.intent,
    );
    return toEntry({ ...row, id: Number(lastInsertRowid) });
  }

  /**
   * Records the outcome of the intent and marks the intent settled, in one transaction: a crash
   * leaves either both or neither. Returns the outcome's entry.
   */
  settleIntent(intent: string, outcome: AuditEntryInput): AuditEntry {
    const row = this.#row(outcome);
    const id = this.#db.transaction(() => {
      const { lastInsertRowid } = this.#outcome.run(
        row.at,
        row.token_id,
        row.token_name,
        row.action,
        row.target,
        row.result,
        row.detail,
        intent,
        row.at,
      );
      this.#settle.run(row.at, intent);
      return Number(lastInsertRowid);
    });
    return toEntry({ ...row, id });
  }

  /** Intents never settled, oldest first, among the entries up to `upToId` (see `lastId`). */
  openIntents(upToId: number): OpenIntent[] {
    return this.#openIntents.all(upToId).map((row) => ({ ...toEntry(row), intent: row.intent }));
  }

  /** The id of the newest entry (0 when there is none): entries recorded later have larger ones. */
  lastId(): number {
    return this.#newestId.get()?.id ?? 0;
  }

  /** Deletes up to `limit` of the oldest entries from before `beforeMs`; returns how many. */
  deleteOlderThan(beforeMs: number, limit: number): number {
    return this.#deleteBefore.run(beforeMs, limit).changes;
  }

  /** Deletes up to `limit` of the entries recorded before the newest `keep`; returns how many. */
  deleteAllButNewest(keep: number, limit: number): number {
    // Ids only grow, so the newest `keep` recorded are those above max(id) - keep.
    const newest = this.#newestId.get()?.id ?? null;
    if (newest === null || newest <= keep) return 0;
    return this.#deleteUpToId.run(newest - keep, limit).changes;
  }

  /** An entry as stored: checked, cut to length, never a token's secret. */
  #row(input: AuditEntryInput): Omit<AuditRow, 'id'> {
    if (typeof input.action !== 'string' || input.action.length === 0) {
      throw new InvalidInputError('action', 'an audit entry needs an action');
    }
    if (typeof input.result !== 'string' || !RESULT_PATTERN.test(input.result)) {
      throw new InvalidInputError('result', 'expected ok, denied, started, interrupted or error:<CODE>');
    }
    return {
      at: input.at === undefined ? Date.now() : checkTime(input.at, 'at'),
      count: 1,
      token_id: cleanOptional(input.tokenId, MAX_FIELD_LENGTH.token),
      token_name: cleanOptional(input.tokenName, MAX_FIELD_LENGTH.token),
      action: clean(input.action, MAX_FIELD_LENGTH.action),
      target: cleanOptional(input.target, MAX_FIELD_LENGTH.target),
      result: input.result,
      detail: cleanOptional(input.detail, MAX_FIELD_LENGTH.detail),
    };
  }

  /** Appends an entry and returns it as a query would. */
  record(input: AuditEntryInput): AuditEntry {
    const row = this.#row(input);
    const { lastInsertRowid } = this.#insert.run(
      row.at,
      row.token_id,
      row.token_name,
      row.action,
      row.target,
      row.result,
      row.detail,
    );
    return toEntry({ ...row, id: Number(lastInsertRowid) });
  }

  /**
   * Entries newest first (by `at`, then by insertion), `first` at a time, those older than the
   * cursor `after`. Paging is stable: an entry appears once however many are recorded meanwhile.
   */
  query(options: AuditQuery = {}): AuditPage {
    const first = options.first ?? AUDIT_PAGE_SIZE.default;
    if (!Number.isInteger(first) || first < 1 || first > AUDIT_PAGE_SIZE.max) {
      throw new InvalidInputError('first', `expected a whole number from 1 to ${AUDIT_PAGE_SIZE.max}`);
    }
    const filter = options.filter ?? {};
    const conditions: string[] = [];
    const params: QueryParams = { limit: first + 1 };
    if (filter.tokenId != null) {
      conditions.push('token_id = @tokenId');
      params['tokenId'] = filter.tokenId;
    }
    if (filter.action != null) {
      conditions.push('action = @action');
      params['action'] = filter.action;
    }
    if (filter.result === 'error') {
      // A range rather than LIKE, so the index on result serves it (';' follows ':').
      conditions.push("result >= 'error:' AND result < 'error;'");
    } else if (filter.result != null) {
      conditions.push('result = @result');
      params['result'] = filter.result;
    }
    if (filter.since != null) {
      conditions.push('at >= @since');
      params['since'] = checkTime(filter.since, 'filter.since');
    }
    if (filter.until != null) {
      conditions.push('at < @until');
      params['until'] = checkTime(filter.until, 'filter.until');
    }
    if (options.after != null) {
      const cursor = decodeCursor(options.after);
      conditions.push('(at, id) < (@afterAt, @afterId)');
      params['afterAt'] = cursor.at;
      params['afterId'] = cursor.id;
    }
    const sql =
      `SELECT * FROM audit_log${conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : ''}` +
      ' ORDER BY at DESC, id DESC LIMIT @limit';
    let statement = this.#queries.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#queries.set(sql, statement);
    }
    const rows = statement.all(params) as AuditRow[];
    const page = rows.slice(0, first).map(toEntry);
    return {
      entries: page,
      pageInfo: { hasNextPage: rows.length > first, endCursor: page.at(-1)?.cursor ?? null },
    };
  }
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/platform/config.js';
import {
  AUDIT_PAGE_SIZE,
  AuditLog,
  type AuditEntry,
  type AuditEntryInput,
  type AuditFilter,
  type AuditQuery,
  type AuditRefusalInput,
} from '../../src/platform/audit/log.js';
import { AuditRetention } from '../../src/platform/audit/retention.js';
import { generateToken, parseToken } from '../../src/platform/auth/tokens.js';
import { InvalidInputError } from '../../src/shared/errors.js';
import { BerthDatabase } from '../../src/platform/store/database.js';

let dataDir: string;
const opened: BerthDatabase[] = [];

function open(): AuditLog {
  const db = BerthDatabase.open({ dataDir });
  opened.push(db);
  return new AuditLog(db);
}

function closeAll(): void {
  for (const db of opened.splice(0)) db.close();
}

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'berth-audit-'));
});

afterEach(() => {
  closeAll();
  rmSync(dataDir, { recursive: true, force: true });
});

const T0 = Date.parse('2026-03-01T12:00:00Z');

function entry(overrides: Partial<AuditEntryInput> = {}): AuditEntryInput {
  return {
    at: new Date(T0),
    tokenId: 'aaaaaaaaaaaa',
    tokenName: 'ci',
    action: 'stopContainer',
    target: 'web',
    result: 'ok',
    ...overrides,
  };
}

function invalidField(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof InvalidInputError) return error.field;
    throw error;
  }
  throw new Error('expected an InvalidInputError');
}

/** Every entry the filter selects, page after page, with the page sizes seen. */
function readAll(
  log: AuditLog,
  first: number,
  query: AuditQuery = {},
): { entries: AuditEntry[]; sizes: number[] } {
  const entries: AuditEntry[] = [];
  const sizes: number[] = [];
  let after: string | null = null;
  for (;;) {
    const page = log.query({ ...query, first, after });
    entries.push(...page.entries);
    sizes.push(page.entries.length);
    if (!page.pageInfo.hasNextPage) return { entries, sizes };
    expect(page.pageInfo.endCursor).toBe(page.entries.at(-1)?.cursor);
    after = page.pageInfo.endCursor;
  }
}

describe('AuditLog.record', () => {
  it('stores an entry and answers it as a query does', () => {
    const log = open();
    const recorded = log.record(entry({ detail: 'timeoutSeconds=5' }));
    expect(recorded).toEqual({
      cursor: expect.any(String),
      at: new Date(T0),
      count: 1,
      tokenId: 'aaaaaaaaaaaa',
      tokenName: 'ci',
      action: 'stopContainer',
      target: 'web',
      result: 'ok',
      detail: 'timeoutSeconds=5',
    });
    expect(log.query().entries).toEqual([recorded]);
  });

  it('takes denied requests without a token, errors with their code, and now as the default time', () => {
    const log = open();
    const before = Date.now();
    const denied = log.record({
      tokenId: null,
      tokenName: null,
      action: 'POST /containers',
      target: null,
      result: 'denied',
    });
    expect(denied.at.getTime()).toBeGreaterThanOrEqual(before);
    expect(denied).toMatchObject({
      tokenId: null,
      tokenName: null,
      target: null,
      detail: null,
      result: 'denied',
    });
    expect(log.record(entry({ result: 'error:NAME_CONFLICT' })).result).toBe('error:NAME_CONFLICT');
  });

  it('never keeps a token secret that slips into a target or detail', () => {
    const log = open();
    const token = generateToken();
    const recorded = log.record(entry({ target: `x ${token} y`, detail: `Authorization: Bearer ${token}` }));
    const secret = parseToken(token)?.secret ?? '';
    expect(JSON.stringify(recorded)).not.toContain(secret);
    expect(recorded.target).toBe(`x berth_${parseToken(token)?.id}_[redacted] y`);
    expect(JSON.stringify(log.query())).not.toContain(secret);
  });

  it('cuts overlong fields', () => {
    const log = open();
    const recorded = log.record(
      entry({ action: 'a'.repeat(10_000), target: 't'.repeat(10_000), detail: 'd'.repeat(1e6) }),
    );
    expect(recorded.action).toHaveLength(200);
    expect(recorded.target).toHaveLength(1000);
    expect(recorded.detail).toHaveLength(4000);
    expect(recorded.detail?.endsWith('…')).toBe(true);
  });

  it.each([
    [{ action: '' }, 'action'],
    [{ result: 'fine' }, 'result'],
    [{ result: 'error:' }, 'result'],
    [{ result: 'error:lower' }, 'result'],
    [{ result: 'OK' }, 'result'],
    [{ at: new Date(Number.NaN) }, 'at'],
  ])('refuses %o naming %s', (overrides, field) => {
    const log = open();
    expect(invalidField(() => log.record(entry(overrides as Partial<AuditEntryInput>)))).toBe(field);
    expect(log.query().entries).toEqual([]);
  });
});

describe('AuditLog.query', () => {
  it('pages newest first, each entry once, with hasNextPage and endCursor', () => {
    const log = open();
    for (let i = 0; i < 25; i++) log.record(entry({ at: new Date(T0 + i * 1000), target: `c${i}` }));
    const { entries, sizes } = readAll(log, 10);
    expect(sizes).toEqual([10, 10, 5]);
    expect(entries.map((e) => e.target)).toEqual(Array.from({ length: 25 }, (_, i) => `c${24 - i}`));
    expect(new Set(entries.map((e) => e.cursor)).size).toBe(25);
  });

  it('keeps pages stable for entries recorded at the same millisecond, and while recording goes on', () => {
    const log = open();
    for (let i = 0; i < 30; i++) log.record(entry({ target: `same${i}` }));
    const firstPage = log.query({ first: 7 });
    // New entries (now, so newer) and more at the same time as the rest arrive between pages.
    for (let i = 0; i < 5; i++) log.record(entry({ at: new Date(), target: `new${i}` }));
    const rest = readAll(log, 7);
    expect(rest.entries.slice(0, 5).map((e) => e.target)).toEqual(['new4', 'new3', 'new2', 'new1', 'new0']);

    const seen = [...firstPage.entries];
    let after = firstPage.pageInfo.endCursor;
    while (after !== null) {
      const page = log.query({ first: 7, after });
      seen.push(...page.entries);
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    }
    expect(seen.map((e) => e.target)).toEqual(Array.from({ length: 30 }, (_, i) => `same${29 - i}`));
  });

  it('orders by time, not by insertion, when entries are recorded late', () => {
    const log = open();
    log.record(entry({ at: new Date(T0 + 2000), target: 'late' }));
    log.record(entry({ at: new Date(T0), target: 'early' }));
    log.record(entry({ at: new Date(T0 + 1000), target: 'middle' }));
    expect(log.query().entries.map((e) => e.target)).toEqual(['late', 'middle', 'early']);
  });

  it('filters by token, action, result, errors of any code, and a time range, also while paging', () => {
    const log = open();
    const tokens = ['aaaaaaaaaaaa', 'bbbbbbbbbbbb', null] as const;
    const actions = ['createContainer', 'stopContainer', 'DELETE /containers/{id}'] as const;
    const results = ['ok', 'denied', 'error:NOT_FOUND', 'error:INVALID_STATE'] as const;
    const all: AuditEntryInput[] = [];
    for (let i = 0; i < 120; i++) {
      const tokenId = tokens[i % 3] ?? null;
      const input = entry({
        at: new Date(T0 + i * 1000),
        tokenId,
        tokenName: tokenId === null ? null : `name-${tokenId[0]}`,
        action: actions[i % 3 === 0 ? (i / 3) % 3 : i % 3] ?? 'x',
        result: results[i % 4] ?? 'ok',
        target: `c${i}`,
      });
      all.push(input);
      log.record(input);
    }
    const expected = (keep: (e: AuditEntryInput) => boolean): (string | null)[] =>
      all
        .filter(keep)
        .map((e) => e.target)
        .reverse();
    const targets = (filter: AuditFilter): (string | null)[] =>
      readAll(log, 4, { filter }).entries.map((e) => e.target);

    expect(targets({ tokenId: 'bbbbbbbbbbbb' })).toEqual(expected((e) => e.tokenId === 'bbbbbbbbbbbb'));
    expect(targets({ action: 'stopContainer' })).toEqual(expected((e) => e.action === 'stopContainer'));
    expect(targets({ result: 'denied' })).toEqual(expected((e) => e.result === 'denied'));
    expect(targets({ result: 'error:NOT_FOUND' })).toEqual(expected((e) => e.result === 'error:NOT_FOUND'));
    expect(targets({ result: 'error' })).toEqual(expected((e) => e.result.startsWith('error:')));
    const since = new Date(T0 + 30_000);
    const until = new Date(T0 + 60_000);
    expect(targets({ since, until })).toEqual(
      expected((e) => (e.at?.getTime() ?? 0) >= since.getTime() && (e.at?.getTime() ?? 0) < until.getTime()),
    );
    expect(targets({ since, until })).toHaveLength(30);
    expect(
      targets({ tokenId: 'aaaaaaaaaaaa', action: 'createContainer', result: 'ok', since, until: null }),
    ).toEqual(
      expected(
        (e) =>
          e.tokenId === 'aaaaaaaaaaaa' &&
          e.action === 'createContainer' &&
          e.result === 'ok' &&
          (e.at?.getTime() ?? 0) >= since.getTime(),
      ),
    );
    expect(targets({ tokenId: 'constructor' })).toEqual([]);
    expect(targets({ action: '__proto__' })).toEqual([]);
  });

  it('bounds the page size', () => {
    const log = open();
    for (let i = 0; i < AUDIT_PAGE_SIZE.max + 10; i++) log.record(entry({ at: new Date(T0 + i) }));
    expect(log.query().entries).toHaveLength(AUDIT_PAGE_SIZE.default);
    expect(log.query({ first: AUDIT_PAGE_SIZE.max }).entries).toHaveLength(AUDIT_PAGE_SIZE.max);
    for (const first of [0, -1, AUDIT_PAGE_SIZE.max + 1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(invalidField(() => log.query({ first }))).toBe('first');
    }
  });

  it('refuses a cursor it did not make', () => {
    const log = open();
    log.record(entry());
    for (const after of [
      '',
      'garbage',
      '__proto__',
      'constructor',
      'x'.repeat(100_000),
      Buffer.from('1.2.3').toString('base64url'),
    ]) {
      expect(invalidField(() => log.query({ after }))).toBe('after');
    }
    expect(invalidField(() => log.query({ filter: { since: new Date(Number.NaN) } }))).toBe('filter.since');
  });
});

describe('persistence', () => {
  it('keeps every entry, and its cursor, across closing and reopening', () => {
    const first = open();
    for (let i = 0; i < 12; i++) first.record(entry({ at: new Date(T0 + i), target: `c${i}` }));
    const before = readAll(first, 5).entries;
    closeAll();

    const reopened = open();
    expect(readAll(reopened, 5).entries).toEqual(before);
    const middle = before[4]?.cursor ?? null;
    expect(reopened.query({ first: 3, after: middle }).entries.map((e) => e.target)).toEqual([
      'c6',
      'c5',
      'c4',
    ]);
    reopened.record(entry({ at: new Date(T0 + 100), target: 'after restart' }));
    closeAll();
    expect(open().query({ first: 1 }).entries[0]?.target).toBe('after restart');
  });
});

describe('refusals', () => {
  const refusal = (overrides: Partial<AuditRefusalInput> = {}): AuditRefusalInput => ({
    at: new Date(T0),
    tokenId: null,
    tokenName: null,
    action: 'POST /graphql',
    address: '10.0.0.1',
    code: 'UNAUTHENTICATED',
    ...overrides,
  });

  it('aggregates refusals per (address, reason, minute) into one row with a count', () => {
    const log = open();
    // A flood: 1,000 refusals from one address within one minute.
    for (let i = 0; i < 1000; i++) log.recordRefusal(refusal({ at: new Date(T0 + i * 50) }));
    expect(log.query().entries).toEqual([
      expect.objectContaining({
        at: new Date(T0),
        action: 'POST /graphql',
        result: 'denied',
        detail: 'UNAUTHENTICATED from 10.0.0.1',
        count: 1000,
      }),
    ]);
    // Another address, another reason, another action, another token, the next minute: rows of their own.
    log.recordRefusal(refusal({ address: '10.0.0.2' }));
    log.recordRefusal(refusal({ code: 'TOKEN_IN_URL' }));
    log.recordRefusal(refusal({ action: 'GET /containers' }));
    log.recordRefusal(refusal({ tokenId: 'aaaaaaaaaaaa', tokenName: 'ci', code: 'RATE_LIMITED' }));
    log.recordRefusal(refusal({ at: new Date(T0 + 60_000) }));
    log.recordRefusal(refusal({ at: new Date(T0 + 60_001) }));
    const entries = log.query().entries;
    expect(entries).toHaveLength(6);
    expect(entries.map((e) => e.count).sort((a, b) => a - b)).toEqual([1, 1, 1, 1, 2, 1000]);
    expect(entries[0]).toMatchObject({ at: new Date(T0 + 60_000), count: 2 });
    // Changes and errors are never merged.
    log.record(entry());
    log.record(entry());
    expect(log.query({ filter: { result: 'ok' } }).entries.map((e) => e.count)).toEqual([1, 1]);
  });
});

describe('retention', () => {
  it('is read from BERTH_AUDIT_RETENTION_DAYS and BERTH_AUDIT_MAX_ROWS', () => {
    expect(loadConfig({}).audit).toEqual({ retentionDays: 90, maxRows: 1_000_000 });
    expect(loadConfig({ BERTH_AUDIT_RETENTION_DAYS: '7', BERTH_AUDIT_MAX_ROWS: '5000' }).audit).toEqual({
      retentionDays: 7,
      maxRows: 5000,
    });
    for (const env of [
      { BERTH_AUDIT_RETENTION_DAYS: '0' },
      { BERTH_AUDIT_RETENTION_DAYS: 'a week' },
      { BERTH_AUDIT_MAX_ROWS: '10' },
      { BERTH_AUDIT_MAX_ROWS: '1.5' },
    ]) {
      expect(() => loadConfig(env), JSON.stringify(env)).toThrow(Object.keys(env)[0]);
    }
  });

  it('deletes entries past the age, then the oldest past the row cap, in slices that yield', async () => {
    const log = open();
    const day = 86_400_000;
    const now = T0 + 100 * day;
    for (let i = 0; i < 1500; i++) log.record(entry({ at: new Date(T0 + i), target: `old${i}` }));
    for (let i = 0; i < 3000; i++) log.record(entry({ at: new Date(now - day + i), target: `new${i}` }));
    const retention = new AuditRetention(log, { retentionDays: 30, maxRows: 2000 }, { slice: 100 });
    // Other work runs between the slices: the event loop is never held for the whole prune.
    let turns = 0;
    let pruning = true;
    const spin = () => {
      turns += 1;
      if (pruning) setImmediate(spin);
    };
    setImmediate(spin);
    const pruned = await retention.prune(now);
    pruning = false;
    expect(pruned).toEqual({ expired: 1500, overCap: 1000 });
    expect(turns).toBeGreaterThanOrEqual(20);
    const kept = readAll(log, 200).entries;
    expect(kept).toHaveLength(2000);
    expect(kept.at(-1)?.target).toBe('new1000');
    expect(kept[0]?.target).toBe('new2999');
    expect(await retention.prune(now)).toEqual({ expired: 0, overCap: 0 });
  });
});

describe('create intents', () => {
  const intent = (target: string, id: string) => ({
    tokenId: 'aaaaaaaaaaaa',
    tokenName: 'ci',
    action: 'createContainer',
    target,
    detail: `intent ${id}`,
    intent: id,
  });

  it('stays open until its outcome is recorded (both in one transaction), across reopening', () => {
    const log = open();
    const before = log.lastId();
    log.recordIntent(intent('web', 'i-1'));
    log.recordIntent(intent('db', 'i-2'));
    const open1 = log.openIntents(log.lastId());
    expect(open1.map((e) => [e.intent, e.target, e.result, e.tokenName])).toEqual([
      ['i-1', 'web', 'started', 'ci'],
      ['i-2', 'db', 'started', 'ci'],
    ]);
    // Only those recorded up to the id given: a running berth's own are not a crash's.
    expect(log.openIntents(before)).toEqual([]);

    log.settleIntent('i-1', {
      tokenId: 'aaaaaaaaaaaa',
      tokenName: 'ci',
      action: 'createContainer',
      target: 'web',
      result: 'ok',
    });
    closeAll();
    const reopened = open();
    expect(reopened.openIntents(reopened.lastId()).map((e) => e.intent)).toEqual(['i-2']);
    reopened.settleIntent('i-2', {
      tokenId: null,
      tokenName: null,
      action: 'createContainer',
      target: 'db',
      result: 'interrupted',
    });
    expect(reopened.openIntents(reopened.lastId())).toEqual([]);
    expect(reopened.query({ filter: { result: 'interrupted' } }).entries).toHaveLength(1);
    expect(reopened.query({ filter: { result: 'started' } }).entries).toHaveLength(2);
  });
});

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ENVIRONMENT_ADMIN_NAME,
  generateToken,
  INITIAL_ADMIN_NAME,
  parseToken,
  TOKEN_LENGTH,
  TOKEN_PATTERN,
  TokenService,
  type Role,
} from '../../src/platform/auth/tokens.js';
import { forbiddenFor, hasRole, mayDeploy } from '../../src/platform/auth/principal.js';
import { ConfigError, loadConfig } from '../../src/platform/config.js';
import { InvalidInputError, TokenNotFoundError } from '../../src/shared/errors.js';
import { BerthDatabase, DatabaseError } from '../../src/platform/store/database.js';
import { MIGRATIONS } from '../../src/platform/store/migrations.js';

let dataDir: string;
const opened: BerthDatabase[] = [];

function open(): BerthDatabase {
  const db = BerthDatabase.open({ dataDir });
  opened.push(db);
  return db;
}

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'berth-tokens-'));
});

afterEach(() => {
  for (const db of opened.splice(0)) db.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The field of the InvalidInputError that `run` throws, and its message. */
function invalidInput(run: () => unknown): { field: string; message: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof InvalidInputError) return { field: error.field, message: error.message };
    throw error;
  }
  throw new Error('expected an InvalidInputError');
}

/** Every byte SQLite has written under the data directory: the file, its WAL and shared memory. */
function storedBytes(): Buffer {
  return Buffer.concat(readdirSync(dataDir).map((file) => readFileSync(join(dataDir, file))));
}

describe('token format', () => {
  it('is berth_<12 hex id>_<32 random bytes in base64url>, and every token differs', () => {
    const tokens = Array.from({ length: 2000 }, () => generateToken());
    const secrets = new Set<string>();
    const ids = new Set<string>();
    const characters = new Set<string>();
    for (const token of tokens) {
      expect(token).toMatch(TOKEN_PATTERN);
      expect(token).toHaveLength(TOKEN_LENGTH);
      expect(token.startsWith('berth_')).toBe(true);
      const parsed = parseToken(token);
      if (!parsed) throw new Error(`unparsed ${token}`);
      expect(Buffer.from(parsed.secret, 'base64url')).toHaveLength(32);
      secrets.add(parsed.secret);
      ids.add(parsed.id);
      for (const character of parsed.secret.slice(0, 42)) characters.add(character);
    }
    expect(TOKEN_LENGTH).toBe(62);
    expect(secrets.size).toBe(tokens.length);
    expect(ids.size).toBe(tokens.length);
    // 2,000 x 42 uniformly drawn characters use the whole base64url alphabet.
    expect(characters.size).toBe(64);
  });

  it('create returns a token in that format, once; the record holds no secret', () => {
    const tokens = new TokenService(open());
    const { token, record } = tokens.create({ name: 'ci', role: 'operator' });
    expect(token).toMatch(TOKEN_PATTERN);
    expect(parseToken(token)?.id).toBe(record.id);
    expect(record).toEqual({
      id: record.id,
      name: 'ci',
      role: 'operator',
      source: 'created',
      createdAt: expect.any(Date),
      lastUsedAt: null,
      revokedAt: null,
      scope: null,
      environments: null,
    });
    expect(JSON.stringify(tokens.list())).not.toContain(parseToken(token)?.secret);
  });
});

describe('storage', () => {
  it('keeps only the SHA-256 of each token: the secret is nowhere in the database files', () => {
    const db = open();
    const tokens = new TokenService(db);
    const admin = tokens.ensureAdmin();
    if (admin.outcome !== 'created') throw new Error(admin.outcome);
    const created = (['viewer', 'operator', 'admin'] as const).map((role) =>
      tokens.create({ name: `t-${role}`, role }),
    );
    const all = [...created.map((c) => c.token), admin.token];

    const check = (bytes: Buffer): void => {
      for (const token of all) {
        const secret = parseToken(token)?.secret ?? '';
        const secretBytes = Buffer.from(secret, 'base64url');
        expect(bytes.includes(token)).toBe(false);
        expect(bytes.includes(secret)).toBe(false);
        expect(bytes.includes(secret.slice(0, 16))).toBe(false);
        expect(bytes.includes(secretBytes)).toBe(false);
        expect(bytes.includes(secretBytes.toString('hex'))).toBe(false);
        // What is there instead: the hash, and the public id.
        expect(bytes.includes(createHash('sha256').update(token).digest())).toBe(true);
        expect(bytes.includes(parseToken(token)?.id ?? '-')).toBe(true);
      }
    };
    check(storedBytes()); // while open: the WAL holds the recent writes
    db.close();
    check(storedBytes()); // after the checkpoint on close
  });

  it('makes the data directory 0700 and the database file 0600', () => {
    const nested = join(dataDir, 'a', 'b');
    const db = BerthDatabase.open({ dataDir: nested });
    opened.push(db);
    expect(readdirSync(nested)).toContain('berth.db');
    expect(statSync(nested).mode & 0o777).toBe(0o700);
    expect(statSync(db.path).mode & 0o777).toBe(0o600);
  });
});

function label(value: unknown): string {
  return typeof value === 'string' ? value.slice(0, 80) : Object.prototype.toString.call(value);
}

describe('verify', () => {
  it('accepts the right token and answers its record, role included', () => {
    const tokens = new TokenService(open());
    for (const role of ['viewer', 'operator', 'admin'] as const) {
      const { token, record } = tokens.create({ name: `n-${role}`, role });
      expect(tokens.verify(token)).toMatchObject({ id: record.id, name: `n-${role}`, role });
    }
  });

  it('refuses a wrong secret, an unknown id, a revoked token, and anything malformed', () => {
    const tokens = new TokenService(open());
    const { token, record } = tokens.create({ name: 'ci', role: 'admin' });
    const other = tokens.create({ name: 'other', role: 'admin' });
    const revoked = tokens.create({ name: 'gone', role: 'admin' });
    tokens.revoke('gone');
    const secret = parseToken(token)?.secret ?? '';
    const flipped = secret.slice(0, -2) + (secret.at(-2) === 'A' ? 'B' : 'A') + secret.at(-1);

    const refused: unknown[] = [
      `berth_${record.id}_${flipped}`, // one character off
      `berth_${record.id}_${parseToken(other.token)?.secret}`, // another token's secret
      `berth_${parseToken(other.token)?.id}_${secret}`, // another token's id
      `berth_000000000000_${secret}`, // unknown id
      generateToken(), // well-formed, never stored
      revoked.token,
      '',
      ' ',
      'constructor',
      '__proto__',
      'toString',
      'hasOwnProperty',
      'null',
      'undefined',
      'berth_',
      `Bearer ${token}`,
      ` ${token}`,
      `${token} `,
      `${token}\n`,
      `${token}x`,
      token.slice(0, -1),
      token.toUpperCase(),
      token.replace('berth_', 'Berth_'),
      token.replace('berth_', 'berth-'),
      token.replace('berth_', 'other_'),
      `berth_${record.id.toUpperCase()}_${secret}`,
      createHash('sha256').update(token).digest('hex'),
      `berth_${record.id}_${secret.slice(0, 42)}=`,
      `berth_${record.id}_${secret.slice(0, 42)}\u0000`,
      'x'.repeat(TOKEN_LENGTH),
      'x'.repeat(10 * 1024 * 1024),
      token.repeat(1000),
      null,
      undefined,
      42,
      {},
      [token],
      { toString: () => token },
      Object.create(null),
    ];
    for (const presented of refused) expect(tokens.verify(presented), label(presented)).toBeNull();
    expect(tokens.verify(token)?.id).toBe(record.id);
  });

  it('refuses malformed input before any lookup, however long', () => {
    const db = open();
    // Counts every statement the service runs (it prepares them all in its constructor).
    let statements = 0;
    const prepare = db.prepare.bind(db);
    db.prepare = ((sql: string) => {
      const statement = prepare(sql);
      for (const method of ['get', 'all', 'run', 'iterate'] as const) {
        const original = statement[method].bind(statement) as (...args: unknown[]) => unknown;
        Object.assign(statement, {
          [method]: (...args: unknown[]) => ((statements += 1), original(...args)),
        });
      }
      return statement;
    }) as typeof db.prepare;
    const tokens = new TokenService(db);
    tokens.create({ name: 'ci', role: 'viewer' });
    const huge = 'berth_'.repeat(5 * 1024 * 1024);
    statements = 0;
    for (let i = 0; i < 100; i++) expect(tokens.verify(huge)).toBeNull();
    expect(statements).toBe(0);
    // A well-formed token is looked up, and counted.
    expect(tokens.verify(generateToken())).toBeNull();
    expect(statements).toBeGreaterThan(0);
    // How long a refusal takes is benchmark B8's figure (bench/b8-in-process.ts), not a test's.
  });

  it('writes lastUsedAt at most once per interval', () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const tokens = new TokenService(open(), { now: () => now });
    const { token } = tokens.create({ name: 'ci', role: 'viewer' });
    expect(tokens.verify(token)?.lastUsedAt?.getTime()).toBe(now);
    const first = now;
    now += 59_000;
    expect(tokens.verify(token)?.lastUsedAt?.getTime()).toBe(first);
    expect(tokens.get('ci').lastUsedAt?.getTime()).toBe(first);
    now += 1_000;
    expect(tokens.verify(token)?.lastUsedAt?.getTime()).toBe(now);
    expect(tokens.get('ci').lastUsedAt?.getTime()).toBe(now);
  });
});

describe('create, list and revoke', () => {
  it('lists tokens oldest first, revoked ones marked, never a secret or a hash', () => {
    const tokens = new TokenService(open());
    const a = tokens.create({ name: 'a', role: 'viewer' });
    const b = tokens.create({ name: 'b', role: 'operator' });
    tokens.revoke('a');
    const list = tokens.list();
    expect(list.map((r) => [r.name, r.revokedAt === null])).toEqual([
      ['a', false],
      ['b', true],
    ]);
    expect(tokens.list({ active: true }).map((r) => r.name)).toEqual(['b']);
    const text = JSON.stringify(list);
    for (const { token } of [a, b]) {
      expect(text).not.toContain(parseToken(token)?.secret);
      expect(text).not.toContain(createHash('sha256').update(token).digest('hex'));
    }
    for (const record of list)
      expect(Object.keys(record).sort()).toEqual([
        'createdAt',
        'environments',
        'id',
        'lastUsedAt',
        'name',
        'revokedAt',
        'role',
        'scope',
        'source',
      ]);
  });

  it('revokes by id and by name; the name is free again afterwards', () => {
    const tokens = new TokenService(open());
    const byId = tokens.create({ name: 'one', role: 'viewer' });
    const byName = tokens.create({ name: 'two', role: 'viewer' });
    const seen: string[] = [];
    tokens.onRevoked((record) => seen.push(record.id));

    const revokedById = tokens.revoke(byId.record.id);
    expect(revokedById.revokedAt).toBeInstanceOf(Date);
    expect(tokens.revoke('two').id).toBe(byName.record.id);
    expect(tokens.verify(byId.token)).toBeNull();
    expect(tokens.verify(byName.token)).toBeNull();
    expect(tokens.isActive(byId.record.id)).toBe(false);
    expect(seen).toEqual([byId.record.id, byName.record.id]);

    // Again by id: nothing changes, nobody is told twice.
    expect(tokens.revoke(byId.record.id).revokedAt).toEqual(revokedById.revokedAt);
    expect(seen).toHaveLength(2);
    // By name, a revoked token is gone: names are for active tokens.
    expect(() => tokens.revoke('two')).toThrow(TokenNotFoundError);

    const again = tokens.create({ name: 'two', role: 'admin' });
    expect(tokens.verify(again.token)?.role).toBe('admin');
    expect(tokens.isActive(again.record.id)).toBe(true);
  });

  it('answers TOKEN_NOT_FOUND for an unknown id or name', () => {
    const tokens = new TokenService(open());
    for (const reference of ['000000000000', 'nobody', 'constructor', '__proto__']) {
      expect(() => tokens.revoke(reference)).toThrow(TokenNotFoundError);
      try {
        tokens.revoke(reference);
      } catch (error) {
        expect((error as TokenNotFoundError).code).toBe('TOKEN_NOT_FOUND');
      }
    }
  });

  it('refuses to revoke by the token itself, without echoing it', () => {
    const tokens = new TokenService(open());
    const { token } = tokens.create({ name: 'ci', role: 'viewer' });
    const refused = invalidInput(() => tokens.revoke(token));
    expect(refused.field).toBe('reference');
    expect(refused.message).not.toContain(parseToken(token)?.secret);
    expect(invalidInput(() => tokens.revoke('')).field).toBe('reference');
    expect(invalidInput(() => tokens.revoke('x'.repeat(65))).field).toBe('reference');
  });

  it.each([
    [{ name: '', role: 'viewer' }, 'name'],
    [{ name: 'has space', role: 'viewer' }, 'name'],
    [{ name: 'x'.repeat(65), role: 'viewer' }, 'name'],
    [{ name: '-dash', role: 'viewer' }, 'name'],
    [{ name: 'berth_ci', role: 'viewer' }, 'name'],
    [{ name: 'abcdef012345', role: 'viewer' }, 'name'],
    [{ name: INITIAL_ADMIN_NAME, role: 'admin' }, 'name'],
    [{ name: ENVIRONMENT_ADMIN_NAME, role: 'admin' }, 'name'],
    [{ name: 'ok', role: 'root' }, 'role'],
    [{ name: 'ok', role: 'Admin' }, 'role'],
    [{ name: 'ok', role: 'constructor' }, 'role'],
    [{ name: 'ok', role: '__proto__' }, 'role'],
    [{ name: 'ok', role: '' }, 'role'],
  ])('create refuses %o naming %s', (input, field) => {
    const tokens = new TokenService(open());
    expect(invalidInput(() => tokens.create(input as { name: string; role: Role })).field).toBe(field);
    expect(
      invalidInput(() =>
        tokens.createDeploy({
          name: 'ci',
          operation: 'SYNC_STACK',
          target: 'shop',
          environment: 'Edge Host',
        }),
      ).field,
    ).toBe('environment');
    expect(tokens.list()).toEqual([]);
  });

  it('refuses a second active token of the same name', () => {
    const tokens = new TokenService(open());
    tokens.create({ name: 'ci', role: 'viewer' });
    expect(invalidInput(() => tokens.create({ name: 'ci', role: 'admin' })).field).toBe('name');
    expect(tokens.list()).toHaveLength(1);
  });
});

describe('deploy tokens', () => {
  it('keep their scope, have no role (hasRole false for each), and may only do that one thing', () => {
    const tokens = new TokenService(open());
    const { token, record } = tokens.createDeploy({
      name: 'ci-shop',
      operation: 'REDEPLOY_STACK',
      target: 'shop',
      environment: 'local',
    });
    expect(record.scope).toEqual({ operation: 'REDEPLOY_STACK', target: 'shop' });
    // Held to its target's environment: the same name elsewhere is out of its reach.
    expect(record.environments).toEqual(['local']);
    const verified = tokens.verify(token);
    expect(verified?.scope).toEqual({ operation: 'REDEPLOY_STACK', target: 'shop' });
    const principal = { tokenId: record.id, name: record.name, role: record.role, scope: record.scope };
    for (const role of ['viewer', 'operator', 'admin'] as const) expect(hasRole(principal, role)).toBe(false);
    expect(mayDeploy(principal, { operation: 'REDEPLOY_STACK', target: 'shop' })).toBe(true);
    expect(mayDeploy(principal, { operation: 'REDEPLOY_STACK', target: 'shop2' })).toBe(false);
    expect(mayDeploy(principal, { operation: 'SYNC_STACK', target: 'shop' })).toBe(false);
    expect(
      mayDeploy({ ...principal, scope: null, role: 'admin' }, { operation: 'SYNC_STACK', target: 'shop' }),
    ).toBe(false);
    expect(forbiddenFor(principal, 'viewer').message).toContain('redeployStack(name: "shop")');
    expect(tokens.list().map((listed) => listed.scope)).toEqual([
      { operation: 'REDEPLOY_STACK', target: 'shop' },
    ]);
    // A deploy token is no admin: the first start still makes one.
    expect(tokens.ensureAdmin().outcome).toBe('created');
    expect(tokens.revoke('ci-shop').revokedAt).not.toBeNull();
    expect(tokens.verify(token)).toBeNull();
  });

  it('refuses an unknown operation or a target that is not a name', () => {
    const tokens = new TokenService(open());
    const make = (operation: string, target: string) => () =>
      tokens.createDeploy({ name: 'ci', operation: operation as 'SYNC_STACK', target, environment: 'local' });
    expect(invalidInput(make('DELETE_EVERYTHING', 'shop')).field).toBe('operation');
    for (const target of ['', '../x', 'a b', '-x', 'x'.repeat(200)]) {
      expect(invalidInput(make('SYNC_STACK', target)).field).toBe('target');
    }
    expect(tokens.list()).toEqual([]);
  });
});

describe('ensureAdmin', () => {
  it('makes an admin token on the first start only, across reopening', () => {
    const first = new TokenService(open()).ensureAdmin();
    if (first.outcome !== 'created') throw new Error(first.outcome);
    expect(first.record).toMatchObject({ name: INITIAL_ADMIN_NAME, role: 'admin', source: 'generated' });
    opened.splice(0).forEach((db) => db.close());

    for (let start = 0; start < 3; start++) {
      const tokens = new TokenService(open());
      expect(tokens.ensureAdmin()).toEqual({ outcome: 'existing' });
      expect(tokens.list()).toHaveLength(1);
      expect(tokens.verify(first.token)?.role).toBe('admin');
      opened.splice(0).forEach((db) => db.close());
    }
  });

  it('makes one again only when no active admin token is left', () => {
    const tokens = new TokenService(open());
    tokens.create({ name: 'viewer', role: 'viewer' });
    const first = tokens.ensureAdmin();
    expect(first.outcome).toBe('created');
    tokens.revoke(INITIAL_ADMIN_NAME);
    const second = tokens.ensureAdmin();
    if (second.outcome !== 'created') throw new Error(second.outcome);
    expect(tokens.verify(second.token)?.role).toBe('admin');
    expect(tokens.list({ active: true }).map((r) => r.role)).toEqual(['viewer', 'admin']);
  });

  it('stores BERTH_ADMIN_TOKEN as a hash, returns nothing to print, and makes no other admin', () => {
    const supplied = generateToken();
    const tokens = new TokenService(open());
    const result = tokens.ensureAdmin({ adminToken: supplied });
    expect(result).toEqual({ outcome: 'supplied', stored: true, record: expect.any(Object) });
    expect(JSON.stringify(result)).not.toContain(parseToken(supplied)?.secret);
    expect(result.outcome === 'supplied' && result.record).toMatchObject({
      id: parseToken(supplied)?.id,
      name: ENVIRONMENT_ADMIN_NAME,
      role: 'admin',
      source: 'environment',
    });
    expect(tokens.verify(supplied)?.role).toBe('admin');
    expect(tokens.list()).toHaveLength(1);
    expect(storedBytes().includes(parseToken(supplied)?.secret ?? '')).toBe(false);
    opened.splice(0).forEach((db) => db.close());

    // The next start with the same value finds it.
    const reopened = new TokenService(open());
    expect(reopened.ensureAdmin({ adminToken: supplied })).toMatchObject({
      outcome: 'supplied',
      stored: false,
    });
    expect(reopened.list()).toHaveLength(1);
  });

  it('replaces the previous BERTH_ADMIN_TOKEN when the value changes, and refuses a revoked one', () => {
    const tokens = new TokenService(open());
    const old = generateToken();
    const current = generateToken();
    tokens.ensureAdmin({ adminToken: old });
    tokens.ensureAdmin({ adminToken: current });
    expect(tokens.verify(old)).toBeNull();
    expect(tokens.verify(current)?.role).toBe('admin');
    expect(tokens.list({ active: true })).toHaveLength(1);

    expect(invalidInput(() => tokens.ensureAdmin({ adminToken: old })).field).toBe('BERTH_ADMIN_TOKEN');
    expect(tokens.verify(old)).toBeNull();
  });

  it('refuses a malformed or non-random BERTH_ADMIN_TOKEN without echoing it', () => {
    const tokens = new TokenService(open());
    const valid = generateToken();
    const id = parseToken(valid)?.id ?? '';
    for (const adminToken of [
      '',
      'secret',
      'constructor',
      valid.slice(0, -1),
      `${valid}x`,
      `berth_${id}_${'A'.repeat(43)}`, // not random
      `berth_${id}_${'abcdefghij'.repeat(4)}abc`, // not the base64url of 32 bytes (last char)
    ]) {
      const refused = invalidInput(() => tokens.ensureAdmin({ adminToken }));
      expect(refused.field).toBe('BERTH_ADMIN_TOKEN');
      if (adminToken.length > 8) expect(refused.message).not.toContain(adminToken);
    }
    expect(tokens.list()).toEqual([]);
  });

  it('is read from the environment by loadConfig, checked there without echoing it', () => {
    const valid = generateToken();
    expect(loadConfig({ BERTH_ADMIN_TOKEN: valid }).adminToken).toBe(valid);
    expect(loadConfig({}).adminToken).toBeUndefined();
    const bad = `berth_${parseToken(valid)?.id}_${'A'.repeat(43)}`;
    expect(() => loadConfig({ BERTH_ADMIN_TOKEN: bad })).toThrow(ConfigError);
    expect(() => loadConfig({ BERTH_ADMIN_TOKEN: bad })).toThrow('BERTH_ADMIN_TOKEN');
    try {
      loadConfig({ BERTH_ADMIN_TOKEN: bad });
    } catch (error) {
      expect((error as Error).message).not.toContain(bad);
    }
    expect(loadConfig({ BERTH_DATA_DIR: 'var/berth' }).dataDir).toBe(join(process.cwd(), 'var/berth'));
    expect(loadConfig({}).dataDir).toBe(join(process.cwd(), 'data'));
  });
});

describe('the database under BERTH_DATA_DIR', () => {
  it('applies each migration once, in order, however often it is opened', () => {
    const first = open();
    expect(first.migrations).toEqual({
      applied: MIGRATIONS.map((m) => `${m.version} ${m.name}`),
      version: MIGRATIONS.at(-1)?.version,
    });
    new TokenService(first).create({ name: 'kept', role: 'viewer' });
    first.close();
    for (let i = 0; i < 3; i++) {
      const db = open();
      expect(db.migrations).toEqual({ applied: [], version: MIGRATIONS.at(-1)?.version });
      const rows = db.prepare<[], { version: number }>('SELECT version FROM schema_migrations').all();
      expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
      expect(new TokenService(db).list().map((r) => r.name)).toEqual(['kept']);
      db.close();
    }
  });

  it('uses WAL, and close() is safe to call twice', () => {
    const db = open();
    expect(db.prepare<[], { journal_mode: string }>('PRAGMA journal_mode').get()?.journal_mode).toBe('wal');
    db.close();
    db.close();
    expect(db.isOpen).toBe(false);
  });

  it('applies a migration appended later, and only that one', () => {
    open().close();
    const later = [
      ...MIGRATIONS,
      { version: 1000, name: 'later feature', up: 'CREATE TABLE later (x INTEGER)' },
    ];
    const db = BerthDatabase.open({ dataDir, migrations: later });
    opened.push(db);
    expect(db.migrations).toEqual({ applied: ['1000 later feature'], version: 1000 });
    db.prepare('INSERT INTO later (x) VALUES (1)').run();
  });

  it('rolls a failing migration back whole, and records nothing of it', () => {
    const broken = [
      ...MIGRATIONS,
      { version: 1000, name: 'broken', up: 'CREATE TABLE half (x INTEGER); INSERT INTO nowhere VALUES (1);' },
    ];
    expect(() => BerthDatabase.open({ dataDir, migrations: broken })).toThrow(/nowhere/);
    const db = open();
    expect(db.migrations.version).toBe(MIGRATIONS.at(-1)?.version);
    const half = db.prepare("SELECT name FROM sqlite_master WHERE name = 'half'").get();
    expect(half).toBeUndefined();
  });

  it('refuses a database a newer berth migrated, and migrations out of order', () => {
    const newer = [...MIGRATIONS, { version: 1000, name: 'from the future', up: 'SELECT 1' }];
    BerthDatabase.open({ dataDir, migrations: newer }).close();
    expect(() => BerthDatabase.open({ dataDir })).toThrow(DatabaseError);
    expect(() => BerthDatabase.open({ dataDir })).toThrow(/from the future/);

    const other = mkdtempSync(join(tmpdir(), 'berth-order-'));
    try {
      const swapped = [MIGRATIONS[1], MIGRATIONS[0]].filter((m) => m !== undefined);
      expect(() => BerthDatabase.open({ dataDir: other, migrations: swapped })).toThrow(/out of order/);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});

describe('npm run token (src/token.ts), end to end', () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));

  function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const env: NodeJS.ProcessEnv = { ...process.env, BERTH_DATA_DIR: dataDir };
    delete env['BERTH_ADMIN_TOKEN'];
    return new Promise((resolve) => {
      execFile('npx', ['tsx', 'src/token.ts', ...args], { cwd: root, env }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      });
    });
  }

  it('creates (printing the token once), lists, and revokes by name and by id', async () => {
    // The server's service is open on the same file all along, as when berth is running.
    const tokens = new TokenService(open());

    const created = await cli('create', '--name', 'ci', '--role', 'operator');
    expect(created.code).toBe(0);
    const token = created.stdout.trim();
    expect(token).toMatch(TOKEN_PATTERN);
    expect(created.stderr).toContain('only time');
    expect(created.stderr).not.toContain(token);
    expect(tokens.verify(token)).toMatchObject({ name: 'ci', role: 'operator' });

    const second = await cli('create', '--name', 'deploy', '--role', 'admin');
    const deployId = parseToken(second.stdout.trim())?.id ?? '';

    const listed = await cli('list');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^ID\s+NAME\s+ROLE\s+CREATED\s+LAST USED\s+REVOKED$/m);
    expect(listed.stdout).toMatch(new RegExp(`^${parseToken(token)?.id}\\s+ci\\s+operator\\s`, 'm'));
    expect(listed.stdout).not.toContain(parseToken(token)?.secret);
    const json = await cli('list', '--json');
    expect((JSON.parse(json.stdout) as { name: string }[]).map((r) => r.name)).toEqual(['ci', 'deploy']);
    expect(json.stdout).not.toContain(parseToken(token)?.secret);

    const byName = await cli('revoke', 'ci');
    expect(byName).toMatchObject({ code: 0 });
    expect(byName.stdout).toContain('revoked token');
    expect(tokens.verify(token)).toBeNull();
    expect((await cli('revoke', deployId)).code).toBe(0);
    expect(tokens.list({ active: true })).toEqual([]);

    const deployToken = await cli(
      'create-deploy',
      '--name',
      'ci-shop',
      '--operation',
      'REDEPLOY_STACK',
      '--target',
      'shop',
    );
    expect(deployToken.code).toBe(0);
    expect(tokens.verify(deployToken.stdout.trim())?.scope).toEqual({
      operation: 'REDEPLOY_STACK',
      target: 'shop',
    });
    expect((await cli('list')).stdout).toMatch(/\sci-shop\s+deploy REDEPLOY_STACK shop\s/);
    expect((await cli('revoke', 'ci-shop')).code).toBe(0);

    const generated = await cli('generate');
    expect(generated.stdout.trim()).toMatch(TOKEN_PATTERN);
    expect(tokens.list()).toHaveLength(3);

    // Limited to environments berth knows (here only `local`): an unknown name is refused.
    const limited = await cli(
      'create',
      '--name',
      'local-only',
      '--role',
      'viewer',
      '--environments',
      'local',
    );
    expect(limited.code).toBe(0);
    expect(tokens.verify(limited.stdout.trim())?.environments).toEqual(['local']);
    expect((await cli('list')).stdout).toMatch(/\slocal-only\s+viewer in local\s/);
    const unknown = await cli(
      'create',
      '--name',
      'edge-only',
      '--role',
      'viewer',
      '--environments',
      'local,edge',
    );
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no environment is named "edge"');
  }, 60_000);

  it('exits 1 when the token is not there, 2 on a wrong command, with a clear message', async () => {
    const results = await Promise.all([
      cli('revoke', 'nobody'),
      cli(),
      cli('bogus'),
      cli('create', '--name', 'ci'),
      cli('create', '--name', 'ci', '--role', 'root'),
      cli('create', '--name', 'bad name', '--role', 'viewer'),
      cli('create', '--name', 'ci', '--role', 'viewer', '--colour', 'red'),
      cli('revoke'),
      cli('list', 'extra'),
    ]);
    const [notFound, none, bogus, noRole, badRole, badName, unknownOption, noReference, extra] = results;
    expect(notFound).toMatchObject({ code: 1, stdout: '' });
    expect(notFound?.stderr).toContain('no API token with id or name "nobody"');
    for (const result of [none, bogus, noRole, badRole, badName, unknownOption, noReference, extra]) {
      expect(result?.code, result?.stderr).toBe(2);
      expect(result?.stdout).toBe('');
    }
    expect(none?.stderr).toContain('usage: npm run token');
    expect(bogus?.stderr).toContain('unknown command "bogus"');
    expect(noRole?.stderr).toContain('create needs --role');
    expect(badRole?.stderr).toContain('role: expected one of viewer, operator, admin');
    expect(badName?.stderr).toContain('name: expected');
    expect(unknownOption?.stderr).toContain('--colour');
    expect(new TokenService(open()).list()).toEqual([]);
  }, 60_000);
});

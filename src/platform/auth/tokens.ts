import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { InvalidInputError, TokenNotFoundError } from '../../shared/errors.js';
import { environmentNameProblem } from '../../shared/validation.js';
import type { BerthDatabase } from '../store/database.js';

/**
 * API tokens: `berth_<id>_<secret>`, where `id` is 6 random bytes in hex (public: it names the
 * token in lists, logs and the audit log) and `secret` is 32 random bytes in base64url. The whole
 * token is shown once, by `create`; the database keeps only its SHA-256. A presented token is
 * looked up by its id, then the SHA-256 of what was presented is compared with the stored one by
 * `crypto.timingSafeEqual`, so the time taken says nothing about how much of the secret was right.
 * A plain hash is enough: the secret has 256 random bits, nothing a slow hash would protect.
 */

export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const TOKEN_PREFIX = 'berth_';
export const TOKEN_PATTERN = /^berth_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;
export const TOKEN_LENGTH = TOKEN_PREFIX.length + 12 + 1 + 43;
const ID_PATTERN = /^[0-9a-f]{12}$/;
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * What a deploy token may do: one operation on one thing, for a CI job. It has no role: every
 * other field and route refuses it (hasRole is false for it whatever role the row holds).
 */
export const DEPLOY_OPERATIONS = ['REDEPLOY_STACK', 'SYNC_STACK', 'REDEPLOY_CONTAINER'] as const;
export type DeployOperation = (typeof DEPLOY_OPERATIONS)[number];

export interface DeployScope {
  operation: DeployOperation;
  /** The stack's name (REDEPLOY_STACK, SYNC_STACK) or the container's name (REDEPLOY_CONTAINER). */
  target: string;
}

/** A stack or container name as Docker and Compose allow them; the API checks each kind's own rule too. */
const TARGET_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** Names of the admin tokens berth stores itself; `create` refuses them. */
export const INITIAL_ADMIN_NAME = 'initial-admin';
export const ENVIRONMENT_ADMIN_NAME = 'env-admin';

/** How a token came to be: `npm run token`/the API, the first start, or BERTH_ADMIN_TOKEN. */
export type TokenSource = 'created' | 'generated' | 'environment';

/** A token as anyone may see it: never the secret, never its hash. */
export interface TokenRecord {
  id: string;
  name: string;
  role: Role;
  source: TokenSource;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  /** For a deploy token, the one thing it may do; null for a role token. */
  scope: DeployScope | null;
  /** The environments (Docker hosts) the token is limited to; null: every one. */
  environments: string[] | null;
}

export type EnsureAdminResult =
  /** No active admin token existed: this one was made, and `token` must be shown now, once. */
  | { outcome: 'created'; token: string; record: TokenRecord }
  /** BERTH_ADMIN_TOKEN's hash is stored (`stored`: by this call); the previous one is revoked. */
  | { outcome: 'supplied'; record: TokenRecord; stored: boolean }
  /** An active admin token exists already; nothing was done. */
  | { outcome: 'existing' };

export interface TokenServiceOptions {
  /** Milliseconds since the epoch; for tests. */
  now?: () => number;
  /** `lastUsedAt` is written at most this often per token, so verifying stays a read. */
  touchIntervalMs?: number;
}

interface TokenRow {
  id: string;
  name: string;
  role: Role;
  source: TokenSource;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
  scope_operation: DeployOperation | null;
  scope_target: string | null;
  environments: string | null;
}

const COLUMNS =
  'id, name, role, source, created_at, last_used_at, revoked_at, scope_operation, scope_target, environments';
/** Compared against when the id is unknown, so that path costs what a wrong secret costs. */
const NO_HASH = Buffer.alloc(32);

/** Splits a presented token into id and secret, or null for anything not shaped like one. */
export function parseToken(presented: unknown): { id: string; secret: string } | null {
  // The length test first: a huge or non-string input is refused before any other work.
  if (typeof presented !== 'string' || presented.length !== TOKEN_LENGTH) return null;
  const match = TOKEN_PATTERN.exec(presented);
  if (!match) return null;
  const [, id = '', secret = ''] = match;
  return { id, secret };
}

/**
 * Why a token supplied from outside (BERTH_ADMIN_TOKEN) is unfit, or null when it is fit: the
 * format, then the secret must be what base64url of 32 bytes gives and not a typed placeholder.
 */
export function suppliedTokenProblem(text: string): string | null {
  const parsed = parseToken(text);
  if (!parsed)
    return 'expected a token as `npm run token -- generate` prints it (berth_<12 hex>_<43 base64url>)';
  if (Buffer.from(parsed.secret, 'base64url').toString('base64url') !== parsed.secret) {
    return 'the secret is not the base64url of 32 bytes; use `npm run token -- generate`';
  }
  // 43 random base64url characters have about 31 distinct ones; fewer than 16 is not random.
  if (new Set(parsed.secret).size < 16) return 'the secret is not random; use `npm run token -- generate`';
  return null;
}

/** A new token's text, stored nowhere; for BERTH_ADMIN_TOKEN, or by `create`. */
export function generateToken(): string {
  return `${TOKEN_PREFIX}${randomBytes(6).toString('hex')}_${randomBytes(32).toString('base64url')}`;
}

function hashOf(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

function toRecord(row: TokenRow): TokenRecord {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    source: row.source,
    createdAt: new Date(row.created_at),
    lastUsedAt: row.last_used_at === null ? null : new Date(row.last_used_at),
    revokedAt: row.revoked_at === null ? null : new Date(row.revoked_at),
    scope:
      row.scope_operation === null || row.scope_target === null
        ? null
        : { operation: row.scope_operation, target: row.scope_target },
    environments: row.environments === null ? null : (JSON.parse(row.environments) as string[]),
  };
}

/** A token's environment limit: null for every one, else 1 to 100 names, each once. */
function checkEnvironments(environments: readonly string[] | null | undefined): string[] | null {
  if (environments == null) return null;
  if (environments.length === 0 || environments.length > 100) {
    throw new InvalidInputError(
      'environments',
      'give 1 to 100 environment names, or none (null) for every environment',
    );
  }
  for (const name of environments) {
    if (typeof name !== 'string' || environmentNameProblem(name) !== null) {
      throw new InvalidInputError(
        'environments',
        'an environment name is lowercase letters, digits, dashes and underscores',
      );
    }
  }
  return [...new Set(environments)];
}

function checkScope(scope: { operation: unknown; target: unknown }): DeployScope {
  const { operation, target } = scope;
  if (typeof operation !== 'string' || !(DEPLOY_OPERATIONS as readonly string[]).includes(operation)) {
    throw new InvalidInputError('operation', `expected one of ${DEPLOY_OPERATIONS.join(', ')}`);
  }
  if (typeof target !== 'string' || !TARGET_PATTERN.test(target)) {
    throw new InvalidInputError(
      'target',
      'expected a stack or container name: letters, digits, ".", "_" or "-", starting with a letter or digit',
    );
  }
  return { operation: operation as DeployOperation, target };
}

function checkRole(role: unknown): Role {
  if (typeof role === 'string' && (ROLES as readonly string[]).includes(role)) return role as Role;
  throw new InvalidInputError('role', `expected one of ${ROLES.join(', ')}`);
}

function checkName(name: unknown): string {
  if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
    throw new InvalidInputError(
      'name',
      'expected 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit',
    );
  }
  if (name.startsWith(TOKEN_PREFIX))
    throw new InvalidInputError('name', `a name may not start with "${TOKEN_PREFIX}"`);
  // A name shaped like an id would make `revoke <id|name>` ambiguous.
  if (ID_PATTERN.test(name))
    throw new InvalidInputError('name', 'a name may not look like a token id (12 hex digits)');
  if (name === INITIAL_ADMIN_NAME || name === ENVIRONMENT_ADMIN_NAME) {
    throw new InvalidInputError('name', `"${name}" is reserved for the admin token berth stores itself`);
  }
  return name;
}

function prepareStatements(db: BerthDatabase) {
  return {
    insert: db.prepare<
      [
        string,
        string,
        Role,
        Buffer,
        TokenSource,
        number,
        DeployOperation | null,
        string | null,
        string | null,
      ]
    >(
      'INSERT INTO api_tokens (id, name, role, hash, source, created_at, scope_operation, scope_target, environments) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    byId: db.prepare<[string], TokenRow>(`SELECT ${COLUMNS} FROM api_tokens WHERE id = ?`),
    hashById: db.prepare<[string], TokenRow & { hash: Buffer }>(
      `SELECT ${COLUMNS}, hash FROM api_tokens WHERE id = ?`,
    ),
    activeByName: db.prepare<[string], TokenRow>(
      `SELECT ${COLUMNS} FROM api_tokens WHERE name = ? AND revoked_at IS NULL`,
    ),
    activeBySource: db.prepare<[TokenSource], TokenRow>(
      `SELECT ${COLUMNS} FROM api_tokens WHERE source = ? AND revoked_at IS NULL`,
    ),
    all: db.prepare<[], TokenRow>(`SELECT ${COLUMNS} FROM api_tokens ORDER BY created_at, rowid`),
    active: db.prepare<[], TokenRow>(
      `SELECT ${COLUMNS} FROM api_tokens WHERE revoked_at IS NULL ORDER BY created_at, rowid`,
    ),
    anyActiveAdmin: db.prepare<[], { id: string }>(
      "SELECT id FROM api_tokens WHERE role = 'admin' AND scope_operation IS NULL AND revoked_at IS NULL LIMIT 1",
    ),
    revoke: db.prepare<[number, string]>(
      'UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL',
    ),
    touch: db.prepare<[number, string]>('UPDATE api_tokens SET last_used_at = ? WHERE id = ?'),
  };
}

export class TokenService {
  readonly #db: BerthDatabase;
  readonly #statements: ReturnType<typeof prepareStatements>;
  readonly #now: () => number;
  readonly #touchIntervalMs: number;
  readonly #revokedListeners = new Set<(record: TokenRecord) => void>();

  constructor(db: BerthDatabase, options: TokenServiceOptions = {}) {
    this.#db = db;
    this.#statements = prepareStatements(db);
    this.#now = options.now ?? Date.now;
    this.#touchIntervalMs = options.touchIntervalMs ?? 60_000;
  }

  /** Makes a token; the returned `token` is the only time its secret exists outside the caller. */
  /**
   * Makes a token; the returned `token` is the only time its secret exists outside the caller.
   * `environments` limits it to those environments (their names are the caller's to check exist).
   */
  create(input: { name: string; role: Role; environments?: readonly string[] | null | undefined }): {
    token: string;
    record: TokenRecord;
  } {
    const name = checkName(input.name);
    const role = checkRole(input.role);
    const environments = checkEnvironments(input.environments);
    return this.#db.transaction(() => {
      if (this.#statements.activeByName.get(name)) {
        throw new InvalidInputError('name', `an active token is already named "${name}"; revoke it first`);
      }
      return this.#insert(name, role, 'created', null, environments);
    });
  }

  /**
   * Makes a deploy token: its only power is `operation` on `target` (see DeployScope). Its row holds
   * the least role, viewer, and hasRole refuses it every role anyway; the scope is what counts.
   */
  createDeploy(input: { name: string; operation: DeployOperation; target: string; environment: string }): {
    token: string;
    record: TokenRecord;
  } {
    const name = checkName(input.name);
    const scope = checkScope(input);
    // A target is a name, and names repeat across hosts: the token is held to its target's one.
    if (typeof input.environment !== 'string' || environmentNameProblem(input.environment) !== null) {
      throw new InvalidInputError(
        'environment',
        'an environment name is lowercase letters, digits, dashes and underscores',
      );
    }
    const environments = [input.environment];
    return this.#db.transaction(() => {
      if (this.#statements.activeByName.get(name)) {
        throw new InvalidInputError('name', `an active token is already named "${name}"; revoke it first`);
      }
      return this.#insert(name, 'viewer', 'created', scope, environments);
    });
  }

  /** Every token, revoked ones too (with `revokedAt`), oldest first; `active` leaves those out. */
  list(options: { active?: boolean } = {}): TokenRecord[] {
    const rows = options.active ? this.#statements.active.all() : this.#statements.all.all();
    return rows.map(toRecord);
  }

  /** The token with that id, or the active token with that name. */
  get(idOrName: string): TokenRecord {
    return toRecord(this.#resolve(idOrName));
  }

  /**
   * Revokes the token with that id, or the active token with that name; it is refused from then
   * on. Revoking a revoked token (by id) changes nothing and answers it as it is.
   */
  revoke(idOrName: string): TokenRecord {
    const revoked = this.#db.transaction(() => {
      const row = this.#resolve(idOrName);
      if (row.revoked_at !== null) return null;
      const at = this.#now();
      this.#statements.revoke.run(at, row.id);
      return toRecord({ ...row, revoked_at: at });
    });
    if (!revoked) return this.get(idOrName);
    for (const listener of this.#revokedListeners) listener(revoked);
    return revoked;
  }

  /**
   * Calls `listener` after a token is revoked through this service (not by another process, such
   * as `npm run token`: a long-lived session should also re-check with `isActive`).
   */
  onRevoked(listener: (record: TokenRecord) => void): () => void {
    this.#revokedListeners.add(listener);
    return () => this.#revokedListeners.delete(listener);
  }

  /** Whether the token with that id exists and is not revoked; one indexed read. */
  isActive(id: string): boolean {
    const row = ID_PATTERN.test(id) ? this.#statements.byId.get(id) : undefined;
    return row !== undefined && row.revoked_at === null;
  }

  /**
   * The record of the token presented, or null when it is malformed, unknown, wrong or revoked.
   * Records its use at most once per touch interval.
   */
  verify(presented: unknown): TokenRecord | null {
    const parsed = parseToken(presented);
    if (!parsed) return null;
    const row = this.#statements.hashById.get(parsed.id);
    const matches = timingSafeEqual(hashOf(presented as string), row?.hash ?? NO_HASH);
    if (!row || !matches || row.revoked_at !== null) return null;
    const { hash: _hash, ...visible } = row;
    const now = this.#now();
    if (visible.last_used_at === null || now - visible.last_used_at >= this.#touchIntervalMs) {
      this.#statements.touch.run(now, visible.id);
      visible.last_used_at = now;
    }
    return toRecord(visible);
  }

  /**
   * Makes sure an admin can get in. With `adminToken` (BERTH_ADMIN_TOKEN) its hash is stored as
   * the `env-admin` token, replacing the one a previous value stored; nothing is to be printed.
   * Without it, when no active admin token exists (the first start), one is made and returned to
   * be printed once; later calls find it and do nothing.
   */
  ensureAdmin(options: { adminToken?: string | undefined } = {}): EnsureAdminResult {
    const { adminToken } = options;
    if (adminToken === undefined) {
      return this.#db.transaction(() => {
        if (this.#statements.anyActiveAdmin.get()) return { outcome: 'existing' } as const;
        return { outcome: 'created', ...this.#insert(INITIAL_ADMIN_NAME, 'admin', 'generated') } as const;
      });
    }
    const problem = suppliedTokenProblem(adminToken);
    const parsed = parseToken(adminToken);
    if (problem !== null || !parsed) throw new InvalidInputError('BERTH_ADMIN_TOKEN', problem ?? 'malformed');
    const hash = hashOf(adminToken);
    return this.#db.transaction(() => {
      const existing = this.#statements.hashById.get(parsed.id);
      if (existing) {
        if (!timingSafeEqual(existing.hash, hash)) {
          throw new InvalidInputError(
            'BERTH_ADMIN_TOKEN',
            'its id belongs to another token; generate a new one',
          );
        }
        if (existing.revoked_at !== null) {
          throw new InvalidInputError('BERTH_ADMIN_TOKEN', 'this token was revoked; supply a new one');
        }
        const { hash: _hash, ...row } = existing;
        return { outcome: 'supplied', record: toRecord(row), stored: false } as const;
      }
      const now = this.#now();
      for (const previous of this.#statements.activeBySource.all('environment')) {
        this.#statements.revoke.run(now, previous.id);
      }
      this.#statements.insert.run(
        parsed.id,
        ENVIRONMENT_ADMIN_NAME,
        'admin',
        hash,
        'environment',
        now,
        null,
        null,
        null,
      );
      const row = this.#statements.byId.get(parsed.id);
      if (!row) throw new Error(`token ${parsed.id} vanished after insert`);
      return { outcome: 'supplied', record: toRecord(row), stored: true } as const;
    });
  }

  #insert(
    name: string,
    role: Role,
    source: TokenSource,
    scope: DeployScope | null = null,
    environments: string[] | null = null,
  ): { token: string; record: TokenRecord } {
    let token = generateToken();
    // 48 random bits of id: a collision is all but impossible, but costs only another draw.
    while (this.#statements.byId.get(parseToken(token)?.id ?? '')) token = generateToken();
    const id = parseToken(token)?.id ?? '';
    const now = this.#now();
    const operation = scope?.operation ?? null;
    const target = scope?.target ?? null;
    const limit = environments === null ? null : JSON.stringify(environments);
    this.#statements.insert.run(id, name, role, hashOf(token), source, now, operation, target, limit);
    const row: TokenRow = {
      id,
      name,
      role,
      source,
      created_at: now,
      last_used_at: null,
      revoked_at: null,
      scope_operation: operation,
      scope_target: target,
      environments: limit,
    };
    return { token, record: toRecord(row) };
  }

  #resolve(idOrName: string): TokenRow {
    if (typeof idOrName !== 'string' || idOrName.length === 0 || idOrName.length > 64) {
      throw new InvalidInputError('reference', 'expected a token id or name');
    }
    if (idOrName.startsWith(TOKEN_PREFIX)) {
      // Never echoed: it may be a whole token, secret included.
      throw new InvalidInputError('reference', "expected the token's id or name, not the token itself");
    }
    const row = ID_PATTERN.test(idOrName)
      ? this.#statements.byId.get(idOrName)
      : this.#statements.activeByName.get(idOrName);
    if (!row) throw new TokenNotFoundError(idOrName);
    return row;
  }
}

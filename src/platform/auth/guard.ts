import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { AuditLog } from '../audit/log.js';
import { RateLimitedError, UnauthenticatedError, type BerthError } from '../../shared/errors.js';
import { UNAUTHENTICATED_LOCAL, type Principal } from './principal.js';
import type { TokenRecord, TokenService } from './tokens.js';

export interface AuthGuardOptions {
  enabled: boolean;
  requestsPerMinute: number;
  failuresPerMinute: number;
}

/** What a request or connection presented, and where from. */
export interface Presented {
  /** The raw Authorization value (`Bearer …`), or connectionParams.authorization. */
  authorization: unknown;
  address: string;
  /**
   * What was attempted, for the audit log: `POST /graphql`, `websocket`, `DELETE /containers/{id}`.
   * A route's shape, never a raw path: refusals are counted per action, and a flood may vary paths.
   */
  action: string;
}

/** `Bearer <token>`, case-insensitive scheme, as RFC 6750; anything else is no token. */
export function bearerToken(authorization: unknown): string | null {
  if (typeof authorization !== 'string' || authorization.length > 512) return null;
  const match = /^Bearer ([\x21-\x7e]+)$/i.exec(authorization.trim());
  return match?.[1] ?? null;
}

/**
 * The one gate every route passes: it turns presented credentials into a principal or a typed
 * refusal, limits failed attempts per address and requests per token, and audits every denial.
 * It runs before any engine call.
 */
export class AuthGuard {
  readonly #failures: RateLimiterMemory;
  readonly #requests: RateLimiterMemory;

  constructor(
    private readonly tokens: TokenService,
    private readonly audit: AuditLog,
    private readonly options: AuthGuardOptions,
  ) {
    this.#failures = new RateLimiterMemory({ points: options.failuresPerMinute, duration: 60 });
    this.#requests = new RateLimiterMemory({ points: options.requestsPerMinute, duration: 60 });
  }

  get enabled(): boolean {
    return this.options.enabled;
  }

  /**
   * The principal for these credentials; throws UNAUTHENTICATED or RATE_LIMITED (audited). The
   * token is checked first and only failures are counted and limited per address: a valid token
   * is never refused for what others tried from its address (a shared NAT, a proxy), only past
   * its own rate.
   */
  async authenticate(presented: Presented): Promise<Principal> {
    if (!this.options.enabled) return UNAUTHENTICATED_LOCAL;
    const token = bearerToken(presented.authorization);
    const record = token === null ? null : this.tokens.verify(token);
    if (record) {
      const principal = toPrincipal(record);
      await this.admit(principal, presented);
      return principal;
    }
    const blocked = await this.#failures.get(presented.address);
    if (blocked && blocked.consumedPoints >= this.options.failuresPerMinute) {
      throw this.#deny(presented, null, new RateLimitedError(retryAfter(blocked), 'address'));
    }
    await this.#failures.consume(presented.address).catch(() => undefined);
    const reason =
      presented.authorization == null || presented.authorization === ''
        ? 'no token: send Authorization: Bearer <token>'
        : token === null
          ? 'the Authorization value is not "Bearer <token>"'
          : 'the token is not valid (unknown, malformed or revoked)';
    throw this.#deny(presented, null, new UnauthenticatedError(reason));
  }

  /**
   * A credential other than a token failed (a push webhook's signature): counted against the
   * address's failed attempts like a wrong token, and audited. Returns the error to answer with:
   * `error`, or RATE_LIMITED once the address is past its limit.
   */
  async refuse<E extends BerthError>(
    presented: Pick<Presented, 'action' | 'address'>,
    error: E,
  ): Promise<E | RateLimitedError> {
    const attempt = { ...presented, authorization: null };
    const blocked = await this.#failures.get(presented.address);
    if (blocked && blocked.consumedPoints >= this.options.failuresPerMinute) {
      return this.#deny(attempt, null, new RateLimitedError(retryAfter(blocked), 'address'));
    }
    await this.#failures.consume(presented.address).catch(() => undefined);
    return this.#deny(attempt, null, error);
  }

  /** Counts one request against the token's rate; throws RATE_LIMITED (audited) past it. */
  async admit(principal: Principal, presented: Pick<Presented, 'action' | 'address'>): Promise<void> {
    if (!this.options.enabled || principal.tokenId === null) return;
    try {
      await this.#requests.consume(principal.tokenId);
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      throw this.#deny(
        { ...presented, authorization: null },
        principal,
        new RateLimitedError(retryAfter(error), 'token'),
      );
    }
  }

  /** Whether the principal's token still stands (not revoked): checked on every subscribe. */
  isActive(principal: Principal): boolean {
    return principal.tokenId === null || this.tokens.isActive(principal.tokenId);
  }

  onRevoked(listener: (tokenId: string) => void): () => void {
    return this.tokens.onRevoked((record) => listener(record.id));
  }

  /** Records a refusal (authentication, role or rate) and returns the error to throw. */
  deny<E extends BerthError>(
    presented: Pick<Presented, 'action' | 'address'>,
    principal: Principal | null,
    error: E,
  ): E {
    return this.#deny({ ...presented, authorization: null }, principal, error);
  }

  /** Refusals are counted per (address, action, reason, minute): a flood of them adds few rows. */
  #deny<E extends BerthError>(presented: Presented, principal: Principal | null, error: E): E {
    this.audit.recordRefusal({
      tokenId: principal?.tokenId ?? null,
      tokenName: principal?.name ?? null,
      action: presented.action,
      address: presented.address,
      code: error.code,
    });
    return error;
  }
}

function toPrincipal(record: TokenRecord): Principal {
  return {
    tokenId: record.id,
    name: record.name,
    role: record.role,
    scope: record.scope,
    environments: record.environments,
  };
}

function retryAfter(result: RateLimiterRes): number {
  return Math.max(1, Math.ceil(result.msBeforeNext / 1000));
}

import { ForbiddenError } from '../../shared/errors.js';
import type { DeployScope, Role } from './tokens.js';

/** Who is asking: the token's public id and name, and its role (or, for a deploy token, its scope). */
export interface Principal {
  /** null when authentication is off. */
  tokenId: string | null;
  name: string;
  role: Role;
  /** A deploy token's one operation on one thing; it then has no role at all. */
  scope?: DeployScope | null;
  /** The environments the token is limited to; absent or null: every environment. */
  environments?: readonly string[] | null;
}

const RANK: Record<Role, number> = { viewer: 1, operator: 2, admin: 3 };

/**
 * viewer < operator < admin: each role may do what the ones below it may. A deploy token has none:
 * it may only do its scope's operation, which the fields that allow it check with `mayDeploy`.
 */
export function hasRole(principal: Principal | null | undefined, required: Role): boolean {
  return principal != null && !principal.scope && RANK[principal.role] >= RANK[required];
}

/** Whether the principal is a deploy token whose scope is exactly this operation on this target. */
export function mayDeploy(principal: Principal | null | undefined, wanted: DeployScope): boolean {
  const scope = principal?.scope;
  return scope != null && scope.operation === wanted.operation && scope.target === wanted.target;
}

/** Whether the principal's token may reach the environment at all (its role still decides what it may do there). */
export function mayUseEnvironment(principal: Principal | null | undefined, environment: string): boolean {
  const limit = principal?.environments;
  return principal != null && (limit == null || limit.includes(environment));
}

const OPERATION_FIELDS: Record<DeployScope['operation'], string> = {
  REDEPLOY_STACK: 'redeployStack(name: "%")',
  SYNC_STACK: 'syncStack(name: "%")',
  REDEPLOY_CONTAINER: 'redeployContainer(id: "%") without image, env or unsetEnv',
};

/** What a deploy token may do, for people: the field and its argument. */
export function describeScope(scope: DeployScope): string {
  return OPERATION_FIELDS[scope.operation].replace('%', scope.target);
}

/** FORBIDDEN for a principal that lacks `required`; for a deploy token, it says what the token may do. */
export function forbiddenFor(principal: Principal | null | undefined, required: string): ForbiddenError {
  const scope = principal?.scope;
  return scope
    ? new ForbiddenError(
        required,
        `this is a deploy token: it may only call ${describeScope(scope)}, nothing else`,
      )
    : new ForbiddenError(required);
}

/** Everyone on loopback, when BERTH_AUTH=off. */
export const UNAUTHENTICATED_LOCAL: Principal = {
  tokenId: null,
  name: 'local (authentication off)',
  role: 'admin',
};

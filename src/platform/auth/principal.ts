import type { Role } from './tokens.js';

/** Who is asking: the token's public id and name, and its role. */
export interface Principal {
  /** null when authentication is off. */
  tokenId: string | null;
  name: string;
  role: Role;
}

const RANK: Record<Role, number> = { viewer: 1, operator: 2, admin: 3 };

/** viewer < operator < admin: each role may do what the ones below it may. */
export function hasRole(principal: Principal | null | undefined, required: Role): boolean {
  return principal != null && RANK[principal.role] >= RANK[required];
}

/** Everyone on loopback, when BERTH_AUTH=off. */
export const UNAUTHENTICATED_LOCAL: Principal = {
  tokenId: null,
  name: 'local (authentication off)',
  role: 'admin',
};

import { z } from 'zod';
import { DEPLOY_OPERATIONS, ROLES, type TokenService } from '../../../platform/auth/tokens.js';
import type { BackupSection } from '../section.js';

const schema = z.array(
  z.object({
    id: z.string(),
    name: z.string(),
    role: z.enum(ROLES),
    createdAt: z.string(),
    lastUsedAt: z.string().nullish(),
    /** A deploy token's scope (backups made before deploy tokens have none). */
    scope: z.object({ operation: z.enum(DEPLOY_OPERATIONS), target: z.string() }).nullish(),
    /** The environments it is limited to (backups made before environments have none: every one). */
    environments: z.array(z.string()).nullish(),
  }),
);

/**
 * Active API tokens, as metadata only: never a secret, never a hash (a backup is a file that
 * travels, and a hash would let whoever holds it test guesses offline). So no token can be
 * restored: each is reported with what to do instead, reissue it.
 */
export function tokensSection(tokens: TokenService): BackupSection<z.output<typeof schema>> {
  return {
    name: 'tokens',
    schema,
    export: () =>
      Promise.resolve(
        tokens.list({ active: true }).map((token) => ({
          id: token.id,
          name: token.name,
          role: token.role,
          createdAt: token.createdAt.toISOString(),
          lastUsedAt: token.lastUsedAt?.toISOString() ?? null,
          scope: token.scope,
          environments: token.environments,
        })),
      ),
    restore(data, report) {
      const here = new Set(tokens.list({ active: true }).map((token) => token.name));
      for (const token of data) {
        const exists = here.has(token.name) ? ` (the token named "${token.name}" here is another one)` : '';
        const reissue = token.scope
          ? `createDeployToken(name: "${token.name}", operation: ${token.scope.operation}, target: "${token.scope.target}")`
          : `createToken(name: "${token.name}", role: ${token.role.toUpperCase()}${
              token.environments ? `, environments: ${JSON.stringify(token.environments)}` : ''
            })`;
        report.notRestorable(
          token.name,
          `a backup holds no token secrets: reissue it with ${reissue} and hand the new secret to its users${exists}`,
        );
      }
      return Promise.resolve();
    },
  };
}

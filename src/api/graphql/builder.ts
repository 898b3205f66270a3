import SchemaBuilder from '@pothos/core';
import ErrorsPlugin from '@pothos/plugin-errors';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import type { AuditLog } from '../../platform/audit/log.js';
import type { AlertService } from '../../domain/alerts/service.js';
import type { PolicyStore } from '../../domain/policy/policy.js';
import { forbiddenFor, hasRole, mayDeploy, type Principal } from '../../platform/auth/principal.js';
import type { DeployScope, TokenService } from '../../platform/auth/tokens.js';
import type { StatsHistory } from '../../domain/history/service.js';
import type { TemplateService } from '../../domain/templates/service.js';
import type { BackupService } from '../../domain/backup/service.js';
import type { ImageUpdateService } from '../../domain/updates/service.js';
import type { AutoUpdateService } from '../../domain/updates/auto-update.js';
import type { Environments } from '../../domain/environments/environments.js';
import type { EnvironmentService } from '../../domain/environments/service.js';
import type { RegistryCredentials } from '../../domain/registries/credentials.js';

/** What every resolver receives: the services, never the engine client itself. */
export interface Context {
  /**
   * Every Docker host berth drives. The engine-bound services (containers, stats, events, logs,
   * exec, images, networks, volumes, swarm, redeploys, stacks and git stacks, system) are reached only through it, by the
   * environment a field names: `environmentOf` in environment-scope.ts.
   */
  environments: Environments;
  /** Adds, removes and lists environments with their state (the registry above runs them). */
  environmentService: EnvironmentService;
  history: StatsHistory;
  tokens: TokenService;
  audit: AuditLog;
  policy: PolicyStore;
  alerts: AlertService;
  templates: TemplateService;
  backup: BackupService;
  imageUpdates: ImageUpdateService;
  autoUpdates: AutoUpdateService;
  registries: RegistryCredentials;
  /** Who is asking; every request and connection has one (authentication runs first). */
  principal: Principal;
}

const capitalize = (name: string) => `${name.charAt(0).toUpperCase()}${name.slice(1)}`;

export const builder = new SchemaBuilder<{
  Context: Context;
  // Fields are non-null unless they say otherwise: a null is a statement, never an accident.
  DefaultFieldNullability: false;
  // `deploy`: a deploy token whose scope is exactly this operation on this target (see deployable).
  AuthScopes: { viewer: boolean; operator: boolean; admin: boolean; deploy: DeployScope };
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    SafeInt: { Input: number; Output: number };
    JSONObject: { Input: Record<string, unknown>; Output: object };
  };
}>({
  plugins: [ScopeAuthPlugin, ErrorsPlugin],
  defaultFieldNullability: false,
  // Roles, checked before any resolver runs (so before any engine call). The root types require
  // viewer (queries, subscriptions) and operator (mutations); admin fields ask for admin too.
  scopeAuth: {
    authorizeOnSubscribe: true,
    authScopes: ({ principal }) => ({
      viewer: hasRole(principal, 'viewer'),
      operator: hasRole(principal, 'operator'),
      admin: hasRole(principal, 'admin'),
      deploy: (wanted) => mayDeploy(principal, wanted),
    }),
    unauthorizedError: (_parent, context, info) => {
      // A mutation's refusal is audited with its outcome (mutation-audit.ts); a deploy token's use of
      // anything else is audited here, so every use of one is in the log.
      if (context.principal?.scope && info.parentType.name !== 'Mutation') {
        context.audit.record({
          tokenId: context.principal.tokenId,
          tokenName: context.principal.name,
          action: info.fieldName,
          target: null,
          result: 'denied',
        });
      }
      return forbiddenFor(context.principal, requiredRole(info.parentType.name));
    },
  },
  errors: {
    // `createContainer` answers `CreateContainerPayload = CreateContainerSuccess | …Error`.
    defaultUnionOptions: { name: ({ fieldName }) => `${capitalize(fieldName)}Payload` },
    defaultResultOptions: { name: ({ fieldName }) => `${capitalize(fieldName)}Success` },
  },
});

/**
 * A mutation's scopes when a deploy token may call it too: its operator role, or a deploy token
 * whose scope is this operation on this target. Spread into the field with the target from its
 * arguments, e.g. `...deployable((args) => ({ operation: 'REDEPLOY_STACK', target: args.name }))`;
 * the Mutation type's own operator scope is skipped for it (the field's scopes include it).
 */
export function deployable<Args>(scope: (args: Args) => DeployScope | null) {
  return {
    skipTypeScopes: true,
    authScopes: (_parent: unknown, args: Args) => {
      const wanted = scope(args);
      return wanted ? { $any: { operator: true, deploy: wanted } } : { operator: true };
    },
  } as const;
}

/** The role a root type asks for, for the FORBIDDEN message. */
function requiredRole(typeName: string): string {
  return typeName === 'Mutation' ? 'operator (or admin)' : 'viewer';
}

import SchemaBuilder from '@pothos/core';
import ErrorsPlugin from '@pothos/plugin-errors';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import type { AuditLog } from '../../platform/audit/log.js';
import type { AlertService } from '../../domain/alerts/service.js';
import type { PolicyStore } from '../../domain/policy/policy.js';
import { hasRole, type Principal } from '../../platform/auth/principal.js';
import type { TokenService } from '../../platform/auth/tokens.js';
import { ForbiddenError } from '../../shared/errors.js';
import type { ContainerService } from '../../domain/lifecycle/service.js';
import type { ContainerEventLog } from '../../domain/events/event-log.js';
import type { ExecService } from '../../domain/exec/service.js';
import type { StatsHistory } from '../../domain/history/service.js';
import type { ImageService } from '../../domain/images/service.js';
import type { NetworkService } from '../../domain/networks/service.js';
import type { VolumeService } from '../../domain/volumes/service.js';
import type { SwarmService } from '../../domain/swarm/service.js';
import type { LogService } from '../../domain/logs/service.js';
import type { StatsHub } from '../../domain/stats/hub.js';
import type { SystemStatus } from '../../domain/system/status.js';
import type { TemplateService } from '../../domain/templates/service.js';
import type { BackupService } from '../../domain/backup/service.js';
import type { RedeployService } from '../../domain/redeploy/service.js';
import type { StackService } from '../../domain/stacks/service.js';
import type { StackWebhooks } from '../../domain/stacks/webhooks.js';
import type { GitStackService } from '../../domain/stacks/git/service.js';
import type { ImageUpdateService } from '../../domain/updates/service.js';
import type { AutoUpdateService } from '../../domain/updates/auto-update.js';
import type { RegistryCredentials } from '../../domain/registries/credentials.js';

/** What every resolver receives: the services, never the engine client itself. */
export interface Context {
  containers: ContainerService;
  stats: StatsHub;
  history: StatsHistory;
  events: ContainerEventLog;
  system: SystemStatus;
  logs: LogService;
  exec: ExecService;
  images: ImageService;
  networks: NetworkService;
  volumes: VolumeService;
  swarm: SwarmService;
  tokens: TokenService;
  audit: AuditLog;
  policy: PolicyStore;
  alerts: AlertService;
  templates: TemplateService;
  backup: BackupService;
  redeploy: RedeployService;
  stacks: StackService;
  webhooks: StackWebhooks;
  gitStacks: GitStackService;
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
  AuthScopes: { viewer: boolean; operator: boolean; admin: boolean };
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
    }),
    unauthorizedError: (_parent, _context, info) => new ForbiddenError(requiredRole(info.parentType.name)),
  },
  errors: {
    // `createContainer` answers `CreateContainerPayload = CreateContainerSuccess | …Error`.
    defaultUnionOptions: { name: ({ fieldName }) => `${capitalize(fieldName)}Payload` },
    defaultResultOptions: { name: ({ fieldName }) => `${capitalize(fieldName)}Success` },
  },
});

/** The role a root type asks for, for the FORBIDDEN message. */
function requiredRole(typeName: string): string {
  return typeName === 'Mutation' ? 'operator (or admin)' : 'viewer';
}

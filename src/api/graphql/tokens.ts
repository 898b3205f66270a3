import type { AuditEntry, AuditPage } from '../../platform/audit/log.js';
import { DEPLOY_OPERATIONS, type DeployScope, type TokenRecord } from '../../platform/auth/tokens.js';
import { EnvironmentNotFoundError, InvalidInputError, TokenNotFoundError } from '../../shared/errors.js';
import { validateStackName } from '../../domain/stacks/labels.js';
import { LOCAL_ENVIRONMENT } from '../../domain/environments/model.js';
import { builder } from './builder.js';
import { ErrorInterface } from './errors.js';

/** Administration: API tokens and the audit log, for the admin role only. */

const admin = { authScopes: { admin: true } } as const;

const RoleEnum = builder.enumType('Role', {
  values: {
    VIEWER: { value: 'viewer' },
    OPERATOR: { value: 'operator' },
    ADMIN: { value: 'admin' },
  } as const,
});

const DeployOperationEnum = builder.enumType('DeployOperation', {
  description:
    'What a deploy token may do: REDEPLOY_STACK (redeployStack), SYNC_STACK (syncStack), REDEPLOY_CONTAINER ' +
    '(redeployContainer without image, env or unsetEnv), each on its one target.',
  values: Object.fromEntries(DEPLOY_OPERATIONS.map((value) => [value, { value }])) as {
    [K in (typeof DEPLOY_OPERATIONS)[number]]: { value: K };
  },
});

const TokenScopeRef = builder.objectRef<DeployScope>('TokenScope').implement({
  description: 'A deploy token’s one power: an operation on one stack or container, by name.',
  fields: (t) => ({
    operation: t.field({ type: DeployOperationEnum, resolve: (scope) => scope.operation }),
    target: t.exposeString('target'),
  }),
});

builder.objectType(TokenNotFoundError, { name: 'TokenNotFoundError', interfaces: [ErrorInterface] });

const TokenRef = builder.objectRef<TokenRecord>('Token').implement({
  description: 'An API token as anyone may see it: never its secret.',
  fields: (t) => ({
    id: t.exposeString('id'),
    name: t.exposeString('name'),
    role: t.field({
      type: RoleEnum,
      description: 'VIEWER for a deploy token, which has no role at all: its scope is what it may do.',
      resolve: (token) => token.role,
    }),
    scope: t.field({
      type: TokenScopeRef,
      nullable: true,
      description: 'For a deploy token, the one operation it may do; null for a role token.',
      resolve: (token) => token.scope,
    }),
    environments: t.stringList({
      nullable: true,
      description: 'The environments (Docker hosts) the token is limited to; null: every environment.',
      resolve: (token) => token.environments,
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (token) => token.createdAt }),
    lastUsedAt: t.field({ type: 'DateTime', nullable: true, resolve: (token) => token.lastUsedAt }),
    revokedAt: t.field({ type: 'DateTime', nullable: true, resolve: (token) => token.revokedAt }),
  }),
});

const CreatedTokenRef = builder.objectRef<{ token: string; record: TokenRecord }>('CreatedToken').implement({
  fields: (t) => ({
    secret: t.exposeString('token', {
      description: 'The token itself: shown this once, berth keeps only its hash.',
    }),
    token: t.field({ type: TokenRef, resolve: (created) => created.record }),
  }),
});

const AuditEntryRef = builder.objectRef<AuditEntry>('AuditEntry').implement({
  fields: (t) => ({
    cursor: t.exposeString('cursor'),
    at: t.field({
      type: 'DateTime',
      description: 'When it happened; for counted refusals, when the first of them did.',
      resolve: (entry) => entry.at,
    }),
    count: t.exposeInt('count', {
      description:
        'How many requests the entry stands for: 1 for a change, or how many requests of one kind were refused from one address within the minute from `at`.',
    }),
    tokenId: t.exposeString('tokenId', { nullable: true }),
    tokenName: t.exposeString('tokenName', { nullable: true }),
    action: t.exposeString('action'),
    target: t.exposeString('target', { nullable: true }),
    result: t.exposeString('result', {
      description:
        '`ok`, `denied`, `error:<CODE>`; for a create, `started` before the engine is asked (its outcome is a later entry), and `interrupted` when berth stopped before it ended and the engine made no container (found at the next start).',
    }),
    detail: t.exposeString('detail', { nullable: true }),
  }),
});

const AuditPageRef = builder.objectRef<AuditPage>('AuditPage').implement({
  fields: (t) => ({
    entries: t.field({ type: [AuditEntryRef], resolve: (page) => page.entries }),
    hasNextPage: t.boolean({ resolve: (page) => page.pageInfo.hasNextPage }),
    endCursor: t.string({ nullable: true, resolve: (page) => page.pageInfo.endCursor }),
  }),
});

const AuditFilterInput = builder.inputType('AuditFilter', {
  fields: (t) => ({
    tokenId: t.string(),
    action: t.string(),
    result: t.string({ description: 'An exact result, or `error` for every error.' }),
    since: t.field({ type: 'DateTime' }),
    until: t.field({ type: 'DateTime' }),
  }),
});

builder.queryFields((t) => ({
  tokens: t.field({
    ...admin,
    type: [TokenRef],
    args: { active: t.arg.boolean({ description: 'Only tokens not revoked.' }) },
    resolve: (_, { active }, { tokens }) => tokens.list(active == null ? {} : { active }),
  }),
  auditLog: t.field({
    ...admin,
    type: AuditPageRef,
    description: 'Every change and every denied request, newest first.',
    args: {
      filter: t.arg({ type: AuditFilterInput }),
      first: t.arg.int({ description: '50 when left out, at most 200.' }),
      after: t.arg.string({ description: 'The endCursor of the previous page.' }),
    },
    resolve: (_, args, { audit }) => audit.query(args),
  }),
}));

builder.mutationFields((t) => ({
  createToken: t.field({
    ...admin,
    type: CreatedTokenRef,
    args: {
      name: t.arg.string({ required: true }),
      role: t.arg({ type: RoleEnum, required: true }),
      environments: t.arg.stringList({
        description:
          'Limits the token to these environments: everything about any other is FORBIDDEN, and `environments` ' +
          'lists only these. Null or left out: every environment.',
      }),
    },
    errors: { dataField: { name: 'created' }, types: [InvalidInputError, EnvironmentNotFoundError] },
    resolve: (_, { name, role, environments }, { tokens, environmentService }) => {
      const unknown = environments?.find((environment) => !environmentService.has(environment));
      if (unknown !== undefined) throw new EnvironmentNotFoundError(unknown);
      return tokens.create({ name, role, environments });
    },
  }),
  createDeployToken: t.field({
    ...admin,
    type: CreatedTokenRef,
    description:
      'Makes a deploy token, for a CI job: it may do `operation` on `target` (a stack or container name) and nothing ' +
      'else; every other field, subscription and route answers FORBIDDEN, and every use is in the audit log under its ' +
      'name. Shown once, as createToken; revoked with revokeToken.',
    args: {
      name: t.arg.string({ required: true }),
      operation: t.arg({ type: DeployOperationEnum, required: true }),
      target: t.arg.string({ required: true }),
      environment: t.arg.string({
        required: true,
        defaultValue: LOCAL_ENVIRONMENT,
        description:
          'Where the target is (the stack’s or container’s environment): the token is limited to this environment.',
      }),
    },
    errors: { dataField: { name: 'created' }, types: [InvalidInputError, EnvironmentNotFoundError] },
    resolve: (_, { name, operation, target, environment }, { tokens, environmentService }) => {
      if (operation !== 'REDEPLOY_CONTAINER') validateStackName(target, 'target');
      if (!environmentService.has(environment)) throw new EnvironmentNotFoundError(environment);
      return tokens.createDeploy({ name, operation, target, environment });
    },
  }),
  revokeToken: t.field({
    ...admin,
    type: TokenRef,
    description: 'Revokes a token by id or name; its open subscriptions end at once.',
    args: { reference: t.arg.string({ required: true }) },
    errors: { dataField: { name: 'token' }, types: [InvalidInputError, TokenNotFoundError] },
    resolve: (_, { reference }, { tokens }) => tokens.revoke(reference),
  }),
}));

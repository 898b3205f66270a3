import {
  GIT_FAILURE_REASONS,
  GitFailedError,
  InvalidComposeError,
  InvalidInputError,
  NetworkNotFoundError,
  NotSwarmManagerError,
  PolicyViolationError,
  QuotaExceededError,
  SecretKeyMismatchError,
  SecretKeyMissingError,
  SubnetOverlapError,
  VolumeNotFoundError,
} from '../../shared/errors.js';
import type { GitDeployResult, SyncResult } from '../../domain/stacks/git/service.js';
import { GIT_AUTH_KINDS, type GitSource } from '../../domain/stacks/git/store.js';
import { builder, deployable } from './builder.js';
import { ENVIRONMENT_ARG, environmentOf } from './environment-scope.js';
import { ErrorInterface } from './errors.js';
import { actorOf, DeployResultRef, MAX_COMPOSE_BYTES, stackErrors, StackRef } from './stack.js';

/** Stacks from git: deployStackFromGit, syncStack, and where a stack comes from (Stack.source). */

const GitAuthKindEnum = builder.enumType('GitAuthKind', {
  values: Object.fromEntries(GIT_AUTH_KINDS.map((value) => [value, { value }])) as Record<
    (typeof GIT_AUTH_KINDS)[number],
    { value: (typeof GIT_AUTH_KINDS)[number] }
  >,
  description: 'How berth authenticates to the repository: NONE, TOKEN (HTTPS), SSH_KEY (a deploy key).',
});

const GitFailureReasonEnum = builder.enumType('GitFailureReason', {
  values: Object.fromEntries(GIT_FAILURE_REASONS.map((value) => [value, { value }])) as Record<
    (typeof GIT_FAILURE_REASONS)[number],
    { value: (typeof GIT_FAILURE_REASONS)[number] }
  >,
});

builder.objectType(GitFailedError, {
  name: 'GitFailedError',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    repository: t.exposeString('repository'),
    reason: t.field({ type: GitFailureReasonEnum, resolve: (error) => error.reason }),
  }),
});

const GitSourceRef = builder.objectRef<GitSource>('StackGitSource').implement({
  description: 'The repository a stack is deployed from. Never its token or key.',
  fields: (t) => ({
    repository: t.exposeString('repository'),
    ref: t.exposeString('ref', { description: 'The branch or tag followed.' }),
    path: t.exposeString('path', { description: "The compose file, from the repository's top." }),
    commit: t.exposeString('commit', {
      nullable: true,
      description:
        'The commit the stack runs (40 hex digits); null until a deploy from the repository succeeded.',
    }),
    syncedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When berth last fetched the repository for a deploy or sync.',
      resolve: (source) => source.syncedAt,
    }),
    pollMinutes: t.exposeInt('pollMinutes', { description: 'Minutes between polls; 0: none.' }),
    auth: t.field({ type: GitAuthKindEnum, resolve: (source) => source.auth }),
  }),
});

builder.objectField(StackRef, 'source', (t) =>
  t.field({
    type: GitSourceRef,
    nullable: true,
    description:
      'The git repository the stack is deployed from; null for a stack deployed from a compose text.',
    // The stack's own environment's: another host's stack of the same name has a source of its own.
    resolve: (stack, _, { environments }) =>
      environments.has(stack.environment)
        ? environments.get(stack.environment).gitStacks.source(stack.name)
        : null,
  }),
);

const GitDeployResultRef = builder.objectRef<GitDeployResult>('DeployStackFromGitSuccess').implement({
  fields: (t) => ({
    deploy: t.field({ type: DeployResultRef, resolve: (result) => result.deploy }),
    source: t.field({ type: GitSourceRef, resolve: (result) => result.source }),
  }),
});

const SyncResultRef = builder.objectRef<SyncResult>('SyncStackSuccess').implement({
  fields: (t) => ({
    changed: t.exposeBoolean('changed', {
      description: 'Whether the commit or the files changed, and the stack was deployed again.',
    }),
    commit: t.exposeString('commit', { description: 'The commit fetched.' }),
    previousCommit: t.exposeString('previousCommit', {
      nullable: true,
      description: 'The commit the stack ran before.',
    }),
    deploy: t.field({
      type: DeployResultRef,
      nullable: true,
      description: 'The deploy, when something changed.',
      resolve: (result) => result.deploy,
    }),
  }),
});

const GitAuthInput = builder.inputType('GitAuthInput', {
  description:
    'A token (HTTPS, sent as HTTP Basic with `username`) or an SSH deploy key; sealed with BERTH_SECRET_KEY, never shown again.',
  fields: (t) => ({
    token: t.string({ description: 'An access token; the repository must be https://.' }),
    username: t.string({
      description: 'The user the token is sent as; `git` when omitted (forges accept any).',
    }),
    sshPrivateKey: t.string({
      description:
        'A deploy key without a passphrase (PEM or OpenSSH); the repository must be ssh:// or user@host:path.',
    }),
  }),
});

const DeployStackFromGitInput = builder.inputType('DeployStackFromGitInput', {
  fields: (t) => ({
    name: t.string({ required: true, description: 'The stack (Compose project) name.' }),
    repository: t.string({
      required: true,
      description: 'https://, http://, git://, ssh:// or user@host:path; never a local path.',
    }),
    ref: t.string({ description: "A branch or tag; the remote's default branch when omitted." }),
    path: t.string({
      description:
        "The compose file, from the repository's top; when omitted, the first of compose.yaml, compose.yml, docker-compose.yaml, docker-compose.yml.",
    }),
    env: t.string({ description: "A `.env` text, over the repository's own .env beside the compose file." }),
    dryRun: t.boolean({ defaultValue: false, description: 'Fetch and answer the plan; change nothing.' }),
    removeOrphans: t.boolean({ defaultValue: false }),
    timeoutSeconds: t.int({ defaultValue: 120 }),
    pollMinutes: t.int({
      description: 'Minutes between polls of the repository; 0: none; BERTH_GIT_POLL_MINUTES when omitted.',
    }),
    auth: t.field({
      type: GitAuthInput,
      description:
        'Omitted on a stack deployed from the same repository before: its stored credential stays.',
    }),
  }),
});

const deployErrors = [
  GitFailedError,
  InvalidComposeError,
  PolicyViolationError,
  QuotaExceededError,
  NetworkNotFoundError,
  VolumeNotFoundError,
  SubnetOverlapError,
  NotSwarmManagerError,
  SecretKeyMissingError,
  SecretKeyMismatchError,
  ...stackErrors,
];

builder.mutationFields((t) => ({
  deployStackFromGit: t.field({
    type: GitDeployResultRef,
    description:
      "Fetches the repository's ref (depth 1) into the stack's checkout and deploys its compose file as deployStack does " +
      '(plan, health gate, rollback, progress, history); relative env_file and bind paths resolve inside the checkout. ' +
      'The stack records the commit it runs. See docs/stacks.md#stacks-from-git.',
    args: {
      input: t.arg({ type: DeployStackFromGitInput, required: true }),
      environment: t.arg.string(ENVIRONMENT_ARG),
    },
    errors: { directResult: true, types: deployErrors },
    resolve: (_, { input, environment }, context) => {
      if (Buffer.byteLength(input.env ?? '', 'utf8') > MAX_COMPOSE_BYTES) {
        throw new InvalidInputError('input.env', 'must be at most 1 MiB');
      }
      const timeoutSeconds = input.timeoutSeconds ?? 120;
      if (timeoutSeconds < 1 || timeoutSeconds > 3600) {
        throw new InvalidInputError('input.timeoutSeconds', 'must be from 1 to 3600');
      }
      return environmentOf(context, environment).gitStacks.deployFromGit(
        {
          name: input.name,
          repository: input.repository,
          ref: input.ref ?? null,
          path: input.path ?? null,
          env: input.env ?? '',
          dryRun: input.dryRun ?? false,
          removeOrphans: input.removeOrphans ?? false,
          timeoutSeconds,
          pollMinutes: input.pollMinutes ?? null,
          auth: input.auth ?? null,
        },
        actorOf(context, 'deployStackFromGit'),
      );
    },
  }),
  syncStack: t.field({
    ...deployable<{ name: string }>(({ name }) => ({ operation: 'SYNC_STACK', target: name })),
    type: SyncResultRef,
    description:
      "Fetches the stack's repository again; when the commit or the files changed, deploys it (only the services " +
      'whose configuration changed are recreated), otherwise answers changed: false and touches nothing. ' +
      'Operator, or a deploy token scoped SYNC_STACK on this stack (of the environment the token is limited to).',
    args: { name: t.arg.string({ required: true }), environment: t.arg.string(ENVIRONMENT_ARG) },
    errors: { directResult: true, types: deployErrors },
    resolve: (_, { name, environment }, context) =>
      environmentOf(context, environment).gitStacks.sync(name, actorOf(context, 'syncStack')),
  }),
}));

import type {
  EnvironmentChangeView,
  EnvironmentView,
  SkippedContext,
} from '../../domain/environments/service.js';
import {
  EnvironmentExistsError,
  EnvironmentNotFoundError,
  EnvironmentProtectedError,
  InvalidInputError,
  SecretKeyMissingError,
} from '../../shared/errors.js';
import { builder } from './builder.js';
import { ErrorInterface } from './errors.js';

/** Environments: the Docker hosts berth drives, listed for viewers, added and removed by admins. */

const admin = { authScopes: { admin: true } } as const;

builder.objectType(EnvironmentNotFoundError, {
  name: 'EnvironmentNotFoundError',
  interfaces: [ErrorInterface],
  fields: (t) => ({ environment: t.exposeString('environment') }),
});
builder.objectType(EnvironmentExistsError, {
  name: 'EnvironmentExistsError',
  interfaces: [ErrorInterface],
  fields: (t) => ({ environment: t.exposeString('environment') }),
});
builder.objectType(EnvironmentProtectedError, {
  name: 'EnvironmentProtectedError',
  interfaces: [ErrorInterface],
  fields: (t) => ({ environment: t.exposeString('environment') }),
});

const EnvironmentKindEnum = builder.enumType('EnvironmentKind', {
  description:
    'How berth reaches the engine: a unix socket, TCP with mutual TLS, or SSH (docker system dial-stdio).',
  values: ['SOCKET', 'TCP', 'SSH'] as const,
});
const EnvironmentStatusEnum = builder.enumType('EnvironmentStatus', {
  description:
    'UP while its engine’s event stream is connected, DOWN while it cannot be, CONNECTING before the first try ends.',
  values: ['UP', 'DOWN', 'CONNECTING'] as const,
});
const EnvironmentSourceEnum = builder.enumType('EnvironmentSource', {
  description:
    'Where it was declared: LOCAL (DOCKER_HOST), API (addEnvironment), FILE (BERTH_ENVIRONMENTS_FILE), ' +
    'DOCKER_CONTEXT (importDockerContexts). LOCAL and FILE cannot be removed through the API.',
  values: ['LOCAL', 'API', 'FILE', 'DOCKER_CONTEXT'] as const,
});

export const EnvironmentRef = builder.objectRef<EnvironmentView>('Environment').implement({
  description:
    'A Docker host berth drives, and its engine’s state as berth last saw it. Never a key or certificate.',
  fields: (t) => ({
    name: t.exposeString('name'),
    endpoint: t.exposeString('endpoint', {
      description: 'unix:///path, tcp://host:port or ssh://user@host:port: no secret.',
    }),
    kind: t.field({ type: EnvironmentKindEnum, resolve: (environment) => environment.kind }),
    source: t.field({ type: EnvironmentSourceEnum, resolve: (environment) => environment.source }),
    status: t.field({ type: EnvironmentStatusEnum, resolve: (environment) => environment.state.status }),
    downSince: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When its engine stopped answering; null while it answers.',
      resolve: (environment) => environment.state.downSince,
    }),
    lastError: t.string({
      nullable: true,
      description:
        'Why its engine could not be reached the last time it could not, and the fix; kept after it answers again.',
      resolve: (environment) => environment.state.lastError,
    }),
    engineVersion: t.string({
      nullable: true,
      description:
        'The engine’s version, as it said when berth last asked (at each connection, and every 30 s while it ' +
        'answers); null before it ever answered.',
      resolve: (environment) => environment.state.engineVersion,
    }),
    hostKeySha256: t.exposeString('hostKeySha256', {
      nullable: true,
      description:
        'An ssh environment’s host key fingerprint (`SHA256:…`): the one it was added with, or, added without one, the first key its engine offered, which every later connection must offer too. Null for other kinds, and before a first connection.',
    }),
    swarmRole: t.string({
      nullable: true,
      description:
        '`manager` or `worker` in a Docker Swarm; null when standalone. Read at each connection and every 30 s ' +
        'while the engine answers, so a swarm joined with the Docker CLI shows within that (environmentChanged: UPDATED).',
      resolve: (environment) => environment.state.swarmRole,
    }),
  }),
});

const EnvironmentChangeKindEnum = builder.enumType('EnvironmentChangeKind', {
  description:
    'ADDED (addEnvironment, importDockerContexts), REMOVED (removeEnvironment), DOWN (its engine stopped ' +
    'answering: downSince, lastError), UP (its engine answers, the first time or again; engineVersion and ' +
    'swarmRole as it says now), UPDATED (its engineVersion or swarmRole changed while it answers).',
  values: ['ADDED', 'REMOVED', 'DOWN', 'UP', 'UPDATED'] as const,
});

const EnvironmentChangeRef = builder.objectRef<EnvironmentChangeView>('EnvironmentChange').implement({
  description: 'One change of an environment, and the environment right after it.',
  fields: (t) => ({
    kind: t.field({ type: EnvironmentChangeKindEnum, resolve: (change) => change.kind }),
    environment: t.field({
      type: EnvironmentRef,
      description: 'As `environments` would answer it right after the change; for REMOVED, as it was.',
      resolve: (change) => change.environment,
    }),
    at: t.field({ type: 'DateTime', resolve: (change) => change.at }),
  }),
});

const SkippedDockerContextCodeEnum = builder.enumType('SkippedDockerContextCode', {
  description:
    'Why a context was not added: UNREADABLE (its meta.json), INVALID_NAME (not an environment’s name), ' +
    'NAME_IN_USE, NO_ENDPOINT, NO_SSH_KEY (an ssh context, and BERTH_SSH_KEY_FILE names no key for berth), ' +
    'SKIPS_TLS_VERIFY, NO_TLS_CERTIFICATES (a tcp context without client certificates), INVALID_ENDPOINT ' +
    '(what addEnvironment would refuse: the endpoint or its material; `reason` says which).',
  values: [
    'UNREADABLE',
    'INVALID_NAME',
    'NAME_IN_USE',
    'NO_ENDPOINT',
    'NO_SSH_KEY',
    'SKIPS_TLS_VERIFY',
    'NO_TLS_CERTIFICATES',
    'INVALID_ENDPOINT',
  ] as const,
});

const SkippedDockerContextRef = builder.objectRef<SkippedContext>('SkippedDockerContext').implement({
  description: 'A Docker CLI context importDockerContexts did not add, and why.',
  fields: (t) => ({
    context: t.exposeString('context'),
    code: t.field({ type: SkippedDockerContextCodeEnum, resolve: (skipped) => skipped.code }),
    reason: t.exposeString('reason'),
  }),
});

const DockerContextImportRef = builder
  .objectRef<{ imported: EnvironmentView[]; skipped: SkippedContext[] }>('DockerContextImport')
  .implement({
    fields: (t) => ({
      imported: t.field({ type: [EnvironmentRef], resolve: (result) => result.imported }),
      skipped: t.field({ type: [SkippedDockerContextRef], resolve: (result) => result.skipped }),
    }),
  });

const EnvironmentTlsInput = builder.inputType('EnvironmentTlsInput', {
  description:
    'Mutual TLS for a tcp:// endpoint, as PEM text: sealed with BERTH_SECRET_KEY, never shown again.',
  fields: (t) => ({
    ca: t.string({ required: true, description: 'The CA that signed the engine’s certificate.' }),
    cert: t.string({ required: true, description: 'berth’s client certificate.' }),
    key: t.string({ required: true, description: 'Its private key (unencrypted PEM).' }),
  }),
});

const EnvironmentSshInput = builder.inputType('EnvironmentSshInput', {
  description: 'SSH for an ssh:// endpoint: sealed with BERTH_SECRET_KEY, never shown again.',
  fields: (t) => ({
    privateKey: t.string({ required: true, description: 'The private key, OpenSSH or PEM text.' }),
    passphrase: t.string({ description: 'What opens the key, when it is encrypted.' }),
    hostKeySha256: t.string({
      description:
        'The server’s host key fingerprint as `ssh-keygen -lf` prints it (SHA256:…): any other key is refused. ' +
        'Without it the first key seen is taken.',
    }),
  }),
});

builder.queryFields((t) => ({
  environments: t.field({
    type: [EnvironmentRef],
    description:
      'The Docker hosts berth drives, `local` first, each with its state. A token limited to some environments sees only those.',
    resolve: (_, __, { environmentService, principal }) => environmentService.list(principal),
  }),
}));

builder.subscriptionFields((t) => ({
  environmentChanged: t.field({
    type: EnvironmentChangeRef,
    description:
      'Each change of an environment the token may use, from the moment of subscribing: added, removed, its ' +
      'engine down or up again, its engine version or swarm role changed (read again every 30 s while it ' +
      'answers). Read `environments` once after subscribing for where each stands; a newly added one sends ' +
      'ADDED (CONNECTING), then UP or DOWN.',
    subscribe: (_, __, { environmentService, principal }) => environmentService.watch(principal),
    resolve: (change) => change,
  }),
}));

builder.mutationFields((t) => ({
  addEnvironment: t.field({
    ...admin,
    type: EnvironmentRef,
    description:
      'Adds a Docker host and starts watching it: `unix:///path`, `tcp://host:port` with `tls` (client certificates ' +
      'are required), or `ssh://user@host[:port]` with `ssh` (the remote runs `docker system dial-stdio`). Its key ' +
      'material is sealed with BERTH_SECRET_KEY (SecretKeyMissingError without one) and stored; it is never shown again.',
    args: {
      name: t.arg.string({
        required: true,
        description:
          'Lowercase letters, digits, dashes and underscores, starting with a letter or digit (at most 63).',
      }),
      endpoint: t.arg.string({ required: true }),
      tls: t.arg({ type: EnvironmentTlsInput }),
      ssh: t.arg({ type: EnvironmentSshInput }),
    },
    errors: {
      dataField: { name: 'environment' },
      types: [InvalidInputError, EnvironmentExistsError, SecretKeyMissingError],
    },
    resolve: (_, { name, endpoint, tls, ssh }, { environmentService }) =>
      environmentService.add({ name, endpoint, tls, ssh }),
  }),
  removeEnvironment: t.field({
    ...admin,
    type: EnvironmentRef,
    description:
      'Stops watching a Docker host (its event stream, stats and index; its connection closes) and forgets it and ' +
      'its keys. `local` and the ' +
      'environments BERTH_ENVIRONMENTS_FILE declares are EnvironmentProtectedError. Answers it as it was.',
    args: { name: t.arg.string({ required: true }) },
    errors: {
      dataField: { name: 'environment' },
      types: [EnvironmentNotFoundError, EnvironmentProtectedError],
    },
    resolve: (_, { name }, { environmentService }) => environmentService.remove(name),
  }),
  importDockerContexts: t.field({
    ...admin,
    type: DockerContextImportRef,
    description:
      'Adds the Docker CLI contexts found in berth’s Docker configuration directory (DOCKER_CONFIG, or ~/.docker), ' +
      'tcp ones with their TLS files, ssh ones with berth’s own key (BERTH_SSH_KEY_FILE; the host key is trusted ' +
      'at the first connection and pinned). Each context that cannot be added (an ssh context without ' +
      'BERTH_SSH_KEY_FILE, a name in use, no client certificates) is in `skipped` with a code and the reason.',
    errors: { dataField: { name: 'result' }, types: [SecretKeyMissingError] },
    resolve: (_, __, { environmentService }) => environmentService.importDockerContexts(),
  }),
}));

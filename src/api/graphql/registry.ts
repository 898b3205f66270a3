import type { RegistryCredential } from '../../domain/registries/credentials.js';
import {
  InvalidInputError,
  RegistryCredentialNotFoundError,
  RegistryUnauthorizedError,
  SecretKeyMismatchError,
  SecretKeyMissingError,
} from '../../shared/errors.js';
import { builder } from './builder.js';
import { ErrorInterface } from './errors.js';

/** Registry credentials, for the admin role only: who berth pulls as, never with what password. */

const admin = { authScopes: { admin: true } } as const;

builder.objectType(RegistryUnauthorizedError, {
  name: 'RegistryUnauthorizedError',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    image: t.exposeString('image'),
    registry: t.exposeString('registry', {
      description: 'The host a credential is saved under for this image (saveRegistryCredential).',
    }),
  }),
});
builder.objectType(RegistryCredentialNotFoundError, {
  name: 'RegistryCredentialNotFoundError',
  interfaces: [ErrorInterface],
  fields: (t) => ({ registry: t.exposeString('registry') }),
});
builder.objectType(SecretKeyMissingError, { name: 'SecretKeyMissingError', interfaces: [ErrorInterface] });
builder.objectType(SecretKeyMismatchError, { name: 'SecretKeyMismatchError', interfaces: [ErrorInterface] });

/** What a pull may fail with because of a registry's credential: in the unions of every field that pulls. */
export const CREDENTIAL_ERRORS = [
  RegistryUnauthorizedError,
  SecretKeyMissingError,
  SecretKeyMismatchError,
] as const;

const RegistryCredentialRef = builder.objectRef<RegistryCredential>('RegistryCredential').implement({
  description: 'A saved registry credential as an admin may see it: never its password.',
  fields: (t) => ({
    registry: t.exposeString('registry', {
      description: 'The host images name it by: docker.io, ghcr.io, 127.0.0.1:5000.',
    }),
    username: t.exposeString('username'),
    createdAt: t.field({ type: 'DateTime', resolve: (credential) => credential.createdAt }),
    updatedAt: t.field({
      type: 'DateTime',
      description: 'When it was last saved.',
      resolve: (credential) => credential.updatedAt,
    }),
    lastUsedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When a pull last used it.',
      resolve: (credential) => credential.lastUsedAt,
    }),
  }),
});

builder.queryFields((t) => ({
  registryCredentials: t.field({
    ...admin,
    type: [RegistryCredentialRef],
    description: 'The saved registry credentials, by registry: usernames and dates, never a password.',
    resolve: (_, __, { registries }) => registries.list(),
  }),
}));

builder.mutationFields((t) => ({
  saveRegistryCredential: t.field({
    ...admin,
    type: RegistryCredentialRef,
    description:
      'Saves (or replaces) the credential berth pulls with from `registry`: every pull of an image ' +
      'whose reference names that host uses it (pullImage, createContainer, templates, stacks, redeploys). ' +
      'The password is sealed with BERTH_SECRET_KEY; without one, SecretKeyMissingError and nothing is stored.',
    args: {
      registry: t.arg.string({
        required: true,
        description: 'The host as images name it: `ghcr.io`, `registry.example.com:5000`, `docker.io`.',
      }),
      username: t.arg.string({ required: true }),
      password: t.arg.string({
        required: true,
        description: 'A password or access token; never shown again.',
      }),
    },
    errors: { dataField: { name: 'credential' }, types: [InvalidInputError, SecretKeyMissingError] },
    resolve: (_, { registry, username, password }, { registries }) =>
      registries.save(registry, username, password),
  }),
  removeRegistryCredential: t.field({
    ...admin,
    type: RegistryCredentialRef,
    description: 'Forgets the credential of `registry`; later pulls from it are anonymous.',
    args: { registry: t.arg.string({ required: true }) },
    errors: {
      dataField: { name: 'credential' },
      types: [InvalidInputError, RegistryCredentialNotFoundError],
    },
    resolve: (_, { registry }, { registries }) => registries.remove(registry),
  }),
}));

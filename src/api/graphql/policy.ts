import type { CreatePolicy } from '../../domain/policy/policy.js';
import { InvalidInputError } from '../../shared/errors.js';
import { builder } from './builder.js';

/** The admin's create policy: what createContainer may ask for beyond the safe defaults. */

const admin = { authScopes: { admin: true } } as const;

const CreatePolicyRef = builder.objectRef<CreatePolicy>('CreatePolicy').implement({
  fields: (t) => ({
    allowPrivileged: t.exposeBoolean('allowPrivileged'),
    allowHostNamespaces: t.exposeBoolean('allowHostNamespaces'),
    bindMountPrefixes: t.exposeStringList('bindMountPrefixes'),
    allowDockerSocket: t.exposeBoolean('allowDockerSocket'),
    allowDevices: t.exposeBoolean('allowDevices'),
    allowedCapabilities: t.exposeStringList('allowedCapabilities'),
    allowUnconfined: t.exposeBoolean('allowUnconfined'),
    defaultMemoryBytes: t.field({ type: 'SafeInt', nullable: true, resolve: (p) => p.defaultMemoryBytes }),
    defaultCpus: t.exposeFloat('defaultCpus', { nullable: true }),
    maxContainers: t.exposeInt('maxContainers', { nullable: true }),
  }),
});

const CreatePolicyInput = builder.inputType('CreatePolicyInput', {
  description: 'Fields left out keep their value; null clears a default or a cap.',
  fields: (t) => ({
    allowPrivileged: t.boolean(),
    allowHostNamespaces: t.boolean(),
    bindMountPrefixes: t.stringList(),
    allowDockerSocket: t.boolean(),
    allowDevices: t.boolean(),
    allowedCapabilities: t.stringList(),
    allowUnconfined: t.boolean(),
    defaultMemoryBytes: t.field({ type: 'SafeInt' }),
    defaultCpus: t.float(),
    maxContainers: t.int(),
  }),
});

builder.queryField('createPolicy', (t) =>
  t.field({ ...admin, type: CreatePolicyRef, resolve: (_, __, { policy }) => policy.get() }),
);

builder.mutationField('setCreatePolicy', (t) =>
  t.field({
    ...admin,
    type: CreatePolicyRef,
    args: { input: t.arg({ type: CreatePolicyInput, required: true }) },
    errors: { dataField: { name: 'policy' }, types: [InvalidInputError] },
    resolve: (_, { input }, { policy }) => policy.set(input),
  }),
);

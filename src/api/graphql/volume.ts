import {
  EngineUnavailableError,
  EnvironmentNotFoundError,
  InvalidInputError,
  VolumeExistsError,
  VolumeInUseError,
  VolumeNotFoundError,
} from '../../shared/errors.js';
import type { Volume, VolumePrune } from '../../domain/volumes/model.js';
import {
  validateLabels,
  validatePruneLabel,
  validateVolumeFilter,
  validateVolumeName,
} from '../../domain/volumes/validation.js';
import { builder } from './builder.js';
import { ENVIRONMENT_ARG, environmentOf, inEnvironment, type InEnvironment } from './environment-scope.js';
import { ContainerRef, KeyValueInput, KeyValueRef } from './container.js';
import { ErrorInterface } from './errors.js';

/** The volume domain: named volumes on the engine, who uses them, removal and pruning. */

export const VolumeRef = builder.objectRef<InEnvironment<Volume>>('Volume').implement({
  fields: (t) => ({
    environment: t.exposeString('environment', { description: 'The environment (Docker host) it is on.' }),
    name: t.exposeString('name'),
    driver: t.exposeString('driver'),
    mountpoint: t.exposeString('mountpoint', { description: 'Where its data lives on the engine’s host.' }),
    scope: t.exposeString('scope', { description: '`local`, or `global` for a cluster-wide driver.' }),
    labels: t.field({ type: [KeyValueRef], resolve: (v) => v.labels }),
    createdAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'null when its driver does not say.',
      resolve: (v) => v.createdAt,
    }),
    usedBy: t.field({
      type: [ContainerRef],
      description: 'Containers that mount it, running or not, newest first.',
      resolve: (v, _, { environments }) => environments.get(v.environment).volumes.usedBy(v.name),
    }),
  }),
});

const PruneVolumesSuccessRef = builder.objectRef<VolumePrune>('PruneVolumesSuccess').implement({
  fields: (t) => ({
    deleted: t.exposeStringList('deleted', { description: 'Names of the volumes removed.' }),
    spaceReclaimedBytes: t.field({ type: 'SafeInt', resolve: (p) => p.spaceReclaimedBytes }),
  }),
});

builder.objectType(VolumeNotFoundError, {
  name: 'VolumeNotFoundError',
  interfaces: [ErrorInterface],
  fields: (t) => ({ name: t.exposeString('volumeName') }),
});
builder.objectType(VolumeExistsError, {
  name: 'VolumeExistsError',
  interfaces: [ErrorInterface],
  fields: (t) => ({ name: t.exposeString('volumeName') }),
});
builder.objectType(VolumeInUseError, {
  name: 'VolumeInUseError',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    name: t.exposeString('volumeName'),
    containers: t.stringList({
      description: 'Ids of the containers using it, as the engine lists them.',
      resolve: (error) => [...error.containers],
    }),
  }),
});

const VolumeFilterInput = builder.inputType('VolumeFilter', {
  fields: (t) => ({
    name: t.string({ description: 'Part of the name.' }),
    label: t.string({ description: '`key` or `key=value`.' }),
  }),
});

builder.queryFields((t) => ({
  volumes: t.field({
    type: [VolumeRef],
    description: 'The engine’s volumes, by name.',
    args: { filter: t.arg({ type: VolumeFilterInput }), environment: t.arg.string(ENVIRONMENT_ARG) },
    resolve: async (_, { filter, environment }, context) => {
      const found = await environmentOf(context, environment).volumes.list(validateVolumeFilter(filter));
      return found.map((volume) => inEnvironment(volume, environment));
    },
  }),
  volume: t.field({
    type: VolumeRef,
    nullable: true,
    description: 'By name; null when there is none.',
    args: { name: t.arg.string({ required: true }), environment: t.arg.string(ENVIRONMENT_ARG) },
    resolve: async (_, { name, environment }, context) => {
      const found = await environmentOf(context, environment).volumes.find(validateVolumeName(name));
      return found && inEnvironment(found, environment);
    },
  }),
}));

builder.mutationFields((t) => ({
  createVolume: t.field({
    type: VolumeRef,
    description:
      'Creates a named volume (local driver). A name already taken is VOLUME_EXISTS, not the old volume.',
    args: {
      name: t.arg.string({ required: true }),
      labels: t.arg({ type: [KeyValueInput] }),
      environment: t.arg.string(ENVIRONMENT_ARG),
    },
    errors: {
      dataField: { name: 'volume' },
      types: [InvalidInputError, VolumeExistsError, EngineUnavailableError, EnvironmentNotFoundError],
    },
    resolve: async (_, { name, labels, environment }, context) =>
      inEnvironment(
        await environmentOf(context, environment).volumes.create(
          validateVolumeName(name),
          validateLabels(labels),
        ),
        environment,
      ),
  }),
  removeVolume: t.field({
    type: VolumeRef,
    description:
      'Removes a volume and its data, and returns it as it was. A volume any container mounts, ' +
      'running or not, is VOLUME_IN_USE: remove the container first.',
    args: {
      name: t.arg.string({ required: true }),
      force: t.arg.boolean({
        defaultValue: false,
        description: 'Remove it even when its driver fails to (as `docker volume rm -f`); never one in use.',
      }),
      environment: t.arg.string(ENVIRONMENT_ARG),
    },
    errors: {
      dataField: { name: 'volume' },
      types: [
        InvalidInputError,
        VolumeNotFoundError,
        VolumeInUseError,
        EngineUnavailableError,
        EnvironmentNotFoundError,
      ],
    },
    resolve: async (_, { name, force, environment }, context) =>
      inEnvironment(
        await environmentOf(context, environment).volumes.remove(validateVolumeName(name), force ?? false),
        environment,
      ),
  }),
  pruneVolumes: t.field({
    type: PruneVolumesSuccessRef,
    description:
      'Removes the volumes no container uses that carry the label, named ones included. The label ' +
      'is required: an engine’s unused volumes may be anyone’s data.',
    args: {
      label: t.arg.string({ required: true, description: '`key` or `key=value`.' }),
      environment: t.arg.string(ENVIRONMENT_ARG),
    },
    errors: {
      directResult: true,
      types: [InvalidInputError, EngineUnavailableError, EnvironmentNotFoundError],
    },
    resolve: (_, { label, environment }, context) =>
      environmentOf(context, environment).volumes.prune(validatePruneLabel(label)),
  }),
}));

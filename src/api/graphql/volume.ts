import {
  EngineUnavailableError,
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
import { ContainerRef, KeyValueInput, KeyValueRef } from './container.js';
import { ErrorInterface } from './errors.js';

/** The volume domain: named volumes on the engine, who uses them, removal and pruning. */

export const VolumeRef = builder.objectRef<Volume>('Volume').implement({
  fields: (t) => ({
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
      resolve: (v, _, { volumes }) => volumes.usedBy(v.name),
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
    args: { filter: t.arg({ type: VolumeFilterInput }) },
    resolve: (_, { filter }, { volumes }) => volumes.list(validateVolumeFilter(filter)),
  }),
  volume: t.field({
    type: VolumeRef,
    nullable: true,
    description: 'By name; null when there is none.',
    args: { name: t.arg.string({ required: true }) },
    resolve: (_, { name }, { volumes }) => volumes.find(validateVolumeName(name)),
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
    },
    errors: {
      dataField: { name: 'volume' },
      types: [InvalidInputError, VolumeExistsError, EngineUnavailableError],
    },
    resolve: (_, { name, labels }, { volumes }) =>
      volumes.create(validateVolumeName(name), validateLabels(labels)),
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
    },
    errors: {
      dataField: { name: 'volume' },
      types: [InvalidInputError, VolumeNotFoundError, VolumeInUseError, EngineUnavailableError],
    },
    resolve: (_, { name, force }, { volumes }) => volumes.remove(validateVolumeName(name), force ?? false),
  }),
  pruneVolumes: t.field({
    type: PruneVolumesSuccessRef,
    description:
      'Removes the volumes no container uses that carry the label, named ones included. The label ' +
      'is required: an engine’s unused volumes may be anyone’s data.',
    args: { label: t.arg.string({ required: true, description: '`key` or `key=value`.' }) },
    errors: { directResult: true, types: [InvalidInputError, EngineUnavailableError] },
    resolve: (_, { label }, { volumes }) => volumes.prune(validatePruneLabel(label)),
  }),
}));

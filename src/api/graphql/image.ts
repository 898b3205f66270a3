import {
  EngineUnavailableError,
  EnvironmentNotFoundError,
  ImageInUseError,
  ImageNotFoundError,
  InvalidInputError,
  InvalidStateError,
  RegistryUnavailableError,
} from '../../shared/errors.js';
import { StreamFailure } from '../../shared/stream-failure.js';
import {
  PULL_STATES,
  type Image,
  type ImagePrune,
  type ImageRemoval,
  type LayerProgress,
  type PullProgress,
} from '../../domain/images/model.js';
import { validateImageRef, validatePullRef } from '../../domain/images/reference.js';
import type { PullUpdate } from '../../domain/images/service.js';
import { builder } from './builder.js';
import { ENVIRONMENT_ARG, environmentOf } from './environment-scope.js';
import { CREDENTIAL_ERRORS } from './registry.js';
import { ErrorInterface } from './errors.js';

/** The image domain: images on the engine, pulls and their progress, removal and pruning. */

export const ImageRef = builder.objectRef<Image>('Image').implement({
  fields: (t) => ({
    id: t.exposeString('id', { description: 'The content-addressed id, `sha256:…`.' }),
    tags: t.exposeStringList('tags', {
      description: '`repository:tag` references; empty for a dangling image.',
    }),
    sizeBytes: t.field({ type: 'SafeInt', resolve: (image) => image.sizeBytes }),
    createdAt: t.field({ type: 'DateTime', resolve: (image) => image.createdAt }),
    containers: t.exposeInt('containers', {
      description: 'Containers created from this image, running or not.',
    }),
  }),
});

builder.objectType(ImageInUseError, {
  name: 'ImageInUseError',
  interfaces: [ErrorInterface],
  fields: (t) => ({ image: t.exposeString('image') }),
});

const ImagePullStateEnum = builder.enumType('ImagePullState', {
  values: {
    WAITING: {
      description: 'Nothing pulls the image and the engine lacks it: the next pull of it will be followed.',
    },
    PULLING: { description: 'A pull is running.' },
    DONE: { description: 'The engine has the image; the last message.' },
  } satisfies Record<(typeof PULL_STATES)[number], unknown>,
});

const ImageLayerProgressRef = builder.objectRef<LayerProgress>('ImageLayerProgress').implement({
  fields: (t) => ({
    id: t.exposeString('id'),
    status: t.exposeString('status', {
      description:
        'Docker’s words: Pulling fs layer, Waiting, Downloading, Extracting, Pull complete, Already exists, …',
    }),
    currentBytes: t.field({
      type: 'SafeInt',
      description: 'Compressed bytes downloaded.',
      resolve: (l) => l.currentBytes,
    }),
    totalBytes: t.field({
      type: 'SafeInt',
      description: 'Compressed size; 0 until Docker reports it, and for layers the engine already had.',
      resolve: (l) => l.totalBytes,
    }),
  }),
});

const ImagePullProgressRef = builder.objectRef<PullProgress>('ImagePullProgress').implement({
  fields: (t) => ({
    reference: t.exposeString('reference', { description: 'Normalized: `busybox` is `busybox:latest`.' }),
    state: t.field({ type: ImagePullStateEnum, resolve: (p) => p.state }),
    layers: t.field({ type: [ImageLayerProgressRef], resolve: (p) => p.layers }),
    currentBytes: t.field({
      type: 'SafeInt',
      description: 'Sum over the layers.',
      resolve: (p) => p.currentBytes,
    }),
    totalBytes: t.field({
      type: 'SafeInt',
      description: 'Sum over the layers; grows while Docker learns their sizes.',
      resolve: (p) => p.totalBytes,
    }),
  }),
});

const RemoveImageSuccessRef = builder.objectRef<ImageRemoval>('RemoveImageSuccess').implement({
  fields: (t) => ({
    untagged: t.exposeStringList('untagged', { description: 'References removed.' }),
    deleted: t.exposeStringList('deleted', { description: 'Image and layer ids deleted.' }),
  }),
});

const PruneImagesSuccessRef = builder.objectRef<ImagePrune>('PruneImagesSuccess').implement({
  fields: (t) => ({
    deleted: t.exposeStringList('deleted', { description: 'Image and layer ids deleted.' }),
    spaceReclaimedBytes: t.field({ type: 'SafeInt', resolve: (p) => p.spaceReclaimedBytes }),
  }),
});

/** A failed pull reaches the subscriber as this message's error (with its code), then the stream ends. */
function unwrap(update: PullUpdate): PullProgress {
  if (update instanceof StreamFailure) throw update.error;
  return update;
}

builder.queryFields((t) => ({
  images: t.field({
    type: [ImageRef],
    description: 'Tagged and dangling images on the engine, newest first.',
    args: { environment: t.arg.string(ENVIRONMENT_ARG) },
    resolve: (_, { environment }, context) => environmentOf(context, environment).images.list(),
  }),
}));

builder.mutationFields((t) => ({
  pullImage: t.field({
    type: ImageRef,
    description:
      'Pulls the image and answers once the pull has ended. A pull of the same reference already ' +
      'running (from another client, or a createContainer that needs the image) is joined, not repeated. ' +
      'Follow its progress with the imagePullProgress subscription. The pull goes on if the client leaves.',
    args: {
      reference: t.arg.string({ required: true, description: '`repository[:tag]` or `repository@digest`.' }),
      environment: t.arg.string(ENVIRONMENT_ARG),
    },
    errors: {
      dataField: { name: 'image' },
      types: [
        InvalidInputError,
        ImageNotFoundError,
        RegistryUnavailableError,
        ...CREDENTIAL_ERRORS,
        EngineUnavailableError,
        EnvironmentNotFoundError,
      ],
    },
    resolve: (_, { reference, environment }, context) =>
      environmentOf(context, environment).images.pullImage(validatePullRef(reference)),
  }),
  removeImage: t.field({
    type: RemoveImageSuccessRef,
    description:
      'Removes a reference (or an image by id): untags it, and deletes the image once no tag refers ' +
      'to it. Taking the last tag of an image a container uses is IMAGE_IN_USE without force.',
    args: {
      reference: t.arg.string({ required: true }),
      force: t.arg.boolean({
        defaultValue: false,
        description:
          'Delete it from under a stopped container (a running one’s image only loses the tag), ' +
          'or an id with several tags (INVALID_STATE without).',
      }),
      environment: t.arg.string(ENVIRONMENT_ARG),
    },
    errors: {
      directResult: true,
      types: [
        InvalidInputError,
        ImageNotFoundError,
        ImageInUseError,
        InvalidStateError,
        EngineUnavailableError,
        EnvironmentNotFoundError,
      ],
    },
    resolve: (_, { reference, force, environment }, context) =>
      environmentOf(context, environment).images.remove(validateImageRef(reference), force ?? false),
  }),
  pruneImages: t.field({
    type: PruneImagesSuccessRef,
    description: 'Deletes dangling images (no tag, no container), as `docker image prune` does.',
    args: { environment: t.arg.string(ENVIRONMENT_ARG) },
    errors: {
      directResult: true,
      types: [InvalidStateError, EngineUnavailableError, EnvironmentNotFoundError],
    },
    resolve: (_, { environment }, context) => environmentOf(context, environment).images.prune(),
  }),
}));

builder.subscriptionFields((t) => ({
  imagePullProgress: t.field({
    type: ImagePullProgressRef,
    description:
      'Follows the pull of a reference, per layer and in total, and ends after the message in state ' +
      'DONE, or with the pull’s typed error (IMAGE_NOT_FOUND, REGISTRY_UNAVAILABLE, …). The first ' +
      'message says where things stand: the latest progress of a pull in flight; DONE at once when ' +
      'none runs and the engine has the image; WAITING when it lacks it, and then the next pull of it ' +
      '(pullImage, or createContainer’s implicit pull) is followed. Slow readers get the newest snapshot.',
    args: { reference: t.arg.string({ required: true }), environment: t.arg.string(ENVIRONMENT_ARG) },
    subscribe: (_, { reference, environment }, context) =>
      environmentOf(context, environment).images.watch(validatePullRef(reference)),
    resolve: unwrap,
  }),
}));

import { EngineUnavailableError } from '../../shared/errors.js';
import { IMAGE_UPDATE_STATUSES, type ImageUpdate } from '../../domain/updates/model.js';
import { validatePullRef } from '../../domain/images/reference.js';
import { builder } from './builder.js';
import { ContainerRef } from './container.js';
import { StackServiceRef } from './stack.js';

/**
 * Image-update detection: whether a registry has a newer image under a tag a container runs.
 * Every field here answers from the domain's memory; only checkImageUpdates asks the registries.
 */

const ImageUpdateStatusEnum = builder.enumType('ImageUpdateStatus', {
  values: {
    UP_TO_DATE: { description: 'The registry’s digest for the tag is the one the engine pulled.' },
    AVAILABLE: { description: 'The registry has a different image under the tag: a pull would change it.' },
    UNKNOWN: {
      description:
        'Not known: the image has no digest from a registry (built or imported here), or the registry ' +
        'did not answer, refused or lacks the tag; `error` says which.',
    },
  } satisfies Record<(typeof IMAGE_UPDATE_STATUSES)[number], unknown>,
});

export const ImageUpdateRef = builder.objectRef<ImageUpdate>('ImageUpdate').implement({
  description:
    'The last check of one tag against its registry (a HEAD of its manifest: no pull). Kept in ' +
    'berth’s database: a restart answers it until the next check.',
  fields: (t) => ({
    reference: t.exposeString('reference', { description: 'Normalized: `busybox` is `busybox:latest`.' }),
    status: t.field({ type: ImageUpdateStatusEnum, resolve: (update) => update.status }),
    localDigest: t.exposeString('localDigest', {
      nullable: true,
      description:
        'The digest the engine recorded for the image the tag names on it; null when it has none. ' +
        'A container created before the last pull may still run an older image (see Container.imageId).',
    }),
    remoteDigest: t.exposeString('remoteDigest', {
      nullable: true,
      description: 'The registry’s manifest digest for the tag; null when it was not asked or did not say.',
    }),
    checkedAt: t.field({ type: 'DateTime', resolve: (update) => update.checkedAt }),
    since: t.field({
      type: 'DateTime',
      nullable: true,
      description:
        'When AVAILABLE was first seen for this local image; null unless AVAILABLE. Kept across restarts.',
      resolve: (update) => update.since,
    }),
    error: t.exposeString('error', { nullable: true, description: 'Why the status is UNKNOWN.' }),
  }),
});

const CheckImageUpdatesSuccessRef = builder
  .objectRef<{ updates: ImageUpdate[] }>('CheckImageUpdatesSuccess')
  .implement({
    fields: (t) => ({
      updates: t.field({
        type: [ImageUpdateRef],
        description: 'One per distinct tag the containers use, by reference.',
        resolve: (result) => result.updates,
      }),
    }),
  });

builder.mutationFields((t) => ({
  checkImageUpdates: t.field({
    type: CheckImageUpdatesSuccessRef,
    description:
      'Checks every tag a container uses against its registry now (one HEAD per distinct reference, ' +
      'no pull) and answers the results; a check already running is joined. A registry that does not ' +
      'answer or refuses makes that reference UNKNOWN with the reason in `error`, not an error here.',
    errors: { directResult: true, types: [EngineUnavailableError] },
    resolve: async (_, __, { imageUpdates }) => ({ updates: await imageUpdates.check() }),
  }),
}));

builder.subscriptionFields((t) => ({
  imageUpdates: t.field({
    type: ImageUpdateRef,
    description:
      'Each change of a tag’s status or digests, as checks (scheduled or checkImageUpdates) find ' +
      'them; only `reference`’s when given. A check that finds nothing new sends nothing.',
    args: { reference: t.arg.string({ description: '`repository[:tag]`, as a container names its image.' }) },
    subscribe: (_, { reference }, { imageUpdates }) =>
      imageUpdates.watch(
        reference === null || reference === undefined ? undefined : validatePullRef(reference),
      ),
    resolve: (update) => update,
  }),
}));

const imageUpdateDescription =
  'Whether the registry has a newer image under the tag this was created from, as the last check ' +
  'found; null when never checked (or no tag names the image: an id, or pinned by digest). Read ' +
  'from memory: never calls the engine or a registry.';

builder.objectField(ContainerRef, 'imageUpdate', (t) =>
  t.field({
    type: ImageUpdateRef,
    nullable: true,
    description: imageUpdateDescription,
    resolve: (container, _, { imageUpdates }) => imageUpdates.forImage(container.image),
  }),
);

builder.objectField(StackServiceRef, 'imageUpdate', (t) =>
  t.field({
    type: ImageUpdateRef,
    nullable: true,
    description: `${imageUpdateDescription} The image of the service's first container; null without containers.`,
    resolve: (service, _, { imageUpdates }) => {
      const first = service.containers[0];
      return first === undefined ? null : imageUpdates.forImage(first.image);
    },
  }),
);

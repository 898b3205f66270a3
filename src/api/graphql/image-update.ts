import {
  EngineUnavailableError,
  InvalidInputError,
  NotFoundError,
  StackNotFoundError,
} from '../../shared/errors.js';
import {
  AUTO_UPDATE_RESULTS,
  AUTO_UPDATE_TARGETS,
  type AutoUpdateOutcome,
  type ImageAutoUpdate,
} from '../../domain/updates/auto-update.js';
import { WEEKDAYS, windowOpen, type MaintenanceWindow } from '../../domain/updates/window.js';
import { IMAGE_UPDATE_STATUSES, type ImageUpdate } from '../../domain/updates/model.js';
import { validatePullRef } from '../../domain/images/reference.js';
import { builder } from './builder.js';
import { LOCAL_ENVIRONMENT } from '../../domain/environments/model.js';
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
        'On Container.imageUpdate and StackService.imageUpdate: the digest of the image the container ' +
        'runs, which is older than the tag’s when it was created before the last pull.',
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
  'Whether the registry has a newer image under the tag this was created from than the image it ' +
  'runs, as the last check found (a container left on an older image after a pull of the tag is ' +
  'AVAILABLE); null when never checked (or no tag names the image: an id, or pinned by digest). ' +
  'Read from memory: never calls the engine or a registry.';

builder.objectField(ContainerRef, 'imageUpdate', (t) =>
  t.field({
    type: ImageUpdateRef,
    nullable: true,
    description: imageUpdateDescription,
    // Checks compare the local engine's images only.
    resolve: (container, _, { imageUpdates }) =>
      container.environment === LOCAL_ENVIRONMENT ? imageUpdates.forContainer(container) : null,
  }),
);

builder.objectField(StackServiceRef, 'imageUpdate', (t) =>
  t.field({
    type: ImageUpdateRef,
    nullable: true,
    description: `${imageUpdateDescription} The first of the service's containers that is behind, else its first; null without containers.`,
    // Checks compare the local engine's images only: another environment's stack has none.
    resolve: (service, _, { imageUpdates }) => {
      const updates = service.containers
        .filter((container) => container.environment === LOCAL_ENVIRONMENT)
        .map((container) => imageUpdates.forContainer(container));
      return updates.find((update) => update?.status === 'AVAILABLE') ?? updates[0] ?? null;
    },
  }),
);

// Automatic updates in maintenance windows.

const AutoUpdateTargetEnum = builder.enumType('ImageAutoUpdateTarget', {
  values: {
    CONTAINER: { description: 'A standalone container, by name: redeployed health-gated.' },
    STACK: { description: 'A compose stack, by name: redeployed with a pull.' },
  } satisfies Record<(typeof AUTO_UPDATE_TARGETS)[number], unknown>,
});

const AutoUpdateResultEnum = builder.enumType('ImageAutoUpdateResult', {
  values: {
    UPDATED: { description: 'The new image runs, healthy.' },
    ROLLED_BACK: {
      description: 'The new image was not healthy: the new container was removed and the old one serves on.',
    },
    FAILED: { description: 'Nothing changed: the pull or the redeploy could not start; `message` says why.' },
  } satisfies Record<(typeof AUTO_UPDATE_RESULTS)[number], unknown>,
});

const WeekdayEnum = builder.enumType('Weekday', { values: WEEKDAYS });

const MaintenanceWindowRef = builder.objectRef<MaintenanceWindow>('MaintenanceWindow').implement({
  description: 'When automatic updates may run: from `start` to `end` on each of `days`, in `timeZone`.',
  fields: (t) => ({
    days: t.field({ type: [WeekdayEnum], resolve: (window) => window.days }),
    start: t.exposeString('start', { description: '`HH:MM`.' }),
    end: t.exposeString('end', {
      description: '`HH:MM` (or `24:00`); at or before `start`, the window ends on the next day.',
    }),
    timeZone: t.exposeString('timeZone', { description: 'An IANA time zone.' }),
  }),
});

const AutoUpdateOutcomeRef = builder.objectRef<AutoUpdateOutcome>('ImageAutoUpdateOutcome').implement({
  fields: (t) => ({
    at: t.field({ type: 'DateTime', resolve: (outcome) => outcome.at }),
    result: t.field({ type: AutoUpdateResultEnum, resolve: (outcome) => outcome.result }),
    message: t.exposeString('message'),
    reference: t.exposeString('reference', {
      description: 'The tag (a stack’s: each behind, comma-separated).',
    }),
    toDigest: t.exposeString('toDigest', {
      description: 'The registry digest it went to; an update to it that failed is not tried again.',
    }),
  }),
});

const ImageAutoUpdateRef = builder.objectRef<ImageAutoUpdate>('ImageAutoUpdate').implement({
  description:
    'A container or stack opted into automatic updates: when its window opens, and after each ' +
    'image-update check while it is open, it is updated if the last check found a newer image for it ' +
    '(health-gated, rolled back when unhealthy).',
  fields: (t) => ({
    kind: t.field({ type: AutoUpdateTargetEnum, resolve: (update) => update.kind }),
    name: t.exposeString('name'),
    enabled: t.exposeBoolean('enabled'),
    window: t.field({ type: MaintenanceWindowRef, resolve: (update) => update.window }),
    windowOpen: t.boolean({
      description: 'Whether the window is open now.',
      resolve: (update) => windowOpen(update.window, new Date()),
    }),
    running: t.exposeBoolean('running', { description: 'An automatic update of it runs now.' }),
    lastRun: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the last automatic update started.',
      resolve: (update) => update.lastRunAt,
    }),
    lastOutcome: t.field({
      type: AutoUpdateOutcomeRef,
      nullable: true,
      resolve: (update) => update.lastOutcome,
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (update) => update.createdAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (update) => update.updatedAt }),
  }),
});

const MaintenanceWindowInput = builder.inputType('MaintenanceWindowInput', {
  fields: (t) => ({
    days: t.field({ type: [WeekdayEnum], required: true }),
    start: t.string({ required: true, description: '`HH:MM`, 00:00 to 23:59.' }),
    end: t.string({
      required: true,
      description: '`HH:MM`, 00:00 to 24:00; at or before `start`, the window ends on the next day.',
    }),
    timeZone: t.string({ defaultValue: 'UTC', description: 'An IANA time zone (`Europe/Berlin`).' }),
  }),
});

const SetImageAutoUpdateInput = builder.inputType('SetImageAutoUpdateInput', {
  fields: (t) => ({
    container: t.string({ description: 'A container’s name (exactly one of container and stack).' }),
    stack: t.string({ description: 'A stack’s name.' }),
    enabled: t.boolean({ required: true }),
    window: t.field({
      type: MaintenanceWindowInput,
      description: 'Required the first time; left out, the saved one is kept.',
    }),
  }),
});

builder.queryFields((t) => ({
  imageAutoUpdates: t.field({
    type: [ImageAutoUpdateRef],
    description:
      'Every container and stack opted into automatic updates (or opted out again), with their last run.',
    resolve: (_, __, { autoUpdates }) => autoUpdates.list(),
  }),
}));

builder.mutationFields((t) => ({
  setImageAutoUpdate: t.field({
    type: ImageAutoUpdateRef,
    description:
      'Opts a container or stack into automatic updates (or out, with enabled: false) within a ' +
      'maintenance window. Takes effect when the window next opens, or at the next image-update ' +
      'check while it is open.',
    args: { input: t.arg({ type: SetImageAutoUpdateInput, required: true }) },
    errors: {
      dataField: { name: 'autoUpdate' },
      types: [InvalidInputError, NotFoundError, StackNotFoundError, EngineUnavailableError],
    },
    resolve: (_, { input }, { autoUpdates }) => autoUpdates.set(input),
  }),
}));

builder.subscriptionFields((t) => ({
  imageAutoUpdateChanges: t.field({
    type: ImageAutoUpdateRef,
    description:
      'Each change of an automatic-update target: opted in or out, a run started (running), a run ended (lastOutcome).',
    subscribe: (_, __, { autoUpdates }) => autoUpdates.watch(),
    resolve: (update) => update,
  }),
}));

import { validateContainerRef } from '../../domain/lifecycle/validation.js';
import type { ContainerService } from '../../domain/lifecycle/service.js';
import { InvalidInputError, NotFoundError } from '../../shared/errors.js';
import { CONTAINER_EVENT_TYPES, type ContainerEvent } from '../../domain/events/event-log.js';
import { StreamFailure } from '../../shared/stream-failure.js';
import type { HealthProbe } from '../../domain/containers/model.js';
import { builder } from './builder.js';
import { ALL_ENVIRONMENTS_ARG, ENVIRONMENT_ARG, environmentOf } from './environment-scope.js';
import { subscribeAcross } from '../../domain/events/spanning.js';
import { ContainerRef, HealthStatusEnum } from './container.js';
import {
  OUTAGE_DESCRIPTION,
  sayingWhenDown,
  throwIfDown,
  type EnvironmentDown,
} from './environment-outages.js';

/** Container events and health changes, resumable by cursor. */

const ContainerEventTypeEnum = builder.enumType('ContainerEventType', { values: CONTAINER_EVENT_TYPES });

export const HealthProbeRef = builder.objectRef<HealthProbe>('HealthProbe').implement({
  fields: (t) => ({
    exitCode: t.exposeInt('exitCode'),
    output: t.exposeString('output'),
    at: t.field({ type: 'DateTime', resolve: (p) => p.at }),
  }),
});

/**
 * A stream failure (SLOW_CONSUMER) reaches the client as this event's error, then the stream ends;
 * an environment going down as its ENGINE_UNAVAILABLE error, and the stream goes on.
 */
function unwrap(payload: ContainerEvent | StreamFailure | EnvironmentDown): ContainerEvent {
  if (payload instanceof StreamFailure) throw payload.error;
  return throwIfDown(payload);
}

const ContainerEventRef = builder.objectRef<ContainerEvent>('ContainerEvent').implement({
  fields: (t) => ({
    cursor: t.exposeString('cursor', {
      description:
        'Pass the last one received as `after` to resume. From an allEnvironments stream it holds ' +
        'where each environment stood, and resumes only such a stream.',
    }),
    environment: t.exposeString('environment', { description: 'The environment whose engine reported it.' }),
    type: t.field({ type: ContainerEventTypeEnum, resolve: (e) => e.type }),
    at: t.field({ type: 'DateTime', resolve: (e) => e.at }),
    containerId: t.exposeString('containerId'),
    container: t.field({
      type: ContainerRef,
      nullable: true,
      description: 'The container right after the event (as last seen, for DESTROY).',
      resolve: (e) => e.container,
    }),
    exitCode: t.exposeInt('exitCode', { nullable: true, description: 'For DIE.' }),
    health: t.field({ type: HealthStatusEnum, nullable: true, resolve: (e) => e.health }),
  }),
});

const HealthChangeRef = builder.objectRef<ContainerEvent>('HealthChange').implement({
  fields: (t) => ({
    container: t.field({ type: ContainerRef, nullable: true, resolve: (e) => e.container }),
    previous: t.field({ type: HealthStatusEnum, resolve: (e) => e.previousHealth ?? 'NONE' }),
    current: t.field({ type: HealthStatusEnum, resolve: (e) => e.health ?? 'NONE' }),
    at: t.field({ type: 'DateTime', resolve: (e) => e.at }),
    lastProbe: t.field({ type: HealthProbeRef, nullable: true, resolve: (e) => e.lastProbe }),
  }),
});

const ContainerEventFilterInput = builder.inputType('ContainerEventFilter', {
  fields: (t) => ({
    containerId: t.string({
      description: 'Full id, unique prefix or name; the stream ends after its DESTROY.',
    }),
    types: t.field({ type: [ContainerEventTypeEnum] }),
  }),
});

/** A container to watch: one the index knows, or the full id of one that may be gone already. */
function watchedId(reference: string | null | undefined, containers: ContainerService): string | undefined {
  if (reference == null) return undefined;
  const ref = validateContainerRef(reference, 'filter.containerId');
  try {
    return containers.get(ref).id;
  } catch (error) {
    if (error instanceof NotFoundError && /^[0-9a-f]{64}$/.test(ref)) return ref;
    throw error;
  }
}

builder.subscriptionFields((t) => ({
  containerEvents: t.field({
    type: ContainerEventRef,
    description:
      'Create, start, die, stop, restart, oom, destroy and health events. With `after`, first the events ' +
      'missed since that cursor (within the retention window, else CURSOR_EXPIRED), then live ones. ' +
      'With allEnvironments, the events of every environment the token may use in one stream: each ' +
      "environment's in its own order, a down one's arriving once its engine is back; its cursors " +
      'resume each environment from where it stood (filter.containerId is refused there).' +
      OUTAGE_DESCRIPTION +
      ' What its containers did meanwhile comes then, and cursors from before stay valid; with ' +
      'allEnvironments, each environment that goes down is named so while the others flow.',
    args: {
      filter: t.arg({ type: ContainerEventFilterInput }),
      after: t.arg.string({ description: 'The cursor of the last event received.' }),
      environment: t.arg.string(ENVIRONMENT_ARG),
      allEnvironments: t.arg.boolean(ALL_ENVIRONMENTS_ARG),
    },
    subscribe: (_, { filter, after, environment, allEnvironments }, context) => {
      const types = filter?.types ? new Set(filter.types) : undefined;
      if (allEnvironments) {
        if (filter?.containerId != null) {
          throw new InvalidInputError(
            'filter.containerId',
            'watch one container in its own environment (without allEnvironments)',
          );
        }
        const all = context.environments.list(context.principal);
        return sayingWhenDown(
          subscribeAcross(all, after ?? null, (e) => !types || types.has(e.type)),
          all,
        );
      }
      const scope = environmentOf(context, environment);
      const id = watchedId(filter?.containerId, scope.containers);
      return sayingWhenDown(
        scope.events.subscribe({
          after: after ?? null,
          filter: (e) => (!id || e.containerId === id) && (!types || types.has(e.type)),
          ...(id && { endsWith: (e: ContainerEvent) => e.containerId === id && e.type === 'DESTROY' }),
        }),
        [scope],
      );
    },
    resolve: unwrap,
  }),
  healthChanged: t.field({
    type: HealthChangeRef,
    description:
      'Each change of health, of one container (ending when it is removed) or of all.' + OUTAGE_DESCRIPTION,
    args: { containerId: t.arg.string(), environment: t.arg.string(ENVIRONMENT_ARG) },
    subscribe: (_, { containerId, environment }, context) => {
      const scope = environmentOf(context, environment);
      const id = watchedId(containerId, scope.containers);
      return sayingWhenDown(
        scope.events.subscribe({
          filter: (e) => e.type === 'HEALTH' && (!id || e.containerId === id),
          ...(id && { endsWith: (e: ContainerEvent) => e.containerId === id && e.type === 'DESTROY' }),
        }),
        [scope],
      );
    },
    resolve: unwrap,
  }),
}));

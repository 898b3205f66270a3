import type { SystemReport } from '../../domain/system/status.js';
import { builder } from './builder.js';
import { ENVIRONMENT_ARG, environmentOf } from './environment-scope.js';
import { EngineUnavailableReasonEnum } from './errors.js';

/** berth's view of itself and its engine. */

const EngineStatusRef = builder.objectRef<SystemReport['engine']>('EngineStatus').implement({
  fields: (t) => ({
    up: t.exposeBoolean('up', { description: 'Whether the engine answers a ping now.' }),
    dockerHost: t.exposeString('dockerHost'),
    reason: t.field({
      type: EngineUnavailableReasonEnum,
      nullable: true,
      description: 'Why the engine does not answer; null while it does.',
      resolve: (engine) => engine.reason,
    }),
    detail: t.exposeString('detail', {
      nullable: true,
      description: 'What berth saw, and how to fix it; null while the engine answers.',
    }),
  }),
});

const SystemRef = builder.objectRef<SystemReport>('System').implement({
  fields: (t) => ({
    engine: t.field({ type: EngineStatusRef, resolve: (s) => s.engine }),
    statsSource: t.exposeString('statsSource', {
      description: '`cgroup` (read from the host, cheap) or `docker-api` (the engine’s stats stream).',
    }),
    statsCollectors: t.exposeInt('statsCollectors', { description: 'Containers being sampled now.' }),
    indexedContainers: t.exposeInt('indexedContainers', {
      nullable: true,
      description: 'Containers in the index; null while it does not match the engine.',
    }),
  }),
});

builder.queryField('system', (t) =>
  t.field({
    type: SystemRef,
    description: 'berth and one environment’s engine, as /healthz reports the local one.',
    args: { environment: t.arg.string(ENVIRONMENT_ARG) },
    resolve: (_, { environment }, context) => environmentOf(context, environment).system.report(),
  }),
);

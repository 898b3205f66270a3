import type { LogLine } from '../../domain/logs/service.js';
import { validateContainerRef } from '../../domain/lifecycle/validation.js';
import { builder } from './builder.js';
import { ENVIRONMENT_ARG, environmentOf } from './environment-scope.js';
import { ContainerRef } from './container.js';
import { OUTAGE_DESCRIPTION, sayingWhenDown, throwIfDown } from './environment-outages.js';

/** Container output: the `logs` field and the `containerLogs` subscription. */

const LogStreamEnum = builder.enumType('LogStream', {
  values: {
    STDOUT: {},
    STDERR: {},
    SYSTEM: { description: 'A note from berth in the stream, e.g. lines dropped for a slow reader.' },
  } as const,
});

const LogLineRef = builder.objectRef<LogLine>('LogLine').implement({
  fields: (t) => ({
    stream: t.field({ type: LogStreamEnum, resolve: (line) => line.stream }),
    at: t.field({ type: 'DateTime', resolve: (line) => line.at }),
    text: t.exposeString('text'),
  }),
});

builder.objectField(ContainerRef, 'logs', (t) =>
  t.field({
    type: [LogLineRef],
    description:
      'Output lines, oldest first: the last 100 unless `tail` (at most 10000) or `since` say otherwise.',
    args: {
      tail: t.arg.int(),
      since: t.arg({ type: 'DateTime' }),
      until: t.arg({ type: 'DateTime' }),
      stdout: t.arg.boolean({ defaultValue: true }),
      stderr: t.arg.boolean({ defaultValue: true }),
    },
    resolve: (container, args, { environments }) =>
      environments.get(container.environment).logs.lines(container, args),
  }),
);

builder.subscriptionField('containerLogs', (t) =>
  t.field({
    type: LogLineRef,
    description:
      'New output lines as they are written (after the last `tail` lines or those `since`, when given), ' +
      'until the container stops or the client leaves. A reader that falls 10000 lines (or 16 MiB of lines) ' +
      'behind loses the oldest, told by a SYSTEM line.' +
      OUTAGE_DESCRIPTION +
      ' It then follows on from the last line delivered: the lines the engine kept meanwhile come, none twice.',
    args: {
      id: t.arg.string({ required: true }),
      tail: t.arg.int(),
      since: t.arg({ type: 'DateTime' }),
      stdout: t.arg.boolean({ defaultValue: true }),
      stderr: t.arg.boolean({ defaultValue: true }),
      environment: t.arg.string(ENVIRONMENT_ARG),
    },
    subscribe: async (_, { id, environment, ...request }, context) => {
      const scope = environmentOf(context, environment);
      const lines = await scope.logs.follow(
        scope.containers.get(validateContainerRef(id)),
        request,
        scope.index,
      );
      return sayingWhenDown(lines, [scope]);
    },
    resolve: throwIfDown,
  }),
);

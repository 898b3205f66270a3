import { LOCAL_ENVIRONMENT } from '../../domain/environments/model.js';
import { builder } from './builder.js';
import { ContainerRef } from './container.js';
import { ContainerStatsRef } from './stats.js';

/** Stats history: `Container.statsHistory`, read from the samples berth keeps in its database. */

builder.objectField(ContainerRef, 'statsHistory', (t) =>
  t.field({
    type: [ContainerStatsRef],
    description:
      'Recorded samples, oldest first, from `from` (default: 15 minutes before `to`) to `to` (default: now). ' +
      'Step 1 (the default while `from` lies within the 1 s samples kept, 15 minutes unless configured) ' +
      'answers the samples as taken. A larger step answers one point per step-aligned bucket that has ' +
      "samples, at the bucket's start: CPU and memory averaged over it, the other figures as of its last " +
      'sample. Ranges older than the 1 s samples take steps in whole minutes (default 60), read from the ' +
      '1-minute aggregates (kept 24 hours unless configured). INVALID_INPUT for `from` after `to`, a step ' +
      'under 1 or over the retention, or more than 12000 points.',
    args: {
      from: t.arg({ type: 'DateTime' }),
      to: t.arg({ type: 'DateTime' }),
      stepSeconds: t.arg.int(),
    },
    // berth records the local environment's samples only.
    resolve: (container, args, { history }) =>
      container.environment === LOCAL_ENVIRONMENT ? history.query(container.id, args) : [],
  }),
);

import SchemaBuilder from '@pothos/core';
import ErrorsPlugin from '@pothos/plugin-errors';
import type { ContainerService } from '../containers/service.js';
import type { ContainerEventLog } from '../events/event-log.js';
import type { ExecService } from '../exec/service.js';
import type { ImageService } from '../images/service.js';
import type { LogService } from '../logs/service.js';
import type { StatsHub } from '../stats/hub.js';
import type { SystemStatus } from '../system/status.js';

/** What every resolver receives: the services, never the engine client itself. */
export interface Context {
  containers: ContainerService;
  stats: StatsHub;
  events: ContainerEventLog;
  system: SystemStatus;
  logs: LogService;
  exec: ExecService;
  images: ImageService;
}

const capitalize = (name: string) => `${name.charAt(0).toUpperCase()}${name.slice(1)}`;

export const builder = new SchemaBuilder<{
  Context: Context;
  // Fields are non-null unless they say otherwise: a null is a statement, never an accident.
  DefaultFieldNullability: false;
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    SafeInt: { Input: number; Output: number };
  };
}>({
  plugins: [ErrorsPlugin],
  defaultFieldNullability: false,
  errors: {
    // `createContainer` answers `CreateContainerPayload = CreateContainerSuccess | …Error`.
    defaultUnionOptions: { name: ({ fieldName }) => `${capitalize(fieldName)}Payload` },
    defaultResultOptions: { name: ({ fieldName }) => `${capitalize(fieldName)}Success` },
  },
});

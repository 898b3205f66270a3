import { LOCAL_ENVIRONMENT, type EnvironmentServices } from '../../domain/environments/model.js';
import type { Context } from './builder.js';

/**
 * The `environment` argument every engine-bound field takes, spread into `t.arg.string(...)`.
 * Required with a default: a client that leaves it out means the local engine, and none can pass null.
 */
export const ENVIRONMENT_ARG = {
  required: true,
  defaultValue: LOCAL_ENVIRONMENT,
  description: 'The environment (Docker host) it is about; `local` (DOCKER_HOST) when omitted.',
} as const;

/** The `allEnvironments` argument of the fields that can span every environment (with t.arg.boolean). */
export const ALL_ENVIRONMENTS_ARG = {
  required: true,
  defaultValue: false,
  description: 'Every environment the token may use instead of `environment`.',
} as const;

/** The environment's services for this caller: the only way a resolver reaches an engine. */
export function environmentOf(context: Context, name: string): EnvironmentServices {
  return context.environments.get(name, context.principal);
}

/** Something read from one environment, carrying its name so its own fields resolve there too. */
export type InEnvironment<T> = T & { readonly environment: string };

export function inEnvironment<T extends object>(value: T, environment: string): InEnvironment<T> {
  return { ...value, environment };
}

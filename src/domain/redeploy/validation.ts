import { z } from 'zod';
import { isContainerName, validateContainerRef } from '../lifecycle/validation.js';
import { keyValueSchema, toInvalidInput } from '../../shared/validation.js';
import { isImageReference } from '../images/reference.js';
import { InvalidInputError } from '../../shared/errors.js';
import type { RedeployRequest } from './model.js';

/** The rules a redeploy request passes before any engine call. */

const MAX_VARIABLES = 1000;

const envNameSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(4096, 'is too long')
  .refine((value) => !value.includes('=') && !value.includes('\0'), 'must not contain "=" or NUL');

const schema = z.object({
  image: z
    .string()
    .refine(isImageReference, 'is not a valid image reference (e.g. "busybox:1.36" or "sha256:…")')
    .nullish(),
  env: z.array(keyValueSchema('env')).max(MAX_VARIABLES, `at most ${MAX_VARIABLES} variables`).nullish(),
  unsetEnv: z.array(envNameSchema).max(MAX_VARIABLES, `at most ${MAX_VARIABLES} variables`).nullish(),
  dryRun: z.boolean().nullish(),
  healthTimeoutSeconds: z
    .number()
    .int('must be a whole number of seconds')
    .min(1, 'must be between 1 and 3600')
    .max(3600, 'must be between 1 and 3600')
    .nullish(),
  drainSeconds: z
    .number()
    .min(0, 'must be between 0 and 600')
    .max(600, 'must be between 0 and 600')
    .nullish(),
  stopTimeoutSeconds: z
    .number()
    .int('must be a whole number of seconds')
    .min(0, 'must be between 0 and 3600')
    .max(3600, 'must be between 0 and 3600')
    .nullish(),
});

export const DEFAULT_HEALTH_TIMEOUT_SECONDS = 60;
export const DEFAULT_DRAIN_SECONDS = 5;

export interface RedeployArgs {
  id: unknown;
  image?: unknown;
  env?: unknown;
  unsetEnv?: unknown;
  dryRun?: unknown;
  healthTimeoutSeconds?: unknown;
  drainSeconds?: unknown;
  stopTimeoutSeconds?: unknown;
}

export function validateRedeploy(args: RedeployArgs): RedeployRequest {
  const reference = validateContainerRef(args.id, 'id');
  const { id: _id, ...rest } = args;
  const parsed = schema.safeParse(rest);
  if (!parsed.success) throw toInvalidInput(parsed.error, []);
  const value = parsed.data;
  const setEnv = value.env ?? [];
  const unsetEnv = value.unsetEnv ?? [];
  const seen = new Set<string>();
  setEnv.forEach(({ name }, i) => {
    if (seen.has(name)) throw new InvalidInputError(`env.${i}.name`, `"${name}" is given twice`);
    seen.add(name);
  });
  unsetEnv.forEach((name, i) => {
    if (seen.has(name)) throw new InvalidInputError(`unsetEnv.${i}`, `"${name}" is also set in env`);
  });
  return {
    reference,
    ...(value.image != null && { image: value.image }),
    setEnv,
    unsetEnv,
    dryRun: value.dryRun ?? false,
    healthTimeoutSeconds: value.healthTimeoutSeconds ?? DEFAULT_HEALTH_TIMEOUT_SECONDS,
    drainSeconds: value.drainSeconds ?? DEFAULT_DRAIN_SECONDS,
    ...(value.stopTimeoutSeconds != null && { stopTimeoutSeconds: value.stopTimeoutSeconds }),
  };
}

/**
 * A name for the old or new container while both exist: `<name>-old-<time>` / `<name>-next-<time>`,
 * cut so it stays a valid container name.
 */
export function sideName(name: string, role: 'old' | 'next', at: number): string {
  const suffix = `-${role}-${at.toString(36)}`;
  const candidate = `${name.slice(0, 255 - suffix.length)}${suffix}`;
  return isContainerName(candidate) ? candidate : `redeploy${suffix}`;
}

import { z } from 'zod';
import { InvalidInputError } from './errors.js';

/**
 * The validation pieces every domain's input rules share: text without NUL, name/value pairs,
 * label selectors, and one way to turn zod's first issue into INVALID_INPUT with a field path.
 */

const noNul = (what: string) => (value: string) => !value.includes('\0') || `${what} must not contain NUL`;

/** A string that may not hold NUL (the engine's API cuts strings there). */
export const refineText = (what: string) =>
  z.string().check((ctx) => {
    const verdict = noNul(what)(ctx.value);
    if (verdict !== true) ctx.issues.push({ code: 'custom', message: verdict, input: ctx.value });
  });

/** A name/value pair (env, labels): a name without `=`, values up to 128 KiB. */
export const keyValueSchema = (what: string) =>
  z.object({
    name: refineText(`${what} names`)
      .min(1, 'must not be empty')
      .max(4096, 'is too long')
      .refine((value) => !value.includes('='), 'must not contain "="'),
    value: refineText(`${what} values`).max(128 * 1024, 'is too long'),
  });

/** `key` or `key=value`, as the engine's label filters take it; a key has no blanks. */
export const labelSelectorSchema = z
  .string({ error: 'must be a string' })
  .max(4096, 'is too long')
  .refine((value) => /^[^\s=!][^\s=]*(=[^\0]*)?$/.test(value), 'must be "key" or "key=value"');

/** zod's first issue as INVALID_INPUT, its path under `prefix` (where the input sits for the caller). */
export function toInvalidInput(error: z.ZodError, prefix: readonly string[]): InvalidInputError {
  const issue = error.issues[0];
  const path = [...prefix, ...(issue?.path ?? []).map(String)];
  let message = issue?.message ?? 'is invalid';
  if (issue?.code === 'invalid_type' && issue.input === undefined) message = 'is required';
  return new InvalidInputError(path.join('.') || 'input', message);
}

/**
 * The engine berth was started against (DOCKER_HOST): always there, never removed. Here rather than
 * in domain/environments so that the services an environment is made of can name it too.
 */
export const LOCAL_ENVIRONMENT = 'local';

/** An environment's name: like a stack's (lowercase letters, digits, `-`, `_`), at most 63. */
export const ENVIRONMENT_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** Why `name` is not an environment's name, or null when it is one. */
export function environmentNameProblem(name: string): string | null {
  return ENVIRONMENT_NAME_PATTERN.test(name)
    ? null
    : 'an environment name is 1 to 63 lowercase letters, digits, dashes and underscores, starting with a letter or digit';
}

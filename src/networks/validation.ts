import { z } from 'zod';
import { keyValueSchema, toInvalidInput } from '../containers/validation.js';
import { NETWORK_DRIVERS, type CreateNetworkSpec, type NetworkFilter } from './model.js';
import { aliasesSchema, networkNameSchema, networkRefSchema } from './names.js';

/** The rules network requests pass before any engine call; errors name the argument. */

/** `key` or `key=value`, as the engine's label filters take it; a key has no blanks. */
export const labelSelectorSchema = z
  .string({ error: 'must be a string' })
  .max(4096, 'is too long')
  .refine((value) => /^[^\s=!][^\s=]*(=[^\0]*)?$/.test(value), 'must be "key" or "key=value"');

const createSchema = z.object({
  name: networkNameSchema,
  driver: z.enum(NETWORK_DRIVERS, { error: 'must be BRIDGE or OVERLAY' }).nullish(),
  internal: z.boolean({ error: 'must be true or false' }).nullish(),
  attachable: z.boolean({ error: 'must be true or false' }).nullish(),
  labels: z.array(keyValueSchema('label')).max(4096).nullish(),
});

export function validateCreateNetwork(input: unknown): CreateNetworkSpec {
  const parsed = createSchema.safeParse(input);
  if (!parsed.success) throw toInvalidInput(parsed.error, []);
  const { name, driver, internal, attachable, labels } = parsed.data;
  return {
    name,
    driver: driver ?? 'BRIDGE',
    internal: internal ?? false,
    attachable: attachable ?? false,
    labels: labels ?? [],
  };
}

export function validateNetworkRef(value: unknown, field = 'network'): string {
  const parsed = networkRefSchema.safeParse(value);
  if (!parsed.success) throw toInvalidInput(parsed.error, [field]);
  return parsed.data;
}

export function validateAliases(value: unknown, field = 'aliases'): string[] {
  const parsed = aliasesSchema.nullish().safeParse(value);
  if (!parsed.success) throw toInvalidInput(parsed.error, [field]);
  return parsed.data ?? [];
}

const filterSchema = z.object({
  name: z.string().max(128, 'is too long').nullish(),
  label: labelSelectorSchema.nullish(),
});

export function validateNetworkFilter(input: unknown): NetworkFilter {
  const parsed = filterSchema.safeParse(input ?? {});
  if (!parsed.success) throw toInvalidInput(parsed.error, ['filter']);
  const { name, label } = parsed.data;
  return { ...(name != null && name !== '' && { name }), ...(label != null && { label }) };
}

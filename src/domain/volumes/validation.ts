import { z } from 'zod';
import type { KeyValue } from '../containers/model.js';
import { keyValueSchema, labelSelectorSchema, toInvalidInput } from '../../shared/validation.js';
import type { VolumeFilter } from './model.js';
import { volumeNameSchema } from './names.js';

/** The rules volume requests pass before any engine call; errors name the argument. */

export function validateVolumeName(value: unknown, field = 'name'): string {
  const parsed = volumeNameSchema.safeParse(value);
  if (!parsed.success) throw toInvalidInput(parsed.error, [field]);
  return parsed.data;
}

const labelsSchema = z.array(keyValueSchema('label')).max(4096).nullish();

export function validateLabels(value: unknown, field = 'labels'): KeyValue[] {
  const parsed = labelsSchema.safeParse(value);
  if (!parsed.success) throw toInvalidInput(parsed.error, [field]);
  return parsed.data ?? [];
}

/** Which volumes a prune may touch: a label is required, so a prune never takes everyone's data. */
export function validatePruneLabel(value: unknown, field = 'label'): string {
  const parsed = labelSelectorSchema.safeParse(value);
  if (!parsed.success) throw toInvalidInput(parsed.error, [field]);
  return parsed.data;
}

const filterSchema = z.object({
  name: z.string().max(255, 'is too long').nullish(),
  label: labelSelectorSchema.nullish(),
});

export function validateVolumeFilter(input: unknown): VolumeFilter {
  const parsed = filterSchema.safeParse(input ?? {});
  if (!parsed.success) throw toInvalidInput(parsed.error, ['filter']);
  const { name, label } = parsed.data;
  return { ...(name != null && name !== '' && { name }), ...(label != null && { label }) };
}

import type { z } from 'zod';
import { toInvalidInput } from '../../shared/validation.js';
import { createSchema } from '../lifecycle/validation.js';
import type { KeyValue } from '../containers/model.js';

/**
 * A container spec as templates and backups keep it: createContainer's input after the same zod
 * schema validated it, still in the input's own shape. Kept in that shape (not as berth's internal
 * CreateContainerSpec) so it passes `validateCreateSpec` again when a container is made from it,
 * and so fields added to createContainer later are kept without any change here.
 */
export type TemplateSpec = z.output<typeof createSchema>;

const overridesSchema = createSchema.partial();

/** A spec whose every field may be left out, the image too: what createContainerFromTemplate merges. */
export type TemplateOverrides = z.output<typeof overridesSchema>;

/** Validates a full spec; `prefix` is where it sits in the caller's input (`["spec"]`). */
export function parseTemplateSpec(input: unknown, prefix: readonly string[]): TemplateSpec {
  const parsed = createSchema.safeParse(input);
  if (!parsed.success) throw toInvalidInput(parsed.error, prefix);
  return withoutNulls(parsed.data);
}

/** Validates overrides with createContainer's rules, every field optional. */
export function parseOverrides(input: unknown, prefix: readonly string[]): TemplateOverrides {
  const parsed = overridesSchema.safeParse(input ?? {});
  if (!parsed.success) throw toInvalidInput(parsed.error, prefix);
  return withoutNulls(parsed.data);
}

/**
 * The merge rules of createContainerFromTemplate, field by field:
 * - `env` and `labels` merge by name: an override replaces the template's variable of the same
 *   name where it stands, and new names are appended after the template's;
 * - `resources` merges by field (`memoryBytes`, `cpus`): an override of one keeps the other;
 * - every other field given replaces the template's whole (`ports`, `command`, `restartPolicy`,
 *   `healthcheck`, `mounts`, `capAdd`, …, and lists added to createContainer later), so `ports: []`
 *   publishes nothing;
 * - a field left out (or null) keeps the template's.
 */
export function applyOverrides(spec: TemplateSpec, overrides: TemplateOverrides): TemplateSpec {
  const merged: Record<string, unknown> = { ...spec };
  for (const [field, value] of Object.entries(overrides)) {
    if (value == null) continue;
    const base = merged[field];
    if ((field === 'env' || field === 'labels') && Array.isArray(base) && Array.isArray(value)) {
      merged[field] = mergeByName(base as KeyValue[], value as KeyValue[]);
    } else if (field === 'resources' && isPlainObject(base) && isPlainObject(value)) {
      merged[field] = { ...base, ...value };
    } else {
      merged[field] = value;
    }
  }
  return merged as TemplateSpec;
}

function mergeByName(base: readonly KeyValue[], overrides: readonly KeyValue[]): KeyValue[] {
  const result = base.map((entry) => ({ ...entry }));
  for (const entry of overrides) {
    const at = result.findIndex((existing) => existing.name === entry.name);
    if (at >= 0) result[at] = { ...entry };
    else result.push({ ...entry });
  }
  return result;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Drops null fields at every depth. In createContainer's input null and absent mean the same, and
 * a stored spec without them is the one a user would have written.
 */
export function withoutNulls<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item: unknown) => withoutNulls(item)) as T;
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, field]) => field != null)
      .map(([key, field]) => [key, withoutNulls(field)]),
  ) as T;
}

import type { KeyValue } from '../containers/model.js';
import type { EffectiveSpec, SpecChange } from './model.js';

/** The plan's diff: what a replacement changes, field by field, in the order a reader wants it. */

function byName(entries: readonly KeyValue[]): Map<string, string> {
  // Docker keeps the first of two entries with one name; so does the diff.
  const map = new Map<string, string>();
  for (const { name, value } of entries) if (!map.has(name)) map.set(name, value);
  return map;
}

function keyedChanges(prefix: string, before: readonly KeyValue[], after: readonly KeyValue[]): SpecChange[] {
  const was = byName(before);
  const will = byName(after);
  const names = [...new Set([...was.keys(), ...will.keys()])].sort();
  const changes: SpecChange[] = [];
  for (const name of names) {
    const a = was.get(name);
    const b = will.get(name);
    if (a === b) continue;
    const kind = a === undefined ? 'ADDED' : b === undefined ? 'REMOVED' : 'CHANGED';
    changes.push({ field: `${prefix}.${name}`, kind, before: a ?? null, after: b ?? null });
  }
  return changes;
}

/** Lists and objects are shown as JSON, so `["sh","-c","x y"]` keeps its word boundaries. */
function show(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

function scalarChange(field: string, before: unknown, after: unknown): SpecChange[] {
  const a = show(before);
  const b = show(after);
  if (a === b) return [];
  const kind = a === null ? 'ADDED' : b === null ? 'REMOVED' : 'CHANGED';
  return [{ field, kind, before: a, after: b }];
}

/** Empty strings and lists mean "not set" to the engine; the diff says null for them. */
const orNull = <T extends { length: number }>(value: T): T | null => (value.length > 0 ? value : null);

export function diffSpecs(before: EffectiveSpec, after: EffectiveSpec): SpecChange[] {
  return [
    ...scalarChange('image', before.image, after.image),
    // An unknown id (the image is still to be pulled) is no statement about a change.
    ...(after.imageId === null ? [] : scalarChange('imageId', before.imageId, after.imageId)),
    ...scalarChange('command', orNull(before.command), orNull(after.command)),
    ...scalarChange('entrypoint', orNull(before.entrypoint), orNull(after.entrypoint)),
    ...scalarChange('workingDir', orNull(before.workingDir), orNull(after.workingDir)),
    ...scalarChange('user', orNull(before.user), orNull(after.user)),
    ...scalarChange('healthcheck', before.healthcheck, after.healthcheck),
    ...scalarChange(
      'exposedPorts',
      orNull([...before.exposedPorts].sort()),
      orNull([...after.exposedPorts].sort()),
    ),
    ...keyedChanges('env', before.env, after.env),
    ...keyedChanges('labels', before.labels, after.labels),
  ];
}

/**
 * The container's own variables after the request: `set` adds or replaces, `unset` drops. Order is
 * kept (a replaced variable stays where it was), so an unchanged container diffs as unchanged.
 */
export function applyEnvChanges(
  own: readonly KeyValue[],
  set: readonly KeyValue[],
  unset: readonly string[],
): KeyValue[] {
  const drop = new Set(unset);
  const replacements = byName(set);
  const result: KeyValue[] = [];
  const seen = new Set<string>();
  for (const { name, value } of own) {
    if (drop.has(name) || seen.has(name)) continue;
    seen.add(name);
    result.push({ name, value: replacements.get(name) ?? value });
  }
  for (const [name, value] of replacements) if (!seen.has(name)) result.push({ name, value });
  return result;
}

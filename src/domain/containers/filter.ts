import type { Container, ContainerFilter } from './model.js';

/** Whether `container` passes `filter`: every given criterion must hold. */
export function matchesFilter(container: Container, filter: ContainerFilter): boolean {
  if (filter.status && container.status !== filter.status) return false;
  if (filter.name && !container.name.includes(filter.name)) return false;
  if (filter.label && !hasLabel(container, filter.label)) return false;
  if (filter.image && !sameImage(container, filter.image)) return false;
  return true;
}

/** `key` matches any value; `key=value` that value, as `docker ps --filter label=`. */
function hasLabel(container: Container, label: string): boolean {
  const at = label.indexOf('=');
  const key = at < 0 ? label : label.slice(0, at);
  const value = at < 0 ? undefined : label.slice(at + 1);
  return container.labels.some(
    (entry) => entry.name === key && (value === undefined || entry.value === value),
  );
}

/** An image filter matches the reference the container was created from, with or without `:latest`. */
function sameImage(container: Container, image: string): boolean {
  const normalise = (reference: string) => (/:[^/]+$|@/.test(reference) ? reference : `${reference}:latest`);
  return (
    container.imageId === image ||
    normalise(container.image) === normalise(image) ||
    container.imageId.startsWith(`sha256:${image}`)
  );
}

/** Newest first, as `docker ps`; ties broken by id so the order is stable. */
export function byNewest(a: Container, b: Container): number {
  return b.createdAt.getTime() - a.createdAt.getTime() || a.id.localeCompare(b.id);
}

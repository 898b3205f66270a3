import { isImageReference } from '../lifecycle/validation.js';
import { InvalidInputError } from '../../shared/errors.js';

/**
 * The reference a pull is known by, so that every spelling of one image shares one pull:
 * `busybox`, `library/busybox`, `docker.io/library/busybox` and `busybox:latest` are one image to
 * Docker, and its API wants the tag spelled out.
 */
export function normalizeReference(reference: string): string {
  const familiar = reference
    .replace(/^(?:docker\.io|index\.docker\.io)\//, '')
    .replace(/^library\/(?=[^/]+$)/, '');
  const lastSegment = familiar.slice(familiar.lastIndexOf('/') + 1);
  return familiar.includes('@') || lastSegment.includes(':') ? familiar : `${familiar}:latest`;
}

/** An image on the engine: a reference (`repo[:tag]`, `repo@digest`) or an image id. */
export function validateImageRef(value: string, field = 'reference'): string {
  if (!isImageReference(value)) {
    throw new InvalidInputError(field, 'is not a valid image reference (e.g. "busybox:1.36" or "sha256:…")');
  }
  return value;
}

/** Something a registry can serve: a reference, never an image id (Docker refuses 64-hex names too). */
export function validatePullRef(value: string, field = 'reference'): string {
  validateImageRef(value, field);
  if (/^(?:sha256:)?[0-9a-f]{64}$/.test(value)) {
    throw new InvalidInputError(field, 'is an image id; pull by repository and tag or digest');
  }
  return value;
}

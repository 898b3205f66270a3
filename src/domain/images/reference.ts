import { InvalidInputError } from '../../shared/errors.js';

// The distribution/reference grammar (what `docker pull` accepts), plus a bare image id.
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
// As Docker reads it, a first component is a registry only with a `.` or `:` in it, or as `localhost`:
// `Team/app` is a malformed repository, not the registry "Team".
const REFERENCE_PATTERN = new RegExp(
  `^(?:(?=[^/]*[.:]|localhost/)${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*(?::${TAG})?(?:@${DIGEST})?$`,
);
const IMAGE_ID_PATTERN = /^sha256:[0-9a-f]{64}$/;

/** What `docker pull` accepts as a reference (distribution/reference's grammar), or a bare image id. */
export function isImageReference(value: string): boolean {
  return value.length <= 255 && (REFERENCE_PATTERN.test(value) || IMAGE_ID_PATTERN.test(value));
}

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

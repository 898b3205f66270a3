import { normalizeReference } from '../images/reference.js';
import type { RegistryImage } from './model.js';

/** Docker Hub, as references leave it out and as the engine spells it in RepoDigests. */
export const DOCKER_HUB = 'docker.io';

/** Whether the first path component names a registry, as Docker reads it (a `.` or `:`, or `localhost`). */
function hasRegistry(name: string): boolean {
  const slash = name.indexOf('/');
  if (slash < 0) return false;
  const first = name.slice(0, slash);
  return first.includes('.') || first.includes(':') || first === 'localhost';
}

/**
 * Where a reference with a tag lives in its registry, or null for what no tag names: an image id,
 * or a reference pinned by digest (it cannot change under its name).
 */
export function registryImageOf(reference: string): RegistryImage | null {
  if (reference.includes('@') || /^(?:sha256:)?[0-9a-f]{64}$/.test(reference)) return null;
  const normalized = normalizeReference(reference);
  const colon = normalized.lastIndexOf(':');
  const name = normalized.slice(0, colon);
  const tag = normalized.slice(colon + 1);
  if (!hasRegistry(name)) {
    return { registry: DOCKER_HUB, repository: name.includes('/') ? name : `library/${name}`, tag };
  }
  const slash = name.indexOf('/');
  return { registry: name.slice(0, slash), repository: name.slice(slash + 1), tag };
}

/** `repository@digest` entries of an image's RepoDigests: the digest recorded for `image`'s repository. */
export function repoDigestFor(image: RegistryImage, repoDigests: readonly string[]): string | null {
  for (const entry of repoDigests) {
    const at = entry.indexOf('@');
    if (at < 0) continue;
    const where = registryImageOf(`${entry.slice(0, at)}:x`);
    if (where?.registry === image.registry && where.repository === image.repository) {
      return entry.slice(at + 1);
    }
  }
  return null;
}

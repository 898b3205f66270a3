import { InvalidInputError } from '../../shared/errors.js';

/**
 * Which registry an image reference is pulled from, by Docker's own rule (distribution/reference's
 * `splitDockerDomain`): the first path component is a registry only when it has a `.` or a `:`, or
 * is `localhost`; anything else is Docker Hub. `ghcr.io/team/app` is ghcr.io, `team/app` and
 * `busybox` are docker.io, `localhost:5000/app` is localhost:5000.
 */
export const DOCKER_HUB = 'docker.io';

// Docker Hub's other names, which the Docker CLI saves credentials under too: one credential serves all.
const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

export function registryHostOf(reference: string): string {
  const slash = reference.indexOf('/');
  if (slash === -1) return DOCKER_HUB;
  const first = reference.slice(0, slash);
  if (!first.includes('.') && !first.includes(':') && first !== 'localhost') return DOCKER_HUB;
  return canonicalHost(first);
}

/** Host names compare without case (ports and IPv6 brackets as written); Hub's aliases are one. */
export function canonicalHost(host: string): string {
  const lower = host.toLowerCase();
  return DOCKER_HUB_ALIASES.has(lower) ? DOCKER_HUB : lower;
}

const LABEL = '(?:[a-z0-9]|[a-z0-9][a-z0-9-]{0,61}[a-z0-9])';
const HOST_PATTERN = new RegExp(`^(?:${LABEL}(?:\\.${LABEL})*|\\[[0-9a-f:.]+\\])(?::(\\d{1,5}))?$`);

/**
 * A registry as a client names it for a credential: `ghcr.io`, `registry.example.com:5000`,
 * `127.0.0.1:5000`, `[::1]:5000`; as the Docker CLI also takes it, a scheme and Hub's old
 * `https://index.docker.io/v1/` are accepted and dropped. Answered as images name it, so the
 * credential matches by plain comparison with {@link registryHostOf}.
 */
export function validateRegistryHost(value: string, field = 'registry'): string {
  let host = value.trim().toLowerCase();
  const scheme = /^https?:\/\//.exec(host);
  if (scheme) {
    host = host.slice(scheme[0].length);
    // A URL's path says nothing of the registry (Hub's `/v1/`); only the host and port count.
    const slash = host.indexOf('/');
    if (slash !== -1) host = host.slice(0, slash);
  }
  const match = HOST_PATTERN.exec(host);
  const port = match?.[1] === undefined ? undefined : Number(match[1]);
  if (!match || host.length > 255 || (port !== undefined && (port < 1 || port > 65535))) {
    throw new InvalidInputError(
      field,
      'is not a registry host (e.g. "ghcr.io", "registry.example.com:5000" or "docker.io")',
    );
  }
  return canonicalHost(host);
}

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * One Docker CLI context as its store keeps it under the Docker configuration directory
 * (`docker context create`): `contexts/meta/<id>/meta.json` holds its name and its `docker`
 * endpoint, `contexts/tls/<id>/docker/` its TLS files, where `<id>` is the SHA-256 of the name.
 */
export interface DockerContext {
  name: string;
  /** The `docker` endpoint's Host (`tcp://…`, `ssh://…`, `unix://…`); undefined when it has none. */
  host: string | undefined;
  skipTlsVerify: boolean;
  /** The TLS files found for it (ca.pem, cert.pem, key.pem), each absent when missing. */
  tls: { ca?: Buffer; cert?: Buffer; key?: Buffer };
  /** Why its meta.json cannot be read; the rest is then empty. */
  problem?: string;
}

type ReadDir = (path: string) => string[];
type ReadFile = (path: string) => Buffer;

/**
 * Every context in `configDir` (DOCKER_CONFIG or ~/.docker); none when it has no contexts. Only
 * reads: whether and how a context becomes an environment is the caller's to decide. The Docker
 * CLI's implicit `default` context (DOCKER_HOST) is not in the store, so it is never among them.
 */
export function readDockerContexts(
  configDir: string,
  readDir: ReadDir = (path) => readdirSync(path),
  readFile: ReadFile = (path) => readFileSync(path),
): DockerContext[] {
  const metaDir = join(configDir, 'contexts', 'meta');
  let ids: string[];
  try {
    ids = readDir(metaDir);
  } catch {
    return [];
  }
  return ids.sort().map((id) => readContext(configDir, id, readFile));
}

function readContext(configDir: string, id: string, readFile: ReadFile): DockerContext {
  let meta: { Name?: unknown; Endpoints?: { docker?: { Host?: unknown; SkipTLSVerify?: unknown } } };
  try {
    meta = JSON.parse(
      readFile(join(configDir, 'contexts', 'meta', id, 'meta.json')).toString('utf8'),
    ) as typeof meta;
  } catch (error) {
    return {
      name: id,
      host: undefined,
      skipTlsVerify: false,
      tls: {},
      problem: `its meta.json cannot be read: ${(error as Error).message}`,
    };
  }
  const docker = meta.Endpoints?.docker;
  const tlsDir = join(configDir, 'contexts', 'tls', id, 'docker');
  const optional = (file: string) => {
    try {
      return readFile(join(tlsDir, file));
    } catch {
      return undefined;
    }
  };
  const [ca, cert, key] = [optional('ca.pem'), optional('cert.pem'), optional('key.pem')];
  return {
    name: typeof meta.Name === 'string' ? meta.Name : id,
    host: typeof docker?.Host === 'string' && docker.Host !== '' ? docker.Host : undefined,
    skipTlsVerify: docker?.SkipTLSVerify === true,
    tls: { ...(ca && { ca }), ...(cert && { cert }), ...(key && { key }) },
  };
}

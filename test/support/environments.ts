import type { App } from '../../src/app.js';
import type { EnvironmentServices } from '../../src/domain/environments/model.js';
import { parseDockerHost } from '../harness/docker.js';

/**
 * Adds a unix-socket engine (`unix:///…`) to a running berth in process, as addEnvironment would,
 * and waits for its index to sync unless told nothing listens there (an environment down from the start).
 */
export async function addSocketEnvironment(
  app: App,
  name: string,
  dockerHost: string,
  options: { waitForSync?: boolean } = {},
): Promise<EnvironmentServices> {
  const address = parseDockerHost(dockerHost);
  if (address.kind !== 'unix') throw new Error(`expected a unix socket, got ${dockerHost}`);
  const added = await app.context.environments.add({
    name,
    endpoint: dockerHost,
    connection: { kind: 'socket', socketPath: address.socketPath },
    source: 'API',
  });
  if (options.waitForSync ?? true) await added.index.whenSynced();
  return added;
}

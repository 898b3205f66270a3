import Docker from 'dockerode';
import type { EngineConnection } from '../platform/config.js';

/** Builds the dockerode client from the parsed connection, never from the environment directly. */
export function createDockerClient(engine: EngineConnection): Docker {
  if (engine.kind === 'socket') return new Docker({ socketPath: engine.socketPath });
  return new Docker({
    host: engine.host,
    port: engine.port,
    protocol: engine.protocol,
    ...(engine.tls && { ca: engine.tls.ca, cert: engine.tls.cert, key: engine.tls.key }),
  });
}

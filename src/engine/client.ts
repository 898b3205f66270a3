import Docker from 'dockerode';
import type { EngineConnection } from '../platform/config.js';
import { SshTransport, type SshTransportOptions } from './ssh-transport.js';

/** The dockerode client for one engine, and the connection it holds open (SSH), if any. */
export interface EngineClient {
  readonly docker: Docker;
  /** The SSH transport of an `ssh://` engine: its host key, its connections. */
  readonly ssh: SshTransport | undefined;
  /** Ends what the client holds open; a request after it fails. */
  close(): void;
}

/** Builds the dockerode client from the parsed connection, never from the environment directly. */
export function createDockerClient(engine: EngineConnection, ssh: SshTransportOptions = {}): EngineClient {
  switch (engine.kind) {
    case 'socket':
      return unheld(new Docker({ socketPath: engine.socketPath }));
    case 'tcp':
      return unheld(
        new Docker({
          host: engine.host,
          port: engine.port,
          protocol: engine.protocol,
          ...(engine.tls && { ca: engine.tls.ca, cert: engine.tls.cert, key: engine.tls.key }),
        }),
      );
    case 'ssh': {
      const transport = new SshTransport(engine, ssh);
      // Plain HTTP over the channels: SSH already encrypts and authenticates both ends.
      // docker-modem hands `agent` to every request; @types/dockerode does not list it.
      const options = { protocol: 'http', host: engine.host, port: engine.port, agent: transport.agent };
      const docker = new Docker(options as Docker.DockerOptions);
      return { docker, ssh: transport, close: () => transport.close() };
    }
  }
}

/** A socket or TCP engine: each request opens its own connection, so nothing stays to close. */
function unheld(docker: Docker): EngineClient {
  return { docker, ssh: undefined, close: () => undefined };
}

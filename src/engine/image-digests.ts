import type Docker from 'dockerode';
import type { LocalImageDigests } from '../domain/updates/ports.js';
import type { EngineConnection } from '../platform/config.js';
import { EngineCalls, onStatus, type EngineCall } from './calls.js';
import { createDockerClient } from './client.js';

/**
 * The digests the engine recorded for an image when it pulled or pushed it (RepoDigests), for
 * image-update detection. Apart from DockerImages, whose pulls another change is reworking; the
 * call is the same metered `image.inspect`.
 */
export class DockerImageDigests implements LocalImageDigests {
  readonly #calls: EngineCalls;

  constructor(calls: EngineCalls) {
    this.#calls = calls;
  }

  async repoDigests(reference: string): Promise<readonly string[] | null> {
    const info = await this.#calls.run<Docker.ImageInspectInfo | null>(
      'image.inspect',
      reference,
      (docker) => docker.getImage(reference).inspect(),
      { answer: onStatus(404, null) },
    );
    return info === null ? null : (info.RepoDigests ?? []);
  }
}

/**
 * Its own client and call wrapper on the engine connection, metered through the same `onCall`, so
 * DockerEngine (which other work is changing) stays as it is.
 */
export function dockerImageDigests(
  engine: EngineConnection,
  onCall: (call: EngineCall) => void,
): DockerImageDigests {
  return new DockerImageDigests(new EngineCalls(createDockerClient(engine), onCall));
}

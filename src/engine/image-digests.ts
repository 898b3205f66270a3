import type Docker from 'dockerode';
import type { LocalImageDigests } from '../domain/updates/ports.js';
import { onStatus, type EngineCalls } from './calls.js';

/**
 * The digests the engine recorded for an image when it pulled or pushed it (RepoDigests), for
 * image-update detection: the same metered `image.inspect` as everywhere, on DockerEngine's calls.
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

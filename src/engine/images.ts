import { createInterface } from 'node:readline';
import type Docker from 'dockerode';
import type { EngineImage, ImagePrune, ImageRemoval, PullEvent } from '../domain/images/model.js';
import type { RegistryAuth } from '../domain/images/ports.js';
import { onStatus, type EngineCalls } from './calls.js';
import { pullFailure } from './errors.js';

/** Docker's image endpoints, in berth's terms. Reached through `DockerEngine.images`. */

/** One line of Docker's JSON progress stream, as `POST /images/create` writes it. */
interface ProgressLine {
  id?: string;
  status?: string;
  progressDetail?: { current?: number; total?: number };
  error?: string;
  errorDetail?: { message?: string };
}

// Dangling images are listed with this placeholder by older engines, and with no tags by newer ones.
const NO_TAG = '<none>:<none>';

function toPullEvent(line: ProgressLine): PullEvent | null {
  if (line.status === undefined) return null;
  // Only layer lines carry `progressDetail`; "Pulling from <repo>" has an id too (the tag), but none.
  if (line.id === undefined || line.progressDetail === undefined)
    return { kind: 'status', status: line.status };
  const { current, total } = line.progressDetail;
  return {
    kind: 'layer',
    id: line.id,
    status: line.status,
    ...(current !== undefined && { currentBytes: current }),
    ...(total !== undefined && total > 0 && { totalBytes: total }),
  };
}

export class DockerImages {
  readonly #calls: EngineCalls;

  constructor(calls: EngineCalls) {
    this.#calls = calls;
  }

  /** Top-level images (the layers under them are not listed), dangling ones included. */
  async list(): Promise<EngineImage[]> {
    const infos = await this.#calls.run('image.list', 'images', (docker) => docker.listImages());
    return infos.map((info) => ({
      id: info.Id,
      tags: (info.RepoTags ?? []).filter((tag) => tag !== NO_TAG),
      sizeBytes: info.Size,
      createdAt: new Date(info.Created * 1000),
    }));
  }

  /** The image a reference or id names, or null when the engine does not have it. */
  async find(reference: string): Promise<EngineImage | null> {
    const info = await this.#calls.run<Docker.ImageInspectInfo | null>(
      'image.inspect',
      reference,
      (docker) => docker.getImage(reference).inspect(),
      { answer: onStatus(404, null) },
    );
    if (info === null) return null;
    return {
      id: info.Id,
      tags: info.RepoTags ?? [],
      sizeBytes: info.Size,
      createdAt: new Date(info.Created),
    };
  }

  /**
   * Pulls `reference` to completion, handing each progress line to `onEvent`, with the registry
   * credential the domain chose (if any). Docker answers 200 and reports a failed pull inside the
   * stream: that is a failure too.
   */
  async pull(reference: string, onEvent: (event: PullEvent) => void, auth?: RegistryAuth): Promise<void> {
    await this.#calls.stream(
      'image.pull',
      reference,
      // dockerode sends `authconfig` as the X-Registry-Auth header, never in the query string.
      (docker) => docker.pull(reference, auth ? { authconfig: { ...auth } } : {}),
      async (stream) => {
        for await (const text of createInterface({ input: stream, crlfDelay: Infinity })) {
          if (text.trim() === '') continue;
          const line = JSON.parse(text) as ProgressLine;
          if (line.error !== undefined || line.errorDetail !== undefined) {
            throw pullFailure(reference, line.errorDetail?.message ?? line.error ?? 'pull failed');
          }
          const event = toPullEvent(line);
          if (event) onEvent(event);
        }
      },
    );
  }

  /** Untags the reference and deletes what no longer has a tag or a container. */
  async remove(reference: string, force: boolean): Promise<ImageRemoval> {
    const answer = (await this.#calls.run('image.remove', reference, (docker) =>
      docker.getImage(reference).remove({ force }),
    )) as Docker.ImageRemoveInfo[];
    return {
      untagged: answer.flatMap((item) => item.Untagged ?? []),
      deleted: answer.flatMap((item) => item.Deleted ?? []),
    };
  }

  /** Deletes dangling images (no tag, no container), as `docker image prune` does. */
  async prune(): Promise<ImagePrune> {
    const answer = await this.#calls.run('image.prune', 'images', (docker) =>
      docker.pruneImages({ filters: { dangling: ['true'] } }),
    );
    return {
      deleted: (answer.ImagesDeleted ?? []).flatMap((item) => item.Deleted ?? []),
      spaceReclaimedBytes: answer.SpaceReclaimed ?? 0,
    };
  }
}

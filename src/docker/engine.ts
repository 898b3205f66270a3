import type Docker from 'dockerode';
import type { EngineConnection } from '../config.js';
import type { Container, ContainerFilter, CreateContainerSpec } from '../containers/model.js';
import { createDockerClient } from './client.js';
import { statusOf, toDomainError, type Operation } from './errors.js';
import { toContainer, toCreateOptions } from './mapping.js';

/**
 * berth's door to the Docker Engine. Everything above this class speaks in berth's own types and
 * typed errors; the engine's HTTP statuses and wire shapes stop here.
 */
export class DockerEngine {
  readonly #docker: Docker;

  constructor(engineOrClient: EngineConnection | Docker) {
    this.#docker = 'kind' in engineOrClient ? createDockerClient(engineOrClient) : engineOrClient;
  }

  async #call<T>(operation: Operation, subject: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw toDomainError(error, operation, subject);
    }
  }

  /** Whether the engine answers `/_ping` within `timeoutMs`. Never throws. */
  async ping(timeoutMs = 2000): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      return await Promise.race([
        this.#docker.ping().then(
          () => true,
          () => false,
        ),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Inspects by full id, unique id prefix or name; the engine resolves all three as the CLI does. */
  async inspect(reference: string): Promise<Container> {
    const info = await this.#call('inspect', reference, () =>
      this.#docker.getContainer(reference).inspect(),
    );
    return toContainer(info);
  }

  /**
   * Lists every container matching `filter`, inspected in full. Status and label are filtered by the
   * engine; name and image are matched here so that they mean "contains" and "created from".
   */
  async list(filter: ContainerFilter = {}): Promise<Container[]> {
    const filters: Record<string, string[]> = {};
    if (filter.status) filters['status'] = [filter.status.toLowerCase()];
    if (filter.label) filters['label'] = [filter.label];
    const summaries = await this.#call('list', 'containers', () =>
      this.#docker.listContainers({ all: true, filters: JSON.stringify(filters) }),
    );
    const inspected = await Promise.all(
      summaries.map((summary) =>
        // A container removed between the list and its inspect is simply gone from the answer.
        this.inspect(summary.Id).catch((error: unknown) => {
          if ((error as { code?: string }).code === 'NOT_FOUND') return null;
          throw error;
        }),
      ),
    );
    return inspected
      .filter((container): container is Container => container !== null)
      .filter((container) => !filter.name || container.name.includes(filter.name))
      .filter((container) => !filter.image || sameImage(container, filter.image))
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || a.id.localeCompare(b.id));
  }

  /** Creates the container and returns its id; a missing image is the caller's to pull. */
  async create(spec: CreateContainerSpec): Promise<string> {
    const created = await this.#call('create', spec.name ?? spec.image, () =>
      this.#docker.createContainer(toCreateOptions(spec)),
    );
    return created.id;
  }

  async imageExists(reference: string): Promise<boolean> {
    try {
      await this.#docker.getImage(reference).inspect();
      return true;
    } catch (error) {
      if (statusOf(error) === 404) return false;
      throw toDomainError(error, 'pull', reference);
    }
  }

  /** Pulls `reference` to completion; a failure reported inside the progress stream is a failure too. */
  async pull(reference: string): Promise<void> {
    const stream = await this.#call('pull', reference, () => this.#docker.pull(reference));
    await new Promise<void>((resolve, reject) => {
      this.#docker.modem.followProgress(
        stream,
        (error: unknown, events: { error?: string; errorDetail?: { message?: string } }[]) => {
          const failed = events?.find((event) => event.error !== undefined);
          if (error) reject(toDomainError(error, 'pull', reference));
          else if (failed) {
            const message = failed.errorDetail?.message ?? failed.error ?? 'pull failed';
            reject(toDomainError(new Error(message), 'pull', reference));
          } else resolve();
        },
      );
    });
  }

  /** Starts the container; starting a running one is not an error. */
  async start(id: string): Promise<void> {
    await this.#call('start', id, async () => {
      try {
        await this.#docker.getContainer(id).start();
      } catch (error) {
        if (statusOf(error) !== 304) throw error;
      }
    });
  }

  /** Stops the container; stopping a stopped one is not an error. */
  async stop(id: string, timeoutSeconds?: number): Promise<void> {
    await this.#call('stop', id, async () => {
      try {
        await this.#docker.getContainer(id).stop(timeoutSeconds === undefined ? {} : { t: timeoutSeconds });
      } catch (error) {
        if (statusOf(error) !== 304) throw error;
      }
    });
  }

  async restart(id: string, timeoutSeconds?: number): Promise<void> {
    await this.#call('restart', id, () =>
      this.#docker.getContainer(id).restart(timeoutSeconds === undefined ? {} : { t: timeoutSeconds }),
    );
  }

  async remove(id: string, options: { force: boolean; removeVolumes: boolean }): Promise<void> {
    await this.#call('remove', id, () =>
      this.#docker.getContainer(id).remove({ force: options.force, v: options.removeVolumes }),
    );
  }
}

/** An image filter matches the reference the container was created from, with or without `:latest`. */
function sameImage(container: Container, image: string): boolean {
  const normalise = (reference: string) =>
    /:[^/]+$|@/.test(reference) ? reference : `${reference}:latest`;
  return (
    container.imageId === image ||
    normalise(container.image) === normalise(image) ||
    container.imageId.startsWith(`sha256:${image}`)
  );
}


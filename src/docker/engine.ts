import type Docker from 'dockerode';
import type { EngineConnection } from '../config.js';
import type { Container, CreateContainerSpec } from '../containers/model.js';
import { NotFoundError } from '../errors.js';
import type { YogaLogger } from 'graphql-yoga';
import { createDockerClient } from './client.js';
import type { StatsSource } from '../stats/model.js';
import { EngineEventStream } from './events.js';
import { readEngineInfo, type EngineInfo } from './info.js';
import { DockerApiStatsSource } from './stats.js';
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

  /** Every container, inspected in full: the index's initial list and its re-list after a gap. */
  async listAll(): Promise<Container[]> {
    const summaries = await this.#call('list', 'containers', () => this.#docker.listContainers({ all: true }));
    const inspected = await Promise.all(
      summaries.map((summary) =>
        // A container removed between the list and its inspect is simply gone from the answer.
        this.inspect(summary.Id).catch((error: unknown) => {
          if (error instanceof NotFoundError) return null;
          throw error;
        }),
      ),
    );
    return inspected.filter((container): container is Container => container !== null);
  }

  /** What the engine says of its host: cgroup layout, CPUs, memory. */
  info(): Promise<EngineInfo> {
    return readEngineInfo(this.#docker);
  }

  /** Samples from the engine's own stats stream: works for any engine, at the daemon's expense. */
  apiStatsSource(log: YogaLogger): StatsSource {
    return new DockerApiStatsSource(this.#docker, (message, error) => log.warn(message, error));
  }

  /** The one `/events` stream for this engine; its owner (the container index) starts it. */
  eventStream(log: YogaLogger): EngineEventStream {
    return new EngineEventStream(this.#docker, log);
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

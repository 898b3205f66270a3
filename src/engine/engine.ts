import type Docker from 'dockerode';
import type { EngineConnection } from '../platform/config.js';
import type { CreateContainerSpec, EngineContainer } from '../domain/containers/model.js';
import { NotFoundError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { createDockerClient, type EngineClient } from './client.js';
import type { StatsSource } from '../domain/stats/model.js';
import type { DecodedLine, LineView } from '../domain/logs/model.js';
import type { LogFollow, LogQuery } from '../domain/logs/ports.js';
import type { ExecOutcome, ExecRequest } from '../domain/exec/ports.js';
import type { EngineInfo } from '../domain/system/ports.js';
import { EngineEventStream } from './events.js';
import { runExec } from './exec.js';
import { followLogs, readLogs } from './logs.js';
import { readEngineInfo } from './info.js';
import { DockerImages } from './images.js';
import { DockerImageDigests } from './image-digests.js';
import { DockerSwarm } from './swarm.js';
import { DockerNetworks } from './networks.js';
import { DockerVolumes } from './volumes.js';
import { DockerReadBack } from './read-back.js';
import { DockerRedeploy } from './redeploy.js';
import { DockerTerminals } from './terminal.js';
import { DockerApiStatsSource } from './stats.js';
import { EngineCalls, onStatus, type EngineCall } from './calls.js';
import { createRequest, toContainer, toCreateOptions } from './mapping.js';

export type { EngineCall } from './calls.js';

export interface DockerEngineOptions {
  /** Told of every engine call, after it settles (see EngineCalls). */
  onCall?: (call: EngineCall) => void;
  /** An `ssh://` engine without a fingerprint to check: told the first one seen (`SHA256:…`), which later connections must offer. */
  onHostKey?: (sha256: string) => void;
}

/**
 * berth's door to the Docker Engine. Everything above this class speaks in berth's own types and
 * typed errors; the engine's HTTP statuses and wire shapes stop here.
 */
export class DockerEngine {
  /** The one way to the engine: every part below calls through it. */
  readonly #calls: EngineCalls;
  /** Listing, pulling, removing and pruning images. */
  readonly images: DockerImages;
  /** Swarm nodes, services and tasks (a swarm manager only). */
  readonly swarm: DockerSwarm;
  /** Listing, creating and removing networks; connecting containers to them. */
  readonly networks: DockerNetworks;
  /** Listing, creating, removing and pruning volumes. */
  readonly volumes: DockerVolumes;
  /** Containers read back (as berth types) and images' defaults: for backups, and for redeploys. */
  readonly readBack: DockerReadBack;
  /** The read-back, creating a copy of a container, renaming, moving network endpoints. */
  readonly redeploy: DockerRedeploy;
  readonly imageDigests: DockerImageDigests;
  /** Interactive shells: execs with a TTY, started hijacked. */
  readonly terminals: DockerTerminals;
  readonly #client: EngineClient | undefined;

  constructor(engineOrClient: EngineConnection | Docker, options: DockerEngineOptions = {}) {
    this.#client =
      'kind' in engineOrClient
        ? createDockerClient(engineOrClient, {
            ...(options.onHostKey && { onHostKey: options.onHostKey }),
          })
        : undefined;
    const docker = this.#client?.docker ?? (engineOrClient as Docker);
    this.#calls = new EngineCalls(docker, options.onCall);
    this.images = new DockerImages(this.#calls);
    this.swarm = new DockerSwarm(this.#calls);
    this.networks = new DockerNetworks(this.#calls);
    this.volumes = new DockerVolumes(this.#calls);
    this.readBack = new DockerReadBack(this.#calls);
    this.redeploy = new DockerRedeploy(this.#calls, this.readBack);
    this.imageDigests = new DockerImageDigests(this.#calls);
    this.terminals = new DockerTerminals(this.#calls);
  }

  /** The host key fingerprint (`SHA256:…`) an `ssh://` engine's server last offered; else undefined. */
  get sshHostKeySha256(): string | undefined {
    return this.#client?.ssh?.hostKeySha256;
  }

  /**
   * Ends the connection this engine holds open (an `ssh://` engine's SSH connection); calls after
   * it fail as ENGINE_UNAVAILABLE. A client handed in by the caller is the caller's to end.
   */
  close(): void {
    this.#client?.close();
  }

  /** Whether the engine answers `/_ping` within `timeoutMs`. Never throws. */
  async ping(timeoutMs = 2000): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      return await Promise.race([
        this.#calls
          .run('ping', 'engine', (docker) => docker.ping())
          .then(
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
  async inspect(reference: string): Promise<EngineContainer> {
    const info = await this.#calls.run('inspect', reference, (docker) =>
      docker.getContainer(reference).inspect(),
    );
    return toContainer(info);
  }

  /** Every container, inspected in full: the index's initial list and its re-list after a gap. */
  async listAll(): Promise<EngineContainer[]> {
    const summaries = await this.#calls.run('list', 'containers', (docker) =>
      docker.listContainers({ all: true }),
    );
    const inspected = await Promise.all(
      summaries.map((summary) =>
        // A container removed between the list and its inspect is simply gone from the answer.
        this.inspect(summary.Id).catch((error: unknown) => {
          if (error instanceof NotFoundError) return null;
          throw error;
        }),
      ),
    );
    return inspected.filter((container): container is EngineContainer => container !== null);
  }

  /** The container's past output, as lines. */
  logs(id: string, tty: boolean, query: LogQuery): Promise<DecodedLine[]> {
    return readLogs(this.#calls, id, tty, query);
  }

  /** Follows the container's output; the caller must `close()` what it no longer reads. */
  followLogs(
    id: string,
    tty: boolean,
    query: LogQuery,
    handlers: { line: (line: LineView) => void; end: (error?: Error) => void },
  ): Promise<LogFollow> {
    return followLogs(this.#calls, id, tty, query, handlers);
  }

  /** Runs a command in a running container and collects what it prints. */
  exec(id: string, request: ExecRequest): Promise<ExecOutcome> {
    return runExec(this.#calls, id, request);
  }

  /** What the engine says of its host: cgroup layout, CPUs, memory. */
  info(): Promise<EngineInfo> {
    return readEngineInfo(this.#calls);
  }

  /** Samples from the engine's own stats stream: works for any engine, at the daemon's expense. */
  apiStatsSource(log: Logger): StatsSource {
    return new DockerApiStatsSource(this.#calls, (message, error) => log.warn(message, error));
  }

  /** The one `/events` stream for this engine; its owner (the container index) starts it. */
  eventStream(log: Logger): EngineEventStream {
    return new EngineEventStream(this.#calls, log);
  }

  /** Creates the container and returns its id; a missing image is the caller's to pull. */
  async create(spec: CreateContainerSpec): Promise<string> {
    const created = await this.#calls.run('create', spec.name ?? spec.image, (docker) =>
      docker.createContainer(createRequest(toCreateOptions(spec))),
    );
    // The create took the first network (older engines take only one); the others join now,
    // before anything starts. A container that cannot join them all is not left behind.
    try {
      for (const network of (spec.networks ?? []).slice(1)) {
        await this.networks.connect(network.name, created.id, network.aliases, network.ipv4Address);
      }
    } catch (error) {
      await this.remove(created.id, { force: true, removeVolumes: true }).catch(() => undefined);
      throw error;
    }
    return created.id;
  }

  /** Starts the container; starting a running one is not an error. */
  async start(id: string): Promise<void> {
    await this.#calls.run('start', id, (docker) => docker.getContainer(id).start(), {
      answer: onStatus(304, undefined),
    });
  }

  /** Stops the container; stopping a stopped one is not an error. */
  async stop(id: string, timeoutSeconds?: number): Promise<void> {
    await this.#calls.run(
      'stop',
      id,
      (docker) => docker.getContainer(id).stop(timeoutSeconds === undefined ? {} : { t: timeoutSeconds }),
      { answer: onStatus(304, undefined) },
    );
  }

  async restart(id: string, timeoutSeconds?: number): Promise<void> {
    await this.#calls.run('restart', id, (docker) =>
      docker.getContainer(id).restart(timeoutSeconds === undefined ? {} : { t: timeoutSeconds }),
    );
  }

  async remove(id: string, options: { force: boolean; removeVolumes: boolean }): Promise<void> {
    await this.#calls.run('remove', id, (docker) =>
      docker.getContainer(id).remove({ force: options.force, v: options.removeVolumes }),
    );
  }
}

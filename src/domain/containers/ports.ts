import type { EventEmitter } from 'node:events';
import type { CreateContainerSpec, EngineContainer } from './model.js';
import type { ContainerReadBack, ImageDefaults } from './read-back.js';

/**
 * What the container domain needs of an engine. The engine gateway (src/engine) implements these
 * ports; the domain never sees dockerode, HTTP statuses or wire shapes, only these types and the
 * typed errors of the catalog.
 */
export interface ContainerEngine {
  /** By full id, unique id prefix or name, as the engine resolves them. */
  inspect(reference: string): Promise<EngineContainer>;
  /** Every container, inspected in full. */
  listAll(): Promise<EngineContainer[]>;
  /** Creates the container (joining every network it names) and returns its id. */
  create(spec: CreateContainerSpec): Promise<string>;
  /** Starting a running container is not an error. */
  start(id: string): Promise<void>;
  /** Stopping a stopped container is not an error. */
  stop(id: string, timeoutSeconds?: number): Promise<void>;
  restart(id: string, timeoutSeconds?: number): Promise<void>;
  remove(id: string, options: { force: boolean; removeVolumes: boolean }): Promise<void>;
}

/** A container event as the engine reports it, trimmed to what berth uses. */
export interface EngineEvent {
  /** Docker's action, e.g. `start`, `die`, `health_status: healthy`. */
  action: string;
  id: string;
  /** Nanoseconds since the epoch: orders events and resumes the stream (`since`). */
  timeNano: bigint;
  attributes: Record<string, string>;
}

export interface EngineEventsMap {
  event: [EngineEvent];
  /** The stream is (re)connected; `resumed` when it picked up from the last event seen. */
  connected: [{ resumed: boolean }];
  disconnected: [Error];
}

/**
 * The engine's one event stream, owned by the container index: it reconnects, resumes and
 * de-duplicates on its own; the index starts it, listens and stops it.
 */
export interface EngineEvents extends EventEmitter<EngineEventsMap> {
  readonly connected: boolean;
  start(): void;
  stop(): void;
}

/**
 * Reads containers back from the engine (src/engine/read-back.ts), and images' defaults: what a
 * backup and a redeploy each derive their own input from. `Carried` is the engine's own record of
 * the rest of a container's settings, which the domain only hands back.
 */
export interface ContainerReader<Carried = unknown> {
  /** By full id, unique id prefix or name. */
  readBack(reference: string): Promise<ContainerReadBack<Carried>>;
  /** The image's own settings, or null when the engine does not have it. */
  imageDefaults(reference: string): Promise<ImageDefaults | null>;
}

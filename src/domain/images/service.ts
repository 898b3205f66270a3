import { EventEmitter } from 'node:events';
import { Repeater, SlidingBuffer } from '@repeaterjs/repeater';
import type { Logger } from '../../shared/logger.js';
import type { ContainerIndex } from '../containers/container-index.js';
import type { ImageEngine, RegistryAuthProvider } from './ports.js';
import { ImageNotFoundError } from '../../shared/errors.js';
import { StreamFailure } from '../../shared/stream-failure.js';
import type { Image, ImagePrune, ImageRemoval, PullEvent, PullProgress } from './model.js';
import { applyPullEvent, pullSnapshot } from './progress.js';
import { normalizeReference } from './reference.js';

/** What a pull subscriber receives: a snapshot, or (last) the failure that ended the pull. */
export type PullUpdate = PullProgress | StreamFailure;

interface InFlightPull {
  progress: PullProgress;
  readonly finished: Promise<void>;
}

/**
 * Images, once for GraphQL and for the container service's implicit pulls. Pulls are owned here:
 * one Docker pull per normalized reference at a time, whoever asks, with its progress fanned out
 * to every subscriber.
 */
export class ImageService {
  readonly #pulls = new Map<string, InFlightPull>();
  /** Progress by normalized reference: the event name is the reference. */
  readonly #updates = new EventEmitter<Record<string, [PullUpdate]>>();

  constructor(
    private readonly images: ImageEngine,
    private readonly index: ContainerIndex,
    private readonly log: Logger,
    private readonly credentials: RegistryAuthProvider = { authFor: () => null },
  ) {
    this.#updates.setMaxListeners(0);
  }

  /** Newest first, as the container list is. */
  async list(): Promise<Image[]> {
    const images = await this.images.list();
    const counts = this.#containerCounts();
    return images
      .map((image) => ({ ...image, containers: counts.get(image.id) ?? 0 }))
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  }

  /** The image a reference or id names, or null when the engine does not have it. */
  async find(reference: string): Promise<Image | null> {
    const image = await this.images.find(reference);
    return image && { ...image, containers: this.#containerCounts().get(image.id) ?? 0 };
  }

  /**
   * Containers by image id, from the container index, which knows them without an engine call
   * (Docker's own image list leaves its `Containers` count at -1 unless asked for disk usage).
   */
  #containerCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const { imageId } of this.index.list()) counts.set(imageId, (counts.get(imageId) ?? 0) + 1);
    return counts;
  }

  /** Pulls `reference` (or joins its pull) and answers the image the pull left on the engine. */
  async pullImage(reference: string): Promise<Image> {
    await this.pull(reference);
    const image = await this.find(normalizeReference(reference));
    if (!image) throw new ImageNotFoundError(reference, 'it was removed as soon as it was pulled');
    return image;
  }

  /**
   * Pulls `reference`, or joins the pull of it already running; resolves when it is done and
   * rejects with its typed error. A caller that goes away does not stop it: others may share it.
   */
  pull(reference: string): Promise<void> {
    const key = normalizeReference(reference);
    const running = this.#pulls.get(key);
    if (running) return running.finished;

    const publish = (update: PullUpdate) => this.#updates.emit(key, update);
    const pull: { progress: PullProgress } = { progress: pullSnapshot(key, 'PULLING') };
    // The entry leaves the map in the same tick as the last message goes out: a caller after that
    // starts a new pull, and no caller joins a pull whose end it will not hear.
    const finished = this.#startPull(key, (event) => {
      pull.progress = applyPullEvent(pull.progress, event);
      publish(pull.progress);
    }).then(
      () => {
        this.#pulls.delete(key);
        publish({ ...pull.progress, state: 'DONE' });
      },
      (error: unknown) => {
        this.#pulls.delete(key);
        publish(new StreamFailure(error instanceof Error ? error : new Error(String(error))));
        throw error;
      },
    );
    this.#pulls.set(key, Object.assign(pull, { finished }));
    publish(pull.progress);
    return finished;
  }

  /**
   * The engine's pull with the credential saved for the reference's registry, if any. A credential
   * that cannot be opened (no key, another key) fails the pull with its typed error rather than
   * pulling anonymously, which would only fail later with a less helpful one.
   */
  async #startPull(key: string, onEvent: (event: PullEvent) => void): Promise<void> {
    const auth = this.credentials.authFor(key);
    // The username, never the password: it says which credential a failed pull was tried with.
    this.log.info(auth ? `pulling ${key} as ${auth.username}@${auth.serveraddress}` : `pulling ${key}`);
    await this.images.pull(key, onEvent, ...(auth ? [auth] : []));
  }

  /**
   * Follows the pull of `reference` until it ends. The first message says where it stands: the
   * latest progress of a pull in flight; DONE when none is and the engine has the image; or
   * WAITING when it has not, and then the pull that someone starts next (`pullImage`, or a
   * `createContainer` that needs the image) is followed.
   */
  watch(reference: string): AsyncIterableIterator<PullUpdate> {
    const key = normalizeReference(reference);
    return new Repeater<PullUpdate>(async (push, stop) => {
      let heard = false;
      const deliver = (update: PullUpdate) => {
        heard = true;
        void push(update);
        if (update instanceof StreamFailure || update.state === 'DONE') stop();
      };
      this.#updates.on(key, deliver);
      const running = this.#pulls.get(key);
      if (running) deliver(running.progress);
      else {
        try {
          const present = (await this.images.find(key)) !== null;
          // A pull that started while we looked has been delivered already, and it is newer.
          if (!heard) deliver(pullSnapshot(key, present ? 'DONE' : 'WAITING'));
        } catch (error) {
          deliver(new StreamFailure(error as Error));
        }
      }
      await stop;
      this.#updates.off(key, deliver);
    }, new SlidingBuffer(1)); // snapshots: a slow reader wants the newest, not a backlog
  }

  /** Subscribers following `reference` now (tests check that leaving releases them). */
  watchers(reference: string): number {
    return this.#updates.listenerCount(normalizeReference(reference));
  }

  remove(reference: string, force: boolean): Promise<ImageRemoval> {
    return this.images.remove(reference, force);
  }

  prune(): Promise<ImagePrune> {
    return this.images.prune();
  }
}

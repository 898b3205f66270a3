import { EventEmitter } from 'node:events';
import { Repeater } from '@repeaterjs/repeater';
import type { Logger } from '../../shared/logger.js';
import type { Container } from '../containers/model.js';
import { normalizeReference } from '../images/reference.js';
import type { ContainerImageFinding, ImageUpdate, RegistryImage } from './model.js';
import type { LocalImageDigests, RegistryAuthLookup, RegistryManifests, RemoteDigest } from './ports.js';
import { registryImageOf, repoDigestFor } from './reference.js';
import type { ImageUpdateStore } from './store.js';

/** The containers to look at: the container index's list (which throws while it is out of step). */
export interface ContainerSource {
  list(): Container[];
}

export interface ImageUpdateOptions {
  /** Minutes between scheduled checks; 0: none (checkImageUpdates still checks). */
  intervalMinutes: number;
  /** The credential for a registry; anonymous unless a credential store says otherwise. */
  auth?: RegistryAuthLookup;
  log: Logger;
  /** Registries asked at once within one check. */
  concurrency?: number;
  now?: () => Date;
  /** Where results are kept across restarts; in memory only without one. */
  store?: ImageUpdateStore;
}

/** A tag in use: where it lives, and the image ids its containers run. */
interface InUse {
  image: RegistryImage;
  imageIds: Set<string>;
}

/**
 * Image-update detection. For every tag a container runs, compares the digest the engine recorded
 * at pull with the registry's manifest digest (a HEAD: no pull), on a schedule and on demand. One
 * check at a time, joined by whoever asks meanwhile; one registry request per distinct reference per
 * check, however many containers use it. The results are kept in memory, so reading them never
 * calls the engine or a registry, and in the database (with `since`), from which a restart starts.
 */
export class ImageUpdateService {
  readonly #state = new Map<string, ImageUpdate>();
  /**
   * Per reference, when the registry was first seen ahead of each digest behind it: the tag's own
   * and each older one a container still runs.
   */
  readonly #behindSince = new Map<string, Map<string, Date>>();
  readonly #changes = new EventEmitter<{ change: [ImageUpdate]; checked: [ImageUpdate[]] }>();
  readonly #auth: RegistryAuthLookup;
  readonly #concurrency: number;
  readonly #now: () => Date;
  #running: Promise<ImageUpdate[]> | null = null;
  /** When the last whole check asked (the newest result's checkedAt, kept across a restart). */
  #lastCheckAt: Date | null = null;
  #timer: NodeJS.Timeout | undefined;
  #abort = new AbortController();

  constructor(
    private readonly containers: ContainerSource,
    private readonly local: LocalImageDigests,
    private readonly registry: RegistryManifests,
    private readonly options: ImageUpdateOptions,
  ) {
    this.#auth = options.auth ?? (() => undefined);
    this.#concurrency = options.concurrency ?? 4;
    this.#now = options.now ?? (() => new Date());
    this.#changes.setMaxListeners(0);
    for (const { update, behindSince } of options.store?.list() ?? []) {
      this.#state.set(update.reference, update);
      this.#behindSince.set(update.reference, behindSince);
      if (this.#lastCheckAt === null || update.checkedAt > this.#lastCheckAt)
        this.#lastCheckAt = update.checkedAt;
    }
  }

  /**
   * Starts the schedule. The first scheduled check runs one interval after start, not at once: a
   * restart does not ask every registry again, and checkImageUpdates answers sooner when wanted.
   */
  start(): void {
    this.#abort = new AbortController();
    if (this.options.intervalMinutes <= 0) return;
    this.#timer = setInterval(() => {
      this.check().catch((error: unknown) => this.options.log.warn('image update check failed', error));
    }, this.options.intervalMinutes * 60_000);
    // The schedule alone never keeps the process alive.
    this.#timer.unref();
  }

  /** Stops the schedule and gives up the registry requests in flight. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#abort.abort();
    await this.#running?.catch(() => undefined);
  }

  /**
   * Checks every tag a container uses now and answers each reference's result; a check already
   * running is joined. ENGINE_UNAVAILABLE while the container index is out of step with the engine.
   */
  check(): Promise<ImageUpdate[]> {
    if (this.#running) return this.#running;
    let references: Map<string, InUse>;
    try {
      references = this.#referencesInUse();
    } catch (error) {
      return Promise.reject(error as Error);
    }
    const running = this.#checkAll(references).finally(() => {
      this.#running = null;
    });
    this.#running = running;
    return running;
  }

  /**
   * Whether the schedule's check is due: the last check is more than one interval old, or none is
   * known (none found a tag in use). Never without a schedule (interval 0): then only checkImageUpdates asks registries.
   */
  checkOverdue(): boolean {
    const interval = this.options.intervalMinutes * 60_000;
    if (interval <= 0) return false;
    return this.#lastCheckAt === null || this.#now().getTime() - this.#lastCheckAt.getTime() >= interval;
  }

  /** The last result for the image a container was created from; null when never checked. */
  forImage(reference: string): ImageUpdate | null {
    if (registryImageOf(reference) === null) return null;
    return this.#state.get(normalizeReference(reference)) ?? null;
  }

  /**
   * The last result for `container`'s tag as it bears on the container: compared with the image the
   * container runs, which after a pull of the tag may be older than the one the tag names (then
   * AVAILABLE, with that image's digest as `localDigest` and its own `since`). The tag's result as
   * it is when the container runs the tag's image or its image was not seen by the last check.
   */
  forContainer(container: Pick<Container, 'image' | 'imageId'>): ImageUpdate | null {
    const update = this.forImage(container.image);
    if (!update || update.status === 'UNKNOWN' || update.remoteDigest === null) return update;
    const running = update.imageDigests[container.imageId];
    if (running === undefined || running === null || running === update.localDigest) return update;
    const behind = running !== update.remoteDigest;
    return {
      ...update,
      status: behind ? 'AVAILABLE' : 'UP_TO_DATE',
      localDigest: running,
      since: behind ? (this.#behindSince.get(update.reference)?.get(running) ?? update.checkedAt) : null,
    };
  }

  /**
   * Whether `container` runs the image its registry has under its tag, as the last check found;
   * null when that is not known (never checked, the registry did not answer, or the image has no
   * digest from a registry).
   */
  findingFor(container: Pick<Container, 'image' | 'imageId'>): ContainerImageFinding | null {
    const update = this.forImage(container.image);
    if (!update || update.remoteDigest === null || update.status === 'UNKNOWN') return null;
    const runningDigest = update.imageDigests[container.imageId];
    if (runningDigest === undefined || runningDigest === null) return null;
    return {
      update,
      runningDigest,
      remoteDigest: update.remoteDigest,
      behind: runningDigest !== update.remoteDigest,
    };
  }

  /**
   * Checks `reference` again against the registry digest the last check found, asking only the
   * engine (after berth changed what runs it: an automatic update pulled and swapped it).
   */
  async recheckLocally(reference: string): Promise<ImageUpdate | null> {
    const normalized = normalizeReference(reference);
    const known = this.#state.get(normalized);
    const inUse = this.#referencesInUse().get(normalized);
    if (!known?.remoteDigest || !inUse) return null;
    const remote = { ok: true as const, digest: known.remoteDigest };
    const update = this.#record(await this.#checkOne(normalized, inUse, this.#abort.signal, remote));
    this.#changes.emit('checked', [update]);
    return update;
  }

  /** Calls `listener` with each check's results (scheduled, on demand, or local); answers how to stop. */
  onChecked(listener: (updates: ImageUpdate[]) => void): () => void {
    this.#changes.on('checked', listener);
    return () => this.#changes.off('checked', listener);
  }

  /** Every result kept, by reference. */
  all(): ImageUpdate[] {
    return [...this.#state.values()].sort((a, b) => a.reference.localeCompare(b.reference));
  }

  /**
   * Each change of a reference's status or digests, as checks find them; only `reference`'s when
   * given. Ends when the client leaves.
   */
  watch(reference?: string): AsyncIterableIterator<ImageUpdate> {
    const only = reference === undefined ? undefined : normalizeReference(reference);
    return new Repeater<ImageUpdate>(async (push, stop) => {
      const deliver = (update: ImageUpdate) => {
        if (only === undefined || update.reference === only) void push(update);
      };
      this.#changes.on('change', deliver);
      await stop;
      this.#changes.off('change', deliver);
    });
  }

  /** Subscribers now (tests check that leaving releases them). */
  watchers(): number {
    return this.#changes.listenerCount('change');
  }

  #referencesInUse(): Map<string, InUse> {
    const references = new Map<string, InUse>();
    for (const container of this.containers.list()) {
      const image = registryImageOf(container.image);
      if (!image) continue;
      const reference = normalizeReference(container.image);
      const inUse = references.get(reference) ?? { image, imageIds: new Set<string>() };
      inUse.imageIds.add(container.imageId);
      references.set(reference, inUse);
    }
    return references;
  }

  async #checkAll(references: Map<string, InUse>): Promise<ImageUpdate[]> {
    const queue = [...references];
    const results: ImageUpdate[] = [];
    const signal = this.#abort.signal;
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        if (signal.aborted) return;
        const [reference, inUse] = next;
        results.push(this.#record(await this.#checkOne(reference, inUse, signal)));
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#concurrency, queue.length) }, worker));
    // References no container uses any more are forgotten.
    for (const reference of this.#state.keys()) {
      if (!references.has(reference)) {
        this.#state.delete(reference);
        this.#behindSince.delete(reference);
        this.#forget(reference);
      }
    }
    results.sort((a, b) => a.reference.localeCompare(b.reference));
    if (!signal.aborted) {
      for (const { checkedAt } of results) {
        if (this.#lastCheckAt === null || checkedAt > this.#lastCheckAt) this.#lastCheckAt = checkedAt;
      }
      this.#changes.emit('checked', results);
    }
    return results;
  }

  async #checkOne(
    reference: string,
    { image, imageIds }: InUse,
    signal: AbortSignal,
    knownRemote?: RemoteDigest,
  ): Promise<Omit<ImageUpdate, 'since'>> {
    const checkedAt = this.#now();
    const unknown = (
      error: string,
      localDigest: string | null = null,
      remoteDigest: string | null = null,
    ) => ({
      reference,
      status: 'UNKNOWN' as const,
      localDigest,
      remoteDigest,
      checkedAt,
      error,
      imageDigests: {},
    });
    let repoDigests: readonly string[] | null;
    try {
      repoDigests = await this.local.repoDigests(reference);
    } catch (error) {
      return unknown(`the engine could not be asked for the image: ${(error as Error).message}`);
    }
    if (repoDigests === null) return unknown(`the engine has no image tagged ${reference}`);
    const localDigest = repoDigestFor(image, repoDigests);
    // Nothing to compare with: asking the registry would tell nothing about this image.
    if (localDigest === null) {
      return unknown('the image has no digest from its registry (built or imported here, or never pulled)');
    }
    const remote =
      knownRemote ?? (await this.registry.manifestDigest(image, this.#auth(image.registry), signal));
    if (!remote.ok) return unknown(remote.reason, localDigest);
    return {
      reference,
      status: remote.digest === localDigest ? 'UP_TO_DATE' : 'AVAILABLE',
      localDigest,
      remoteDigest: remote.digest,
      checkedAt,
      error: null,
      imageDigests: await this.#digestsOf(image, imageIds),
    };
  }

  /** The registry digest of each image a container runs: engine reads, never the registry. */
  async #digestsOf(image: RegistryImage, imageIds: Set<string>): Promise<Record<string, string | null>> {
    const digests: Record<string, string | null> = {};
    for (const id of imageIds) {
      try {
        const repoDigests = await this.local.repoDigests(id);
        digests[id] = repoDigests === null ? null : repoDigestFor(image, repoDigests);
      } catch {
        // Removed meanwhile, or the engine hiccuped: this container's image stays unknown.
        digests[id] = null;
      }
    }
    return digests;
  }

  #persist(update: ImageUpdate): void {
    try {
      this.options.store?.put({
        update,
        behindSince: this.#behindSince.get(update.reference) ?? new Map(),
      });
    } catch (error) {
      this.options.log.warn(`image updates: could not keep the result for ${update.reference}`, error);
    }
  }

  #forget(reference: string): void {
    try {
      this.options.store?.remove(reference);
    } catch (error) {
      this.options.log.warn(`image updates: could not forget ${reference}`, error);
    }
  }

  /**
   * Keeps a result, with `since` carried over for each digest (the tag's, and each one a container
   * runs) while it stays behind the registry's.
   */
  #record(result: Omit<ImageUpdate, 'since'>): ImageUpdate {
    const { reference, remoteDigest } = result;
    const seen = this.#behindSince.get(reference) ?? new Map<string, Date>();
    // A registry that failed to answer once does not reset them; an answer does.
    if (result.status !== 'UNKNOWN' && remoteDigest !== null) {
      const behind = new Map<string, Date>();
      for (const digest of [result.localDigest, ...Object.values(result.imageDigests)]) {
        if (digest === null || digest === remoteDigest) continue;
        behind.set(digest, seen.get(digest) ?? result.checkedAt);
      }
      this.#behindSince.set(reference, behind);
    }
    const since =
      result.status === 'AVAILABLE' && result.localDigest !== null
        ? (this.#behindSince.get(reference)?.get(result.localDigest) ?? result.checkedAt)
        : null;
    const update: ImageUpdate = { ...result, since };
    const previous = this.#state.get(reference);
    this.#state.set(reference, update);
    this.#persist(update);
    if (
      previous?.status !== update.status ||
      previous.localDigest !== update.localDigest ||
      previous.remoteDigest !== update.remoteDigest
    ) {
      this.#changes.emit('change', update);
    }
    return update;
  }
}

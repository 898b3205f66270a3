import { EventEmitter } from 'node:events';
import type { Logger } from '../../shared/logger.js';
import type { ContainerEngine, EngineEvent, EngineEvents } from './ports.js';
import { AmbiguousIdError, EngineUnavailableError, NotFoundError } from '../../shared/errors.js';
import { byNewest, matchesFilter } from './filter.js';
import type { Container, ContainerFilter, EngineContainer } from './model.js';

/** What happened to one container, after the index applied it. */
export interface ContainerChange {
  /** Docker's action (`start`, `die`, `health_status: healthy`, …), or one the re-list derived. */
  action: string;
  containerId: string;
  at: Date;
  attributes: Record<string, string>;
  previous: Container | undefined;
  /** undefined once the container is gone. */
  current: Container | undefined;
}

interface ContainerIndexEvents {
  change: [ContainerChange];
  /** The index matches the engine again after a start or a gap. */
  synced: [];
  /** The engine stopped answering while the index matched it: once per outage. */
  unavailable: [];
  /** The index matches the engine again after an `unavailable`: the end of that outage. */
  available: [];
}

// Actions that do not change what berth shows of a container.
const IGNORED_ACTIONS = /^(exec_|attach|resize|top|copy|archive-path|extract-to-dir|export|commit)/;

/**
 * Every container on the engine, kept current by the engine's event stream rather than by
 * polling, so queries answer from memory. After a gap in the stream it re-lists, and it refuses
 * to answer (ENGINE_UNAVAILABLE) while it cannot be sure it matches the engine.
 */
export class ContainerIndex extends EventEmitter<ContainerIndexEvents> {
  readonly #containers = new Map<string, Container>();
  /**
   * #containers newest first, kept between changes: every list answers from it instead of sorting
   * again, which an all-environments list did once per environment per request (bench B11).
   */
  #newestFirst: Container[] | undefined;
  // Engine work is applied in arrival order: an event's inspect never overtakes an earlier one.
  #queue: Promise<void> = Promise.resolve();
  /** Inspects are numbered; one that started before the latest applied one for an id is stale. */
  #sequence = 0;
  readonly #applied = new Map<string, number>();
  #synced = false;
  #everSynced = false;
  /** 'unavailable' was emitted and its 'available' is still due. */
  #down = false;
  /**
   * What the last re-list reported on its own, by container, and when it looked: the engine may
   * replay those same events after reconnecting, and they are applied but not reported twice.
   */
  #derived = new Map<string, Set<string>>();
  #derivedAtNano = 0n;
  #stopped = false;

  constructor(
    private readonly engine: ContainerEngine,
    private readonly events: EngineEvents,
    private readonly log: Logger,
    /** The environment this index mirrors: every container it keeps says so. */
    readonly environment: string,
  ) {
    super();
    this.setMaxListeners(0);
    events.on('connected', () => this.#enqueue(() => this.#resync()));
    events.on('disconnected', () => {
      const wasSynced = this.#synced;
      this.#synced = false;
      if (wasSynced) {
        this.#down = true;
        this.emit('unavailable');
      }
    });
    events.on('event', (event) => this.#enqueue(() => this.#apply(event)));
  }

  start(): void {
    this.#stopped = false;
    this.events.start();
  }

  stop(): void {
    this.#stopped = true;
    this.events.stop();
  }

  /** True while the index is known to match the engine. */
  get available(): boolean {
    return this.#synced;
  }

  /** Resolves once the index matches the engine (tests and benchmarks wait on it). */
  whenSynced(): Promise<void> {
    return this.#synced ? Promise.resolve() : new Promise((resolve) => this.once('synced', resolve));
  }

  list(filter: ContainerFilter = {}): Container[] {
    this.#assertAvailable();
    this.#newestFirst ??= [...this.#containers.values()].sort(byNewest);
    // A new array each time: the caller owns it. Filtering keeps the order.
    return this.#newestFirst.filter((c) => matchesFilter(c, filter));
  }

  /** The container a reference names, as the Docker CLI resolves it: full id, then name, then id prefix. */
  resolve(reference: string): Container {
    this.#assertAvailable();
    const exact = this.#containers.get(reference);
    if (exact) return exact;
    const byName = [...this.#containers.values()].find((c) => c.name === reference);
    if (byName) return byName;
    const byPrefix = /^[0-9a-f]+$/.test(reference)
      ? [...this.#containers.values()].filter((c) => c.id.startsWith(reference))
      : [];
    if (byPrefix.length > 1) throw new AmbiguousIdError(reference);
    if (byPrefix[0]) return byPrefix[0];
    throw new NotFoundError(reference);
  }

  /** The container by full id, if known; never throws. */
  peek(id: string): Container | undefined {
    return this.#containers.get(id);
  }

  /**
   * Inspects `id` now and stores the answer: how a mutation makes its own effect visible to the
   * next query (read-your-writes) without waiting for the engine's event.
   */
  async refresh(id: string): Promise<Container | undefined> {
    const sequence = ++this.#sequence;
    try {
      const container = this.#stamp(await this.engine.inspect(id));
      this.#store(container, sequence);
      return this.#containers.get(container.id);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      this.#drop(id, sequence);
      return undefined;
    }
  }

  /** Calls `listener` once when the container is destroyed; returns a function that cancels it. */
  onGone(id: string, listener: () => void): () => void {
    const watch = (change: ContainerChange) => {
      if (change.containerId !== id || change.action !== 'destroy') return;
      this.off('change', watch);
      listener();
    };
    this.on('change', watch);
    return () => this.off('change', watch);
  }

  /** Forgets a container berth has just removed. */
  forget(id: string): void {
    this.#drop(id, ++this.#sequence);
  }

  #assertAvailable(): void {
    if (!this.#synced) {
      throw new EngineUnavailableError(
        this.events.connected ? 'berth is catching up with the engine' : 'the engine does not answer',
        undefined,
        this.environment,
      );
    }
  }

  #enqueue(task: () => Promise<void>): void {
    this.#queue = this.#queue.then(task).catch((error: unknown) => {
      this.log.error('container index update failed', error);
    });
  }

  #stamp(described: EngineContainer): Container {
    return { ...described, environment: this.environment };
  }

  #store(container: Container, sequence: number): void {
    if ((this.#applied.get(container.id) ?? -1) > sequence) return;
    this.#applied.set(container.id, sequence);
    this.#containers.set(container.id, container);
    this.#newestFirst = undefined;
  }

  #drop(id: string, sequence: number): void {
    if ((this.#applied.get(id) ?? -1) > sequence) return;
    this.#applied.set(id, sequence);
    this.#containers.delete(id);
    this.#newestFirst = undefined;
  }

  async #apply(event: EngineEvent): Promise<void> {
    if (IGNORED_ACTIONS.test(event.action)) return;
    const previous = this.#containers.get(event.id);
    let current: Container | undefined;
    if (event.action === 'destroy') {
      this.forget(event.id);
    } else {
      try {
        current = await this.refresh(event.id);
      } catch (error) {
        // The engine went away mid-update; the re-list after reconnecting settles this container.
        this.log.debug(`could not inspect ${event.id} after ${event.action}: ${(error as Error).message}`);
        return;
      }
    }
    const replayOfDerived =
      event.timeNano <= this.#derivedAtNano && this.#derived.get(event.id)?.delete(event.action) === true;
    if (replayOfDerived) return;
    this.emit('change', {
      action: event.action,
      containerId: event.id,
      at: new Date(Number(event.timeNano / 1_000_000n)),
      attributes: event.attributes,
      previous,
      current,
    });
  }

  /**
   * Lists everything again and emits what changed meanwhile: after a gap the engine may replay
   * fewer events than happened (it keeps a short buffer, and none across its own restart).
   */
  async #resync(): Promise<void> {
    if (this.#stopped) return;
    const sequence = ++this.#sequence;
    const startedAtNano = BigInt(Date.now()) * 1_000_000n;
    let all: EngineContainer[];
    try {
      all = await this.engine.listAll();
    } catch (error) {
      this.log.warn(`re-listing containers failed: ${(error as Error).message}`);
      return;
    }
    const now = new Date();
    const seen = new Set<string>();
    const changes: ContainerChange[] = [];
    for (const described of all) {
      seen.add(described.id);
      const previous = this.#containers.get(described.id);
      const container = this.#stamp(described);
      this.#store(container, sequence);
      const action = derivedAction(previous, container);
      if (action)
        changes.push({
          action,
          containerId: container.id,
          at: now,
          attributes: {},
          previous,
          current: container,
        });
    }
    for (const [id, previous] of this.#containers) {
      if (seen.has(id)) continue;
      this.#drop(id, sequence);
      changes.push({
        action: 'destroy',
        containerId: id,
        at: now,
        attributes: {},
        previous,
        current: undefined,
      });
    }
    // The very first list is the starting point, not news.
    const initial = !this.#everSynced;
    this.#everSynced = true;
    this.#synced = true;
    this.#derived = new Map();
    this.#derivedAtNano = startedAtNano;
    this.emit('synced');
    if (this.#down) {
      this.#down = false;
      this.emit('available');
    }
    if (initial) return;
    for (const change of changes) {
      const actions = this.#derived.get(change.containerId) ?? new Set<string>();
      this.#derived.set(change.containerId, actions.add(change.action));
      this.emit('change', change);
    }
  }
}

/** What a re-list says happened to a container between two views of it. */
function derivedAction(previous: Container | undefined, current: Container): string | undefined {
  if (!previous) return 'create';
  if (previous.status !== current.status) {
    if (current.status === 'RUNNING') return 'start';
    if (current.status === 'EXITED' || current.status === 'DEAD') return 'die';
    return current.status.toLowerCase();
  }
  if (previous.health !== current.health) return `health_status: ${current.health.toLowerCase()}`;
  if (previous.restartCount !== current.restartCount) return 'start';
  return undefined;
}

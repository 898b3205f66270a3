import { mayUseEnvironment, type Principal } from '../../platform/auth/principal.js';
import { EnvironmentNotFoundError, ForbiddenError } from '../../shared/errors.js';
import {
  LOCAL_ENVIRONMENT,
  type EnvironmentChange,
  type EnvironmentChangeKind,
  type EnvironmentDefinition,
  type EnvironmentFactory,
  type EnvironmentRuntime,
  type EnvironmentServices,
} from './model.js';

/**
 * Every Docker host berth drives, by name: `local` (DOCKER_HOST) and those added since. The one
 * owner of their runtimes: it starts one when it is added and stops it when it is removed or berth
 * stops, so no environment's streams outlive it. The one publisher of their changes too: added,
 * removed, and each change of its engine's state, to every listener (see {@link onChange}).
 */
export class Environments {
  readonly #runtimes = new Map<string, EnvironmentRuntime>();
  /** What stops listening to each environment's engine state. */
  readonly #unwatch = new Map<string, () => void>();
  readonly #listeners = new Set<(change: EnvironmentChange) => void>();
  #started = false;

  constructor(
    local: EnvironmentRuntime,
    private readonly build: EnvironmentFactory,
    private readonly now: () => number = Date.now,
  ) {
    this.#runtimes.set(LOCAL_ENVIRONMENT, local);
    this.#watch(local);
  }

  /**
   * Tells `listener` of every environment's changes from now on (whoever it is for: the caller
   * filters by principal); returns what stops it, which a subscriber that leaves must call.
   */
  onChange(listener: (change: EnvironmentChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Listeners now: a subscriber that left is no longer one. */
  listeners(): number {
    return this.#listeners.size;
  }

  /** The local environment's services: what berth's own parts (stacks, alerts, history) run on. */
  get local(): EnvironmentServices {
    return this.#runtimes.get(LOCAL_ENVIRONMENT)!.services;
  }

  /**
   * The environment's services, for a caller allowed to use it. Unknown names are
   * ENVIRONMENT_NOT_FOUND; a token limited to other environments is FORBIDDEN.
   */
  get(name: string, principal?: Principal): EnvironmentServices {
    const runtime = this.#runtimes.get(name);
    if (!runtime) throw new EnvironmentNotFoundError(name);
    if (principal !== undefined && !mayUseEnvironment(principal, name)) {
      throw new ForbiddenError(`environment "${name}"`, 'this token is limited to other environments');
    }
    return runtime.services;
  }

  /** Every environment the principal may use (all of them without one), `local` first, then by name. */
  list(principal?: Principal): EnvironmentServices[] {
    return this.definitions(principal).map((definition) => this.#runtimes.get(definition.name)!.services);
  }

  /** The definitions the principal may see, in {@link list}'s order. */
  definitions(principal?: Principal): EnvironmentDefinition[] {
    return [...this.#runtimes.values()]
      .map((runtime) => runtime.definition)
      .filter((definition) => principal === undefined || mayUseEnvironment(principal, definition.name))
      .sort((a, b) =>
        a.name === LOCAL_ENVIRONMENT ? -1 : b.name === LOCAL_ENVIRONMENT ? 1 : a.name.localeCompare(b.name),
      );
  }

  has(name: string): boolean {
    return this.#runtimes.has(name);
  }

  /**
   * Builds the environment and, once berth runs, starts it. A name in use is the caller's to refuse
   * first (with its own typed error): this throws a plain error, a bug.
   */
  async add(definition: EnvironmentDefinition): Promise<EnvironmentServices> {
    if (this.#runtimes.has(definition.name)) {
      throw new Error(`environment "${definition.name}" already exists`);
    }
    const runtime = this.build(definition);
    this.#runtimes.set(definition.name, runtime);
    this.#watch(runtime);
    // Told before it starts: its first UP (or DOWN) follows its ADDED.
    this.#publish('ADDED', runtime);
    if (this.#started) await runtime.start();
    return runtime.services;
  }

  /** Stops the environment's parts and forgets it. `local` is never removed. */
  async remove(name: string): Promise<void> {
    if (name === LOCAL_ENVIRONMENT) throw new Error('the local environment cannot be removed');
    const runtime = this.#runtimes.get(name);
    if (!runtime) throw new EnvironmentNotFoundError(name);
    this.#runtimes.delete(name);
    this.#unwatch.get(name)?.();
    this.#unwatch.delete(name);
    // With its state as it was: stopping it is not its engine going down.
    this.#publish('REMOVED', runtime);
    if (this.#started) await runtime.stop();
  }

  /** Starts every environment; one whose engine is down still starts (its streams retry on their own). */
  async start(): Promise<void> {
    this.#started = true;
    await Promise.all([...this.#runtimes.values()].map((runtime) => runtime.start()));
  }

  #watch(runtime: EnvironmentRuntime): void {
    const stop = runtime.services.system.onEngineStateChange((kind) => this.#publish(kind, runtime));
    this.#unwatch.set(runtime.definition.name, stop);
  }

  #publish(kind: EnvironmentChangeKind, runtime: EnvironmentRuntime): void {
    const change: EnvironmentChange = {
      kind,
      definition: runtime.definition,
      state: runtime.services.system.engineState(),
      at: new Date(this.now()),
    };
    // A listener is a subscriber's queue: it only pushes, so none can throw into the next.
    for (const listener of this.#listeners) listener(change);
  }

  async stop(): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    const results = await Promise.allSettled([...this.#runtimes.values()].map((runtime) => runtime.stop()));
    const failures = results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
    if (failures.length > 0) throw new AggregateError(failures, 'some environments did not stop cleanly');
  }
}

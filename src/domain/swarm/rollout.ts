import { Repeater, SlidingBuffer } from '@repeaterjs/repeater';
import type { Logger } from '../../shared/logger.js';
import type { SwarmEngine } from './ports.js';
import { EngineUnavailableError, ServiceNotFoundError } from '../../shared/errors.js';
import { StreamFailure } from '../../shared/stream-failure.js';
import { UPDATE_STATES, type Service, type ServiceTask, type TaskState } from './model.js';

/**
 * Rollouts of swarm services, followed for the `serviceRollout` subscription.
 *
 * Why polling and not the engine's `/events`: the swarm reports a service's update state there
 * (`updatestate.new`), but nothing per task. Tasks have no events of their own; their containers
 * do, and only on the node that runs them, so a manager hears nothing of the tasks on other
 * hosts. A task's progress (new, preparing, running, shutdown, failed…) is only in `GET /tasks`.
 * So berth asks the manager for the service and its tasks once a second, and only while someone
 * follows that service: one poller per service, shared by all its subscribers, stopped with the
 * last of them. Two small requests a second per followed service, nothing otherwise.
 */

/** Often enough to see each task step of a rollout (each takes seconds), cheap for a manager. */
export const ROLLOUT_POLL_INTERVAL_MS = 1_000;

/** The engine's update state, NONE before the first update, REMOVED once the service is gone. */
export const ROLLOUT_STATES = ['NONE', ...UPDATE_STATES, 'REMOVED'] as const;
export type RolloutState = (typeof ROLLOUT_STATES)[number];

const IN_PROGRESS: ReadonlySet<RolloutState> = new Set(['UPDATING', 'ROLLBACK_STARTED']);
const FINAL: ReadonlySet<RolloutState> = new Set([
  'COMPLETED',
  'PAUSED',
  'ROLLBACK_COMPLETED',
  'ROLLBACK_PAUSED',
  'REMOVED',
]);

/** One task's step between two looks at the service. */
export interface TaskTransition {
  task: ServiceTask;
  /** null for a task that appeared since the last look. */
  previousState: TaskState | null;
  previousDesiredState: TaskState | null;
}

export interface RolloutUpdate {
  at: Date;
  /** The service as last seen (for REMOVED, as it was just before). */
  service: Service;
  state: RolloutState;
  /** What changed since the previous message; empty in a subscriber's first message. */
  transitions: TaskTransition[];
  /** The last message: the rollout followed has reached a final state. */
  done: boolean;
}

type Tick = Omit<RolloutUpdate, 'done'>;
type Listener = (tick: Tick | StreamFailure) => void;

const stateOf = (service: Service): RolloutState => service.updateStatus?.state ?? 'NONE';

/** Identifies a rollout: the swarm stamps each update and rollback with its own start time. */
const rolloutKey = (service: Service) => service.updateStatus?.startedAt?.toISOString() ?? 'none';

/** Everything whose change is worth a message. */
function signature(service: Service): string {
  const status = service.updateStatus;
  return JSON.stringify([
    service.version,
    status && [status.state, status.startedAt, status.completedAt, status.message],
    service.tasks.map((task) => [task.id, task.state, task.desiredState, task.error]),
  ]);
}

function transitions(previous: Service, next: Service): TaskTransition[] {
  const before = new Map(previous.tasks.map((task) => [task.id, task]));
  return next.tasks
    .filter((task) => {
      const old = before.get(task.id);
      return (
        !old || old.state !== task.state || old.desiredState !== task.desiredState || old.error !== task.error
      );
    })
    .sort((a, b) => a.updatedAt.getTime() - b.updatedAt.getTime())
    .map((task) => ({
      task,
      previousState: before.get(task.id)?.state ?? null,
      previousDesiredState: before.get(task.id)?.desiredState ?? null,
    }));
}

/** Looks at one service every interval and tells its listeners what changed. */
class ServicePoller {
  readonly listeners = new Set<Listener>();
  latest: Tick;
  #signature: string;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(
    readonly serviceId: string,
    initial: Service,
    private readonly swarm: Pick<SwarmEngine, 'service'>,
    private readonly log: Logger,
    private readonly intervalMs: number,
    private readonly onEnd: (poller: ServicePoller) => void,
  ) {
    this.latest = { at: new Date(), service: initial, state: stateOf(initial), transitions: [] };
    this.#signature = signature(initial);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => void this.#poll(), this.intervalMs);
    this.#timer.unref();
  }

  async #poll(): Promise<void> {
    let service: Service;
    try {
      service = await this.swarm.service(this.serviceId);
    } catch (error) {
      if (this.#stopped) return;
      if (error instanceof ServiceNotFoundError) {
        this.#end({ ...this.latest, at: new Date(), state: 'REMOVED', transitions: [] });
      } else if (error instanceof EngineUnavailableError) {
        // The engine comes back by itself (berth reconnects on the next call): keep looking.
        this.log.debug(`rollout of ${this.serviceId}: ${error.message}; trying again`);
        this.#schedule();
      } else {
        this.#end(new StreamFailure(error instanceof Error ? error : new Error(String(error))));
      }
      return;
    }
    if (this.#stopped) return;
    const next = signature(service);
    if (next !== this.#signature) {
      this.#signature = next;
      const tick: Tick = {
        at: new Date(),
        service,
        state: stateOf(service),
        transitions: transitions(this.latest.service, service),
      };
      this.latest = tick;
      for (const listener of this.listeners) listener(tick);
    }
    this.#schedule();
  }

  /** The last word to every listener; the poller is gone from the hub before they hear it. */
  #end(last: Tick | StreamFailure): void {
    this.stop();
    this.onEnd(this);
    for (const listener of this.listeners) listener(last);
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }
}

/** Owns the pollers: one per followed service, shared, released on the last unsubscribe. */
export class RolloutHub {
  readonly #pollers = new Map<string, ServicePoller>();

  constructor(
    private readonly swarm: Pick<SwarmEngine, 'service'>,
    private readonly log: Logger,
    private readonly intervalMs = ROLLOUT_POLL_INTERVAL_MS,
  ) {}

  /**
   * Follows the service's current rollout, or, when none is in progress, the next one, to its
   * final state. The first message says where things stand; the last has `done`. A service
   * removed meanwhile ends the stream with REMOVED. Slow readers lose the oldest messages, never
   * the last (each message carries the whole service, so only history is lost).
   */
  watch(reference: string): AsyncIterableIterator<RolloutUpdate | StreamFailure> {
    return new Repeater<RolloutUpdate | StreamFailure>(async (push, stop) => {
      let poller: ServicePoller;
      try {
        const service = await this.swarm.service(reference);
        poller = this.#acquire(service);
      } catch (error) {
        void push(new StreamFailure(error instanceof Error ? error : new Error(String(error))));
        stop();
        return;
      }

      let first = true;
      let following = false;
      let baseline = '';
      const listener: Listener = (tick) => {
        if (tick instanceof StreamFailure) {
          void push(tick);
          stop();
          return;
        }
        if (first) {
          first = false;
          following = IN_PROGRESS.has(tick.state);
          baseline = rolloutKey(tick.service);
          const done = tick.state === 'REMOVED';
          void push({ ...tick, transitions: [], done });
          if (done) stop();
          return;
        }
        // A new rollout: one in progress, or one that began and ended between two looks.
        if (!following && (IN_PROGRESS.has(tick.state) || rolloutKey(tick.service) !== baseline)) {
          following = true;
        }
        const done = tick.state === 'REMOVED' || (following && FINAL.has(tick.state));
        void push({ ...tick, done });
        if (done) stop();
      };
      poller.listeners.add(listener);
      listener(poller.latest);
      try {
        await stop;
      } finally {
        poller.listeners.delete(listener);
        if (poller.listeners.size === 0) this.#release(poller);
      }
    }, new SlidingBuffer(64));
  }

  #acquire(service: Service): ServicePoller {
    const existing = this.#pollers.get(service.id);
    if (existing) return existing;
    const poller = new ServicePoller(service.id, service, this.swarm, this.log, this.intervalMs, (ended) =>
      this.#release(ended),
    );
    this.#pollers.set(service.id, poller);
    return poller;
  }

  #release(poller: ServicePoller): void {
    poller.stop();
    if (this.#pollers.get(poller.serviceId) === poller) this.#pollers.delete(poller.serviceId);
  }

  /** Services polled now (tests check that the last unsubscribe stops the poller). */
  pollers(): number {
    return this.#pollers.size;
  }

  /** Subscribers following the service now, by its id. */
  watchers(serviceId: string): number {
    return this.#pollers.get(serviceId)?.listeners.size ?? 0;
  }

  close(): void {
    for (const poller of this.#pollers.values()) poller.stop();
    this.#pollers.clear();
  }
}

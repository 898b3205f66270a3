import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Repeater } from '@repeaterjs/repeater';
import type { ContainerChange, ContainerIndex } from '../containers/container-index.js';
import type { Container, HealthProbe, HealthStatus } from '../containers/model.js';
import { CursorExpiredError, SlowConsumerError } from '../../shared/errors.js';
import { StreamFailure } from '../../shared/stream-failure.js';

export const CONTAINER_EVENT_TYPES = [
  'CREATE',
  'START',
  'DIE',
  'STOP',
  'RESTART',
  'OOM',
  'DESTROY',
  'HEALTH',
] as const;
export type ContainerEventType = (typeof CONTAINER_EVENT_TYPES)[number];

export interface ContainerEvent {
  /** The environment whose engine reported it. */
  environment: string;
  /** Opaque and ordered; pass the last one received as `after` to resume. */
  cursor: string;
  sequence: number;
  type: ContainerEventType;
  at: Date;
  containerId: string;
  /** The container as the index saw it right after the event (as last seen, for DESTROY). */
  container: Container | null;
  exitCode: number | null;
  health: HealthStatus | null;
  /** Health before this event, for HEALTH events. */
  previousHealth: HealthStatus | null;
  lastProbe: HealthProbe | null;
}

export interface EventLogOptions {
  /** How many events are kept for resuming, and for how long. */
  retainCount?: number;
  retainMs?: number;
  /** Events a subscriber may fall behind by before its stream is ended with SLOW_CONSUMER. */
  maxPending?: number;
}

const HEALTH_FROM_ACTION: Record<string, HealthStatus> = {
  healthy: 'HEALTHY',
  unhealthy: 'UNHEALTHY',
  starting: 'STARTING',
  none: 'NONE',
};

/** Docker's action as one of berth's event types, or undefined for one berth does not publish. */
function typeOf(action: string): ContainerEventType | undefined {
  if (action.startsWith('health_status')) return 'HEALTH';
  const type = action.toUpperCase();
  return (CONTAINER_EVENT_TYPES as readonly string[]).includes(type)
    ? (type as ContainerEventType)
    : undefined;
}

/**
 * berth's own ordered record of container events, fed by the index: numbered with cursors,
 * retained for a window so a client that reconnects resumes where it left off, and fanned out to
 * every subscriber through a bounded queue.
 */
export class ContainerEventLog {
  // Tells this log's cursors from another environment's and from an earlier run's.
  readonly #epoch = `${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;
  readonly #environment: string;
  readonly #events: ContainerEvent[] = [];
  readonly #emitter = new EventEmitter<{ event: [ContainerEvent] }>().setMaxListeners(0);
  readonly #lastHealth = new Map<string, HealthStatus>();
  #sequence = 0;
  readonly #retainCount: number;
  readonly #retainMs: number;
  readonly #maxPending: number;

  constructor(index: ContainerIndex, options: EventLogOptions = {}) {
    this.#retainCount = options.retainCount ?? 10_000;
    this.#retainMs = options.retainMs ?? 15 * 60_000;
    this.#maxPending = options.maxPending ?? 1_000;
    this.#environment = index.environment;
    index.on('change', (change) => this.#record(change));
  }

  #record(change: ContainerChange): void {
    const type = typeOf(change.action);
    if (!type) return;
    const container = change.current ?? change.previous ?? null;
    const known = this.#lastHealth.get(change.containerId) ?? change.previous?.health ?? 'NONE';
    const health =
      type === 'HEALTH'
        ? (HEALTH_FROM_ACTION[change.action.split(':')[1]?.trim() ?? ''] ?? container?.health ?? null)
        : (container?.health ?? null);
    if (type === 'DESTROY') this.#lastHealth.delete(change.containerId);
    else if (health) this.#lastHealth.set(change.containerId, health);
    const exitCode = change.attributes['exitCode'];

    this.#sequence += 1;
    const event: ContainerEvent = {
      environment: this.#environment,
      cursor: `${this.#epoch}-${this.#sequence.toString(36)}`,
      sequence: this.#sequence,
      type,
      at: change.at,
      containerId: change.containerId,
      container,
      exitCode:
        exitCode !== undefined ? Number(exitCode) : type === 'DIE' ? (container?.exitCode ?? null) : null,
      health,
      previousHealth: type === 'HEALTH' ? known : null,
      lastProbe: container?.lastProbe ?? null,
    };
    this.#events.push(event);
    this.#prune(Date.now());
    this.#emitter.emit('event', event);
  }

  #prune(now: number): void {
    let drop = Math.max(0, this.#events.length - this.#retainCount);
    while (drop < this.#events.length && now - this.#events[drop]!.at.getTime() > this.#retainMs) drop += 1;
    if (drop > 0) this.#events.splice(0, drop);
  }

  /** A cursor for where the log stands now: `after` it, only events still to come. */
  position(): string {
    return `${this.#epoch}-${this.#sequence.toString(36)}`;
  }

  /** The events after `cursor`, or CURSOR_EXPIRED when some of them are no longer retained. */
  #after(cursor: string): ContainerEvent[] {
    const [epoch, encoded] = cursor.split('-');
    const sequence = encoded ? parseInt(encoded, 36) : NaN;
    if (epoch !== this.#epoch || !Number.isSafeInteger(sequence) || sequence > this.#sequence) {
      throw new CursorExpiredError(cursor);
    }
    this.#prune(Date.now());
    const oldest = this.#events[0]?.sequence ?? this.#sequence + 1;
    if (sequence < oldest - 1) throw new CursorExpiredError(cursor);
    return this.#events.filter((event) => event.sequence > sequence);
  }

  /**
   * Events matching `filter`, first those after `after` (when given), then live ones. Ends after
   * `endsWith` matches an event (the watched container's DESTROY). A subscriber more than
   * `maxPending` events behind gets a SLOW_CONSUMER failure, then the end: never an unbounded queue.
   * Throws CURSOR_EXPIRED at once when `after` can no longer be honoured.
   */
  subscribe(options: {
    after?: string | null;
    filter?: (event: ContainerEvent) => boolean;
    endsWith?: (event: ContainerEvent) => boolean;
  }): AsyncIterableIterator<ContainerEvent | StreamFailure> {
    const replay = options.after ? this.#after(options.after) : [];
    const filter = options.filter ?? (() => true);
    const maxPending = this.#maxPending;
    const emitter = this.#emitter;

    return new Repeater<ContainerEvent | StreamFailure>(async (push, stop) => {
      let pending = 0;
      let lastCursor = options.after ?? null;
      const deliver = (event: ContainerEvent): boolean => {
        if (filter(event)) {
          if (pending >= maxPending) {
            void push(new StreamFailure(new SlowConsumerError(lastCursor)));
            stop();
            return false;
          }
          pending += 1;
          lastCursor = event.cursor;
          // push settles when the consumer takes the value: that is how far behind it is.
          void push(event).then(() => {
            pending -= 1;
          });
        }
        if (options.endsWith?.(event)) {
          stop();
          return false;
        }
        return true;
      };
      for (const event of replay) if (!deliver(event)) return;
      const onEvent = (event: ContainerEvent) => {
        if (!deliver(event)) emitter.off('event', onEvent);
      };
      emitter.on('event', onEvent);
      await stop;
      emitter.off('event', onEvent);
    });
  }
}

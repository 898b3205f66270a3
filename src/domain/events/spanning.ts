import { Repeater } from '@repeaterjs/repeater';
import { CursorExpiredError } from '../../shared/errors.js';
import { StreamFailure } from '../../shared/stream-failure.js';
import type { ContainerEvent, ContainerEventLog } from './event-log.js';

/** One environment's event log, by the environment's name. */
export interface NamedEventLog {
  readonly name: string;
  readonly events: ContainerEventLog;
}

const PREFIX = 'all:';

/**
 * A spanning stream's cursor: where every environment's log stood when the event was sent (its
 * own cursor of the last event it delivered, or its position at subscribe time), so `after`
 * resumes each one from its own place.
 */
function encode(positions: ReadonlyMap<string, string>): string {
  return `${PREFIX}${Buffer.from(JSON.stringify(Object.fromEntries(positions))).toString('base64url')}`;
}

function decode(cursor: string): Record<string, string> {
  if (cursor.startsWith(PREFIX)) {
    try {
      const parsed: unknown = JSON.parse(Buffer.from(cursor.slice(PREFIX.length), 'base64url').toString());
      if (
        parsed !== null &&
        typeof parsed === 'object' &&
        !Array.isArray(parsed) &&
        Object.values(parsed).every((value) => typeof value === 'string')
      ) {
        return parsed as Record<string, string>;
      }
    } catch {
      // Not one of ours: expired, as any cursor berth cannot honour.
    }
  }
  throw new CursorExpiredError(cursor);
}

/**
 * The events of several environments in one stream: each environment's in its own order, merged
 * as they come, so a quiet or down environment holds no other back (a down one's events arrive
 * once its index has caught up with its engine again). With `after` (a cursor this kind of stream
 * sent), each environment first replays what it logged since its own position, or the whole
 * stream fails with CURSOR_EXPIRED when one of them no longer can; an environment the cursor does
 * not name starts with its live events. A failure of one environment's stream (SLOW_CONSUMER)
 * ends the whole stream with it.
 */
export function subscribeAcross(
  logs: readonly NamedEventLog[],
  after: string | null,
  filter: (event: ContainerEvent) => boolean,
): AsyncIterableIterator<ContainerEvent | StreamFailure> {
  const from = after === null ? {} : decode(after);
  // Subscribing checks every environment's cursor now, so an expired one fails the subscription.
  const sources = logs.map(({ name, events }) => {
    const position = from[name];
    return {
      name,
      position: position ?? events.position(),
      iterator: events.subscribe({ after: position ?? null, filter }),
    };
  });
  return new Repeater<ContainerEvent | StreamFailure>(async (push, stop) => {
    const positions = new Map(sources.map(({ name, position }) => [name, position]));
    const pump = async (source: (typeof sources)[number]) => {
      for await (const item of source.iterator) {
        if (item instanceof StreamFailure) {
          await push(item);
          stop();
          return;
        }
        positions.set(source.name, item.cursor);
        // Awaited: an environment's own stream counts how far behind this consumer is.
        await push({ ...item, cursor: encode(positions) });
      }
    };
    for (const source of sources) pump(source).catch((error: unknown) => stop(error));
    await stop;
    await Promise.all(sources.map((source) => source.iterator.return?.()));
  });
}

import type { App } from '../../src/app.js';
import type { ContainerEvent } from '../../src/domain/events/event-log.js';

/**
 * The next container event berth records that matches `match`, read from its own event log in
 * process. Its listener is on when this returns, before whatever makes the event; a WebSocket
 * subscription is set up some time after the call, and nothing orders that before an engine action
 * the test makes next. The event's cursor, passed as `after`, starts a subscription right after it,
 * missing nothing however long the subscription takes to open.
 */
export function nextEvent(
  app: App,
  match: (event: ContainerEvent) => boolean,
  timeoutMs = 15_000,
): Promise<ContainerEvent> {
  const events = app.context.environments.local.events.subscribe({ filter: match });
  // The repeater runs its executor, which adds the log's listener, inside this first call.
  const next = events.next();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no matching container event within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  return Promise.race([next, deadline])
    .then(({ value }) => {
      if (!value || !('cursor' in value)) throw new Error(`the event log ended: ${String(value)}`);
      return value;
    })
    .finally(() => {
      clearTimeout(timer);
      void events.return?.();
    });
}

import { memo } from 'preact/compat';
import { shortId, time } from '../format.js';
import { useTopics } from '../hooks.js';
import type { ContainerEvent } from '../operations.js';
import type { DashboardStore } from '../store.js';

/** Memoized: a new event renders one row, not the hundred before it. */
const EventRow = memo(function EventRow(props: { event: ContainerEvent; onSelect: (id: string) => void }) {
  const { event } = props;
  return (
    <li class={`event-${event.type.toLowerCase()}`}>
      <time>{time(event.at)}</time>
      <span class="event-type">{event.type.toLowerCase()}</span>
      <button type="button" class="link" onClick={() => props.onSelect(event.containerId)}>
        {event.container?.name ?? shortId(event.containerId)}
      </button>
      {event.exitCode !== null && <span> exit {event.exitCode}</span>}
      {event.health && event.type === 'HEALTH' && <span> {event.health.toLowerCase()}</span>}
    </li>
  );
});

/** The newest container events first, as containerEvents delivers them. */
export function EventsFeed(props: { store: DashboardStore }) {
  const { store } = props;
  useTopics(store, 'events');
  return (
    <section class="card events" aria-label="Events">
      <h2>Events</h2>
      {store.events.length === 0 ? (
        <p class="empty">Nothing has happened since the dashboard opened.</p>
      ) : (
        <ol>
          {store.events.map((event) => (
            <EventRow key={event.cursor} event={event} onSelect={store.select} />
          ))}
        </ol>
      )}
    </section>
  );
}

import { dateTime } from '../format.js';
import type { ContainerStatus, HealthStatus, ImageUpdate } from '../operations.js';

export function StatusBadge(props: { status: ContainerStatus }) {
  return (
    <span class={`badge status-${props.status.toLowerCase()}`} data-status={props.status}>
      {props.status.toLowerCase()}
    </span>
  );
}

/** Nothing for a container without a health check. */
export function HealthBadge(props: { health: HealthStatus }) {
  if (props.health === 'NONE') return null;
  return (
    <span class={`badge health-${props.health.toLowerCase()}`} data-health={props.health}>
      {props.health.toLowerCase()}
    </span>
  );
}

/** What a badge's title and the container view say of an update found for `update.reference`. */
export function updateText(update: ImageUpdate): string {
  const since = update.since ? `, seen since ${dateTime(update.since)}` : '';
  return `A newer image is in the registry under ${update.reference}${since}`;
}

/** Only when the registry has a newer image under the tag: nothing for UP_TO_DATE, UNKNOWN or unchecked. */
export function UpdateBadge(props: { update: ImageUpdate | null | undefined }) {
  const { update } = props;
  if (update?.status !== 'AVAILABLE') return null;
  return (
    <span
      class="badge update-available"
      data-update={update.status}
      data-reference={update.reference}
      title={updateText(update)}
    >
      update available
    </span>
  );
}

import type { ContainerStatus, HealthStatus } from '../operations.js';

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

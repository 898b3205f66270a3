import { ApiError } from '../api.js';
import { time } from '../format.js';
import type { StackProgress } from '../operations.js';
import type { DashboardStore } from '../store.js';

/** A typed error from a mutation's payload (`code`, `message`, maybe `field`) as one line. */
export function payloadError(payload: { __typename: string } & Record<string, unknown>): string {
  const code = typeof payload['code'] === 'string' ? payload['code'] : payload.__typename;
  const message = typeof payload['message'] === 'string' ? payload['message'] : 'unexpected answer';
  const field = typeof payload['field'] === 'string' ? payload['field'] : undefined;
  return new ApiError(code, message, field).toString();
}

/** A thrown failure as one line; a FORBIDDEN tells the store the token may only read. */
export function failureText(failure: unknown, store: DashboardStore): string {
  if (failure instanceof ApiError) {
    if (failure.code === 'FORBIDDEN') store.markReadOnly();
    return failure.toString();
  }
  return String(failure);
}

/** RUNNING, PARTIAL, STOPPED or EMPTY. */
export function StackStatusBadge(props: { status: string }) {
  return (
    <span class={`badge stack-status-${props.status.toLowerCase()}`} data-stack-status={props.status}>
      {props.status.toLowerCase()}
    </span>
  );
}

/** The steps of a deploy or scale as stackDeployProgress reports them, the last one at the end. */
export function ProgressLog(props: { messages: readonly StackProgress[]; label: string }) {
  const { messages } = props;
  const last = messages[messages.length - 1];
  const end = last && (last.step === 'DONE' || last.step === 'FAILED') ? last.step : 'RUNNING';
  return (
    <section class="progress" aria-label={props.label} data-progress-end={end}>
      <h3>
        {props.label}{' '}
        <small class={end === 'FAILED' ? 'error' : undefined}>
          {end === 'RUNNING' ? 'running…' : end === 'DONE' ? 'done' : 'failed'}
        </small>
      </h3>
      <ol>
        {messages.map((message, at) => (
          <li key={at} class={`step step-${message.step.toLowerCase()}`} data-step={message.step}>
            <time>{time(message.at)}</time>
            <span class="step-name">{message.step.toLowerCase().replace(/_/g, ' ')}</span>
            {message.service && <code>{message.service}</code>}
            {message.container && <code class="muted">{message.container}</code>}
            <span class="step-message">{message.message}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}

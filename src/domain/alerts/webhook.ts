import type { Logger } from '../../shared/logger.js';
import pRetry, { AbortError } from 'p-retry';
import type { AlertEvent } from './evaluator.js';
import { ruleCondition, type AlertWebhook, type DeliveryRecord } from './rules.js';
import { newMessageId, webhookHeaders } from './signing.js';

/**
 * Webhook deliveries: JSON signed as Standard Webhooks (./signing.ts), retried with backoff,
 * through bounded per-rule queues.
 */

/**
 * The JSON a receiver gets: the alert message, its rule (never the webhook) and the container.
 * `type` and `timestamp` are the spec's recommended envelope, with the data beside them at the top
 * level (which the spec allows), so the fields berth sent before stay where they were.
 */
export function webhookBody(event: AlertEvent): string {
  const { rule } = event;
  return JSON.stringify({
    type: event.state === 'FIRING' ? 'alert.firing' : 'alert.resolved',
    timestamp: event.at.toISOString(),
    id: event.id,
    state: event.state,
    at: event.at.toISOString(),
    value: event.value,
    message: event.message,
    rule: {
      id: rule.id,
      name: rule.name,
      ...ruleCondition(rule),
    },
    container: { id: event.containerId, name: event.containerName },
    ...(event.image ? { image: { ...event.image, since: event.image.since?.toISOString() ?? null } } : {}),
  });
}

export interface WebhookOptions {
  /** Retries after the first attempt. */
  retries: number;
  /** The first wait; each next one doubles, up to `maxDelayMs`. */
  minDelayMs: number;
  maxDelayMs: number;
  /** One attempt's deadline, answer included. */
  requestTimeoutMs: number;
  /** Deliveries waiting per rule; past it the oldest is dropped (a dead receiver holds no more). */
  maxQueuedPerRule: number;
  /** Deliveries waiting in all; past it new ones are dropped. */
  maxQueued: number;
}

export const DEFAULT_WEBHOOK_OPTIONS: WebhookOptions = {
  retries: 5,
  minDelayMs: 1000,
  maxDelayMs: 30_000,
  requestTimeoutMs: 10_000,
  maxQueuedPerRule: 100,
  maxQueued: 1000,
};

interface Job {
  ruleId: string;
  webhook: AlertWebhook;
  event: AlertEvent;
  /** `webhook-id`: the same on every attempt, so a receiver can drop a repeat it already handled. */
  messageId: string;
}

/** A failure worth another try: no answer, a timeout, 5xx or 429. */
class RetryableDeliveryError extends Error {
  constructor(
    message: string,
    readonly statusCode: number | null,
  ) {
    super(message);
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  const detail = cause instanceof Error ? cause.message : undefined;
  return detail ? `${error.message}: ${detail}` : error.message;
}

/**
 * Delivers alert messages to their rules' webhooks. One queue per rule, worked one message at a
 * time, so a receiver gets FIRING before RESOLVED; rules do not wait on each other. Queues are
 * bounded, so a receiver that is down costs at most `maxQueuedPerRule` messages of memory.
 */
export class WebhookDelivery {
  readonly #queues = new Map<string, Job[]>();
  readonly #workers = new Set<Promise<void>>();
  readonly #stopping = new AbortController();
  readonly #options: WebhookOptions;
  #queued = 0;

  constructor(
    private readonly log: Logger,
    private readonly onOutcome: (ruleId: string, record: DeliveryRecord) => void,
    options: Partial<WebhookOptions> = {},
  ) {
    this.#options = { ...DEFAULT_WEBHOOK_OPTIONS, ...options };
  }

  /** Messages waiting, not counting those being sent. */
  get queued(): number {
    return this.#queued;
  }

  enqueue(ruleId: string, webhook: AlertWebhook, event: AlertEvent): void {
    if (this.#stopping.signal.aborted) return;
    const job: Job = { ruleId, webhook, event, messageId: newMessageId() };
    let queue = this.#queues.get(ruleId);
    if (queue && queue.length >= this.#options.maxQueuedPerRule) {
      this.#queued -= 1;
      this.#drop(
        queue.shift()!,
        `more than ${this.#options.maxQueuedPerRule} deliveries waiting for this rule`,
      );
    }
    if (this.#queued >= this.#options.maxQueued) {
      this.#drop(job, `more than ${this.#options.maxQueued} deliveries waiting`);
      return;
    }
    this.#queued += 1;
    if (queue) {
      queue.push(job);
      return;
    }
    queue = [job];
    this.#queues.set(ruleId, queue);
    const worker = this.#work(ruleId, queue).finally(() => this.#workers.delete(worker));
    this.#workers.add(worker);
  }

  /** Stops retrying and sending at once; what was waiting is dropped (and logged). */
  async stop(): Promise<void> {
    this.#stopping.abort(new Error('berth is stopping'));
    if (this.#queued > 0) this.log.warn(`alerts: ${this.#queued} webhook deliveries dropped at stop`);
    for (const queue of this.#queues.values()) queue.length = 0;
    this.#queued = 0;
    await Promise.allSettled(this.#workers);
  }

  async #work(ruleId: string, queue: Job[]): Promise<void> {
    try {
      for (let job = queue.shift(); job; job = queue.shift()) {
        this.#queued -= 1;
        await this.#deliver(job);
      }
    } finally {
      this.#queues.delete(ruleId);
    }
  }

  #drop(job: Job, reason: string): void {
    this.log.warn(
      `alerts: dropped the ${job.event.state} delivery of alert ${job.event.id} (rule ${job.ruleId}): ${reason}`,
    );
    this.onOutcome(job.ruleId, {
      at: new Date(),
      alertId: job.event.id,
      state: job.event.state,
      ok: false,
      attempts: 0,
      statusCode: null,
      error: `dropped: ${reason}`,
    });
  }

  async #deliver(job: Job): Promise<void> {
    const body = webhookBody(job.event);
    let attempts = 0;
    let statusCode: number | null = null;
    const signal = this.#stopping.signal;
    const outcome = (ok: boolean, error: string | null): DeliveryRecord => ({
      at: new Date(),
      alertId: job.event.id,
      state: job.event.state,
      ok,
      attempts,
      statusCode,
      error,
    });
    try {
      await pRetry(
        async (attempt) => {
          attempts = attempt;
          statusCode = await this.#attempt(job, body);
        },
        {
          retries: this.#options.retries,
          minTimeout: this.#options.minDelayMs,
          maxTimeout: this.#options.maxDelayMs,
          factor: 2,
          signal,
          unref: true,
          onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
            if (error instanceof RetryableDeliveryError) statusCode = error.statusCode;
            if (retriesLeft > 0 && !signal.aborted) {
              this.log.debug(
                `alerts: webhook attempt ${attemptNumber} for alert ${job.event.id} failed (${error.message}); retrying`,
              );
            }
          },
        },
      );
      this.onOutcome(job.ruleId, outcome(true, null));
    } catch (error) {
      // p-retry rethrows what an AbortError wrapped, with its status.
      const status = (error as { statusCode?: unknown }).statusCode;
      if (typeof status === 'number') statusCode = status;
      const message = signal.aborted ? 'berth stopped before the delivery succeeded' : describe(error);
      this.log.warn(
        `alerts: delivering the ${job.event.state} message of alert ${job.event.id} (rule ${job.ruleId}) failed after ${attempts} attempt(s): ${message}`,
      );
      this.onOutcome(job.ruleId, outcome(false, message));
    }
  }

  /**
   * One POST; answers the receiver's 2xx status, or throws (retryable or not). Each attempt is
   * signed afresh with its own timestamp, so a retry long after the first try is not refused as a
   * replay; the body and the message id stay those of the first.
   */
  async #attempt(job: Job, body: string): Promise<number> {
    const timestamp = Math.floor(Date.now() / 1000);
    const deadline = new AbortController();
    const timer = setTimeout(
      () => deadline.abort(new Error(`no answer within ${this.#options.requestTimeoutMs} ms`)),
      this.#options.requestTimeoutMs,
    );
    const stop = () => deadline.abort(this.#stopping.signal.reason);
    this.#stopping.signal.addEventListener('abort', stop, { once: true });
    try {
      let response: Response;
      try {
        response = await fetch(job.webhook.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'berth-alerts',
            ...webhookHeaders(job.webhook.secret, job.messageId, timestamp, body),
          },
          body,
          // A redirect would send the signed body somewhere the admin did not name.
          redirect: 'manual',
          signal: deadline.signal,
        });
      } catch (error) {
        if (this.#stopping.signal.aborted) throw new AbortError('berth is stopping');
        const reason = deadline.signal.aborted ? describe(deadline.signal.reason) : describe(error);
        throw new RetryableDeliveryError(reason, null);
      }
      // The body is not needed; reading it to the end frees the connection for the next delivery.
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) return response.status;
      const failure = `the receiver answered HTTP ${response.status}`;
      if (response.status >= 500 || response.status === 429) {
        throw new RetryableDeliveryError(failure, response.status);
      }
      // Any other answer (4xx, a redirect) will not change by asking again.
      throw new AbortError(Object.assign(new Error(failure), { statusCode: response.status }));
    } finally {
      clearTimeout(timer);
      this.#stopping.signal.removeEventListener('abort', stop);
    }
  }
}

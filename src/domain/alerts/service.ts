import { EventEmitter } from 'node:events';
import { Repeater } from '@repeaterjs/repeater';
import type { Logger } from '../../shared/logger.js';
import type { ContainerChange, ContainerIndex } from '../containers/container-index.js';
import type { Container } from '../containers/model.js';
import { AlertRuleNotFoundError, SlowConsumerError } from '../../shared/errors.js';
import { StreamFailure } from '../../shared/stream-failure.js';
import type { StatsHub, StatsTick } from '../stats/hub.js';
import type { BerthDatabase } from '../../platform/store/database.js';
import { AlertEvaluator, type AlertEvent } from './evaluator.js';
import {
  applyRulePatch,
  validateRuleDefinition,
  type AlertRule,
  type AlertRuleInput,
  type DeliveryRecord,
} from './rules.js';
import { AlertRuleStore } from './store.js';
import { WebhookDelivery, type WebhookOptions } from './webhook.js';

export interface AlertServiceOptions {
  webhook?: Partial<WebhookOptions>;
  /** Alert messages a subscriber may fall behind by before its stream ends with SLOW_CONSUMER. */
  maxPending?: number;
  /** How often restart-loop windows are checked for having drained. */
  sweepMs?: number;
}

/**
 * Alerts: the rules (kept in the database), their evaluation against the index and the stats
 * hub, and the one owner of alert messages, which fans them out to `alerts` subscribers and
 * hands them to webhook delivery.
 */
export class AlertService {
  readonly #store: AlertRuleStore;
  readonly #evaluator: AlertEvaluator;
  readonly #delivery: WebhookDelivery;
  readonly #emitter = new EventEmitter<{ alert: [AlertEvent] }>().setMaxListeners(0);
  readonly #stopListening: (() => void)[] = [];
  readonly #maxPending: number;
  readonly #sweepMs: number;
  #sweep: NodeJS.Timeout | undefined;

  constructor(
    database: BerthDatabase,
    private readonly index: ContainerIndex,
    private readonly stats: StatsHub,
    private readonly log: Logger,
    options: AlertServiceOptions = {},
  ) {
    this.#store = new AlertRuleStore(database);
    this.#maxPending = options.maxPending ?? 1000;
    this.#sweepMs = options.sweepMs ?? 1000;
    this.#delivery = new WebhookDelivery(
      log,
      (ruleId, record) => this.#recordDelivery(ruleId, record),
      options.webhook,
    );
    this.#evaluator = new AlertEvaluator({
      lookup: (id) => index.peek(id),
      containers: () => this.#containers(),
      emit: (event) => this.#publish(event),
    });
  }

  /** Loads the rules and starts watching; call once the index is started. */
  start(): void {
    const now = new Date();
    for (const rule of this.#store.list()) this.#evaluator.setRule(rule, now);
    const onChange = (change: ContainerChange) => this.#evaluator.onChange(change);
    const onSynced = () => this.#evaluator.reconcile(new Date());
    this.index.on('change', onChange);
    this.index.on('synced', onSynced);
    const offTick = this.stats.onTick((tick: StatsTick) => this.#evaluator.onTick(tick));
    this.#stopListening.push(
      () => this.index.off('change', onChange),
      () => this.index.off('synced', onSynced),
      offTick,
    );
    this.#sweep = setInterval(() => this.#evaluator.sweep(Date.now()), this.#sweepMs);
    this.#sweep.unref();
    if (this.index.available) onSynced();
  }

  /** Stops evaluating and delivering; nothing of it is left running afterwards. */
  async stop(): Promise<void> {
    for (const off of this.#stopListening.splice(0)) off();
    clearInterval(this.#sweep);
    this.#sweep = undefined;
    await this.#delivery.stop();
  }

  rules(): AlertRule[] {
    return this.#store.list();
  }

  lastDelivery(ruleId: string): DeliveryRecord | null {
    return this.#store.lastDelivery(ruleId);
  }

  /**
   * Validates and stores a rule, and starts evaluating it. A restore passes the id the rule had
   * (the caller has checked it is free) and where the rule sits in its document, for `field`.
   */
  createRule(input: AlertRuleInput, options: { id?: string; field?: string } = {}): AlertRule {
    const definition = validateRuleDefinition(input, options.field);
    const rule = this.#store.insert(definition, Date.now(), options.id);
    this.#evaluator.setRule(rule, new Date());
    return rule;
  }

  /** Applies `patch` (fields left out keep their value); open alerts restart when the condition changes. */
  updateRule(id: string, patch: AlertRuleInput): AlertRule {
    const existing = this.#store.get(id);
    if (!existing) throw new AlertRuleNotFoundError(id);
    const rule = this.#store.update(id, applyRulePatch(existing, patch));
    if (!rule) throw new AlertRuleNotFoundError(id);
    this.#evaluator.setRule(rule, new Date());
    return rule;
  }

  /** Deletes a rule; its open alerts resolve (and their webhook is told). */
  deleteRule(id: string): AlertRule {
    const existing = this.#store.get(id);
    if (!existing || !this.#store.remove(id)) throw new AlertRuleNotFoundError(id);
    this.#evaluator.removeRule(id, new Date());
    return existing;
  }

  /** The alerts firing now: each one's FIRING message, oldest first. */
  active(): AlertEvent[] {
    return this.#evaluator.active();
  }

  /** `alerts` subscribers listening now; each leaves nothing behind when it goes. */
  get subscribers(): number {
    return this.#emitter.listenerCount('alert');
  }

  /** Webhook messages waiting to be sent. */
  get queuedDeliveries(): number {
    return this.#delivery.queued;
  }

  /**
   * Alert messages from now on (of one rule, when given). A subscriber more than `maxPending`
   * behind is ended with SLOW_CONSUMER rather than buffered without bound.
   */
  subscribe(filter: { ruleId?: string | null } = {}): AsyncIterableIterator<AlertEvent | StreamFailure> {
    const emitter = this.#emitter;
    const maxPending = this.#maxPending;
    return new Repeater<AlertEvent | StreamFailure>(async (push, stop) => {
      let pending = 0;
      const onAlert = (event: AlertEvent) => {
        if (filter.ruleId && event.rule.id !== filter.ruleId) return;
        if (pending >= maxPending) {
          emitter.off('alert', onAlert);
          const error = new SlowConsumerError(null);
          error.message =
            'the subscriber fell too far behind on alerts; read activeAlerts, then subscribe again';
          void push(new StreamFailure(error));
          stop();
          return;
        }
        pending += 1;
        // push settles when the consumer takes the message: that is how far behind it is.
        void push(event).then(() => {
          pending -= 1;
        });
      };
      emitter.on('alert', onAlert);
      await stop;
      emitter.off('alert', onAlert);
    });
  }

  #containers(): Container[] {
    // Before the first sync there is nothing to look at; the sync reconciles then.
    return this.index.available ? this.index.list() : [];
  }

  #publish(event: AlertEvent): void {
    this.log.info(
      `alert ${event.state} ${event.id}: rule "${event.rule.name}" on ${event.containerName}: ${event.message}`,
    );
    this.#emitter.emit('alert', event);
    if (event.rule.webhook) this.#delivery.enqueue(event.rule.id, event.rule.webhook, event);
  }

  #recordDelivery(ruleId: string, record: DeliveryRecord): void {
    try {
      this.#store.recordDelivery(ruleId, record);
    } catch (error) {
      this.log.warn(`alerts: could not record a delivery of rule ${ruleId}: ${(error as Error).message}`);
    }
  }
}

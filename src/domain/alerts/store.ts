import { randomBytes } from 'node:crypto';
import type { BerthDatabase } from '../../platform/store/database.js';
import type { AlertKind, AlertRule, AlertRuleDefinition, DeliveryRecord } from './rules.js';

interface RuleRow {
  id: string;
  name: string;
  kind: AlertKind;
  threshold_percent: number | null;
  for_seconds: number | null;
  restarts: number | null;
  window_seconds: number | null;
  scope_container: string | null;
  scope_label: string | null;
  enabled: number;
  webhook_url: string | null;
  webhook_secret: string | null;
  last_delivery: string | null;
  created_at: number;
  updated_at: number;
}

type RuleValues = [
  string,
  AlertKind,
  number | null,
  number | null,
  number | null,
  number | null,
  string | null,
  string | null,
  number,
  string | null,
  string | null,
];

function values(definition: AlertRuleDefinition): RuleValues {
  return [
    definition.name,
    definition.kind,
    definition.thresholdPercent,
    definition.forSeconds,
    definition.restarts,
    definition.windowSeconds,
    definition.scope.container,
    definition.scope.label,
    definition.enabled ? 1 : 0,
    definition.webhook?.url ?? null,
    definition.webhook?.secret ?? null,
  ];
}

function toRule(row: RuleRow): AlertRule {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    thresholdPercent: row.threshold_percent,
    forSeconds: row.for_seconds,
    restarts: row.restarts,
    windowSeconds: row.window_seconds,
    scope: { container: row.scope_container, label: row.scope_label },
    enabled: row.enabled === 1,
    webhook:
      row.webhook_url !== null && row.webhook_secret !== null
        ? { url: row.webhook_url, secret: row.webhook_secret }
        : null,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

function toDelivery(json: string | null): DeliveryRecord | null {
  if (json === null) return null;
  const parsed = JSON.parse(json) as Omit<DeliveryRecord, 'at'> & { at: string };
  return { ...parsed, at: new Date(parsed.at) };
}

/** A rule's id: 6 random bytes in hex, as RULE_ID matches. */
export const RULE_ID = /^[0-9a-f]{12}$/;

function newRuleId(): string {
  return randomBytes(6).toString('hex');
}

/** Alert rules in berth's database, and how each rule's last webhook delivery ended. */
export class AlertRuleStore {
  readonly #statements;

  constructor(db: BerthDatabase) {
    const columns =
      'name, kind, threshold_percent, for_seconds, restarts, window_seconds, scope_container, scope_label, enabled, webhook_url, webhook_secret';
    this.#statements = {
      all: db.prepare<[], RuleRow>('SELECT * FROM alert_rules ORDER BY created_at, id'),
      byId: db.prepare<[string], RuleRow>('SELECT * FROM alert_rules WHERE id = ?'),
      insert: db.prepare<[string, ...RuleValues, number, number]>(
        `INSERT INTO alert_rules (id, ${columns}, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      update: db.prepare<[...RuleValues, number, string]>(
        `UPDATE alert_rules SET ${columns
          .split(', ')
          .map((column) => `${column} = ?`)
          .join(', ')}, updated_at = ? WHERE id = ?`,
      ),
      remove: db.prepare<[string]>('DELETE FROM alert_rules WHERE id = ?'),
      delivered: db.prepare<[string, string]>('UPDATE alert_rules SET last_delivery = ? WHERE id = ?'),
    };
  }

  list(): AlertRule[] {
    return this.#statements.all.all().map(toRule);
  }

  get(id: string): AlertRule | undefined {
    const row = this.#statements.byId.get(id);
    return row && toRule(row);
  }

  lastDelivery(id: string): DeliveryRecord | null {
    return toDelivery(this.#statements.byId.get(id)?.last_delivery ?? null);
  }

  /** Stores a new rule under a new id, or under `id` (a restored rule keeps the id it had). */
  insert(definition: AlertRuleDefinition, now = Date.now(), id = newRuleId()): AlertRule {
    this.#statements.insert.run(id, ...values(definition), now, now);
    return this.get(id)!;
  }

  /** The rule after the change, or undefined when no rule has that id. */
  update(id: string, definition: AlertRuleDefinition, now = Date.now()): AlertRule | undefined {
    if (this.#statements.update.run(...values(definition), now, id).changes === 0) return undefined;
    return this.get(id);
  }

  remove(id: string): boolean {
    return this.#statements.remove.run(id).changes > 0;
  }

  /** Records a delivery's outcome; a rule deleted meanwhile is simply not there to record it. */
  recordDelivery(id: string, record: DeliveryRecord): void {
    this.#statements.delivered.run(JSON.stringify(record), id);
  }
}

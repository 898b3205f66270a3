import { z } from 'zod';
import { ruleCondition, type AlertRule, type AlertRuleInput } from '../../alerts/rules.js';
import type { AlertService } from '../../alerts/service.js';
import { RULE_ID } from '../../alerts/store.js';
import { BerthError } from '../../../shared/errors.js';
import type { BackupSection, RestoreReport } from '../section.js';

// Each rule is checked on restore with createAlertRule's own rules: one bad rule fails alone.
const schema = z.array(
  z.looseObject({
    id: z.string().nullish(),
    name: z.string(),
    webhook: z.object({ url: z.string() }).nullish(),
  }),
);

type RuleEntry = z.output<typeof schema>[number];

/** A rule as createAlertRule's input, plus its id; a webhook by its URL alone. */
function toEntry(rule: AlertRule) {
  return {
    id: rule.id,
    name: rule.name,
    ...ruleCondition(rule),
    scope: { ...rule.scope },
    enabled: rule.enabled,
    webhook: rule.webhook && { url: rule.webhook.url },
  };
}

/**
 * Alert rules, with their webhook's URL but never its secret: the secret signs every delivery,
 * and whoever holds it can forge alerts to the receiver; a backup is a file that travels (the
 * same reason the tokens section holds no token secret). So a rule with a webhook comes back
 * without it: it is evaluated and its alerts reach `alerts` and `activeAlerts` at once, and its
 * report item says to set the webhook again with a secret (the old one, or a new one, berth's
 * generated one when left out, that the receiver is given). The alternative, keeping the rule off until then, would hide its alerts
 * everywhere for want of one channel.
 *
 * A rule keeps its id, so `alerts(ruleId)` subscribers and receivers that key on it still match.
 * One that exists here (same id), or whose name a rule here had before the restore began, is
 * skipped; names are not unique, so two rules of one name in a backup both come back.
 */
export function alertRulesSection(
  alerts: Pick<AlertService, 'rules' | 'createRule'>,
): BackupSection<z.output<typeof schema>> {
  return {
    name: 'alertRules',
    // A rule may watch a container by name: the containers are back first.
    restoreAfter: ['containers'],
    schema,
    export: () => Promise.resolve(alerts.rules().map(toEntry)),
    restore(data, report) {
      const namesBefore = new Map(alerts.rules().map((rule) => [rule.name, rule.id]));
      for (const entry of data) restoreRule(entry, alerts, namesBefore, report);
      return Promise.resolve();
    },
  };
}

function restoreRule(
  entry: RuleEntry,
  alerts: Pick<AlertService, 'rules' | 'createRule'>,
  namesBefore: ReadonlyMap<string, string>,
  report: RestoreReport,
): void {
  const { id, webhook, ...input } = entry;
  const same = id == null ? undefined : alerts.rules().find((rule) => rule.id === id);
  if (same) {
    const renamed = same.name === entry.name ? '' : ` (named "${same.name}" here)`;
    report.skipped(entry.name, `rule ${same.id} exists here${renamed}`);
    return;
  }
  const namesake = namesBefore.get(entry.name);
  if (namesake !== undefined) {
    report.skipped(entry.name, `a rule with this name exists here (${namesake})`);
    return;
  }
  if (id != null && !RULE_ID.test(id)) {
    report.failed(entry.name, `INVALID_INPUT: id "${id}" is not a rule id (12 hex digits)`);
    return;
  }
  try {
    const rule = alerts.createRule(
      { ...(input as AlertRuleInput), webhook: null },
      { ...(id != null && { id }), field: `alertRules.${entry.name}` },
    );
    if (!webhook) {
      report.restored(entry.name);
      return;
    }
    report.restored(
      entry.name,
      `without its webhook to ${webhook.url}: a backup holds no webhook secrets; set it again with ` +
        `updateAlertRule(id: "${rule.id}", input: { webhook: { url: "${webhook.url}", secret: "…" } }) ` +
        `and give the receiver that secret, or leave the secret out and give it the new one berth ` +
        `answers as webhookSecret`,
    );
  } catch (error) {
    if (!(error instanceof BerthError)) throw error;
    report.failed(entry.name, `${error.code}: ${error.message}`);
  }
}

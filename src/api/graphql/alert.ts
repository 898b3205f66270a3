import type { AlertEvent, ImageUpdateDetail } from '../../domain/alerts/evaluator.js';
import type { AlertRuleChange } from '../../domain/alerts/service.js';
import {
  ALERT_KINDS,
  ALERT_STATES,
  type AlertRule,
  type AlertScope,
  type DeliveryRecord,
} from '../../domain/alerts/rules.js';
import { AlertRuleNotFoundError, ForbiddenError, InvalidInputError } from '../../shared/errors.js';
import { StreamFailure } from '../../shared/stream-failure.js';
import { builder } from './builder.js';
import { ErrorInterface } from './errors.js';

/**
 * Alerts: rules (admin only: their webhooks and secrets are sensitive), the alerts firing now and
 * the `alerts` subscription (any viewer).
 */

const admin = {
  authScopes: { admin: true },
  unauthorizedError: () => new ForbiddenError('admin'),
} as const;

const AlertKindEnum = builder.enumType('AlertKind', {
  values: {
    CPU_ABOVE: { description: 'CPU above `thresholdPercent` (100 = one core) for `forSeconds`.' },
    MEMORY_ABOVE: { description: 'Memory above `thresholdPercent` of the limit for `forSeconds`.' },
    UNHEALTHY: { description: 'The health check reports unhealthy.' },
    RESTART_LOOP: {
      description: 'At least `restarts` restarts (by its restart policy) within `windowSeconds`.',
    },
    OOM_KILLED: {
      description: 'Killed by the kernel for lack of memory; resolves when it starts again or is removed.',
    },
    EXITED_NON_ZERO: {
      description:
        'Exited with a non-zero code, not after a stop or kill request; resolves when it starts again or is removed.',
    },
    IMAGE_UPDATE_AVAILABLE: {
      description:
        'Its registry has a newer image under the tag the container was created from (found by an ' +
        'image-update check); resolves when a check finds it running the registry’s image again, or it is removed.',
    },
  } satisfies Record<(typeof ALERT_KINDS)[number], { description: string }>,
});

const AlertStateEnum = builder.enumType('AlertState', { values: ALERT_STATES });

builder.objectType(AlertRuleNotFoundError, {
  name: 'AlertRuleNotFoundError',
  interfaces: [ErrorInterface],
  fields: (t) => ({ ruleId: t.exposeString('ruleId') }),
});

const AlertScopeRef = builder.objectRef<AlertScope>('AlertScope').implement({
  description: 'Which containers a rule watches: both given means both must match; none means all.',
  fields: (t) => ({
    container: t.exposeString('container', {
      nullable: true,
      description: 'A container name, a full id, or an id prefix of 12 characters or more.',
    }),
    label: t.exposeString('label', { nullable: true, description: '`key` or `key=value`.' }),
  }),
});

const WebhookDeliveryRef = builder.objectRef<DeliveryRecord>('WebhookDelivery').implement({
  fields: (t) => ({
    at: t.field({ type: 'DateTime', resolve: (d) => d.at }),
    alertId: t.exposeString('alertId'),
    state: t.field({ type: AlertStateEnum, resolve: (d) => d.state }),
    ok: t.exposeBoolean('ok'),
    attempts: t.exposeInt('attempts', { description: '0 when the message was dropped unsent.' }),
    statusCode: t.exposeInt('statusCode', {
      nullable: true,
      description: "The receiver's last HTTP status; null when it never answered.",
    }),
    error: t.exposeString('error', { nullable: true }),
  }),
});

const AlertWebhookRef = builder.objectRef<AlertRule>('AlertWebhook').implement({
  description:
    'Where alert messages of a rule are posted, signed as Standard Webhooks. The secret is shown once, as `webhookSecret` in the answer to the change that set it, and never again.',
  fields: (t) => ({
    url: t.string({ resolve: (rule) => rule.webhook?.url ?? '' }),
    lastDelivery: t.field({
      type: WebhookDeliveryRef,
      nullable: true,
      description: 'How the newest delivery ended (after its retries).',
      resolve: (rule, _, { alerts }) => alerts.lastDelivery(rule.id),
    }),
  }),
});

const AlertRuleRef = builder.objectRef<AlertRule>('AlertRule').implement({
  fields: (t) => ({
    id: t.exposeString('id'),
    name: t.exposeString('name'),
    kind: t.field({ type: AlertKindEnum, resolve: (rule) => rule.kind }),
    thresholdPercent: t.exposeFloat('thresholdPercent', { nullable: true }),
    forSeconds: t.exposeInt('forSeconds', { nullable: true }),
    restarts: t.exposeInt('restarts', { nullable: true }),
    windowSeconds: t.exposeInt('windowSeconds', { nullable: true }),
    scope: t.field({ type: AlertScopeRef, resolve: (rule) => rule.scope }),
    enabled: t.exposeBoolean('enabled'),
    createdAt: t.field({ type: 'DateTime', resolve: (rule) => rule.createdAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (rule) => rule.updatedAt }),
    webhook: t.field({
      ...admin,
      type: AlertWebhookRef,
      nullable: true,
      description: 'Admin only; null when the rule has none.',
      resolve: (rule) => (rule.webhook ? rule : null),
    }),
  }),
});

const AlertImageRef = builder.objectRef<ImageUpdateDetail>('AlertImage').implement({
  description: 'What an IMAGE_UPDATE_AVAILABLE alert found.',
  fields: (t) => ({
    reference: t.exposeString('reference'),
    runningDigest: t.exposeString('runningDigest', {
      description: 'The digest of the image the container runs.',
    }),
    remoteDigest: t.exposeString('remoteDigest', { description: 'The registry’s digest for the tag.' }),
    since: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the newer image was first seen for the tag.',
      resolve: (image) => image.since,
    }),
  }),
});

const AlertEventRef = builder.objectRef<AlertEvent>('AlertEvent').implement({
  description: 'One message of an alert: FIRING, then RESOLVED, both with the alert’s id.',
  fields: (t) => ({
    id: t.exposeString('id'),
    rule: t.field({ type: AlertRuleRef, resolve: (e) => e.rule }),
    containerId: t.exposeString('containerId'),
    containerName: t.exposeString('containerName'),
    state: t.field({ type: AlertStateEnum, resolve: (e) => e.state }),
    at: t.field({ type: 'DateTime', resolve: (e) => e.at }),
    value: t.exposeFloat('value', {
      nullable: true,
      description: 'CPU or memory percent, restarts in the window, or the exit code, as the kind says.',
    }),
    message: t.exposeString('message'),
    image: t.field({
      type: AlertImageRef,
      nullable: true,
      description: 'IMAGE_UPDATE_AVAILABLE: the tag and both digests; null for the other kinds.',
      resolve: (e) => e.image ?? null,
    }),
  }),
});

const AlertScopeInput = builder.inputType('AlertScopeInput', {
  fields: (t) => ({
    container: t.string({ description: 'A container name, a full id, or an id prefix of 12+ characters.' }),
    label: t.string({ description: '`key` or `key=value`.' }),
  }),
});

const AlertWebhookInput = builder.inputType('AlertWebhookInput', {
  fields: (t) => ({
    url: t.string({ required: true, description: 'http:// or https://.' }),
    secret: t.string({
      description:
        'Signs every delivery (Standard Webhooks, HMAC-SHA256): `whsec_` and the base64 of 24 to 64 random bytes, or (as berth took before) any text of 16 to 1024 characters, whose UTF-8 bytes are the key. Left out: berth generates one for a new webhook and keeps the current one of an existing webhook; either way `webhookSecret` shows a secret this call set.',
    }),
  }),
});

const ruleFields = (required: boolean) =>
  builder.inputType(required ? 'AlertRuleInput' : 'AlertRulePatch', {
    description: required
      ? 'A rule. Each kind takes its own parameters and refuses the others.'
      : 'Fields left out keep their value; null clears an optional one. A new kind drops the old kind’s parameters.',
    fields: (t) => ({
      name: t.string({ required }),
      kind: t.field({ type: AlertKindEnum, required }),
      thresholdPercent: t.float({ description: 'CPU_ABOVE, MEMORY_ABOVE.' }),
      forSeconds: t.int({ description: 'CPU_ABOVE, MEMORY_ABOVE; 0 when left out.' }),
      restarts: t.int({ description: 'RESTART_LOOP: at least 2.' }),
      windowSeconds: t.int({ description: 'RESTART_LOOP.' }),
      scope: t.field({ type: AlertScopeInput, description: 'Every container when left out.' }),
      webhook: t.field({ type: AlertWebhookInput }),
      enabled: t.boolean({ description: 'true when left out.' }),
    }),
  });
const AlertRuleInput = ruleFields(true);
const AlertRulePatch = ruleFields(false);

/** On the answer of a change: the webhook secret it set, shown this once. */
const webhookSecretField = {
  nullable: true,
  description:
    'The webhook secret this change set (generated by berth, or the one given), in its `whsec_` form: shown this once, never again. Null when the secret did not change.',
  resolve: (rule: AlertRule) => (rule as Partial<AlertRuleChange>).newWebhookSecret ?? null,
} as const;

/** A stream failure (SLOW_CONSUMER) reaches the client as this message's error, then the stream ends. */
function unwrap(payload: AlertEvent | StreamFailure): AlertEvent {
  if (payload instanceof StreamFailure) throw payload.error;
  return payload;
}

builder.queryFields((t) => ({
  alertRules: t.field({
    ...admin,
    type: [AlertRuleRef],
    description: 'Every alert rule, oldest first.',
    resolve: (_, __, { alerts }) => alerts.rules(),
  }),
  activeAlerts: t.field({
    type: [AlertEventRef],
    description: 'The alerts firing now: the FIRING message of each, oldest first.',
    resolve: (_, __, { alerts }) => alerts.active(),
  }),
}));

builder.mutationFields((t) => ({
  createAlertRule: t.field({
    ...admin,
    type: AlertRuleRef,
    args: { input: t.arg({ type: AlertRuleInput, required: true }) },
    errors: {
      dataField: { name: 'rule' },
      result: { fields: (r) => ({ webhookSecret: r.string(webhookSecretField) }) },
      types: [InvalidInputError],
    },
    resolve: (_, { input }, { alerts }) => alerts.createRule(input),
  }),
  updateAlertRule: t.field({
    ...admin,
    type: AlertRuleRef,
    args: {
      id: t.arg.string({ required: true }),
      input: t.arg({ type: AlertRulePatch, required: true }),
    },
    errors: {
      dataField: { name: 'rule' },
      result: { fields: (r) => ({ webhookSecret: r.string(webhookSecretField) }) },
      types: [InvalidInputError, AlertRuleNotFoundError],
    },
    resolve: (_, { id, input }, { alerts }) => alerts.updateRule(id, input),
  }),
  deleteAlertRule: t.field({
    ...admin,
    type: AlertRuleRef,
    description: 'Deletes a rule; its firing alerts resolve, and its webhook is told.',
    args: { id: t.arg.string({ required: true }) },
    errors: { dataField: { name: 'rule' }, types: [AlertRuleNotFoundError] },
    resolve: (_, { id }, { alerts }) => alerts.deleteRule(id),
  }),
}));

builder.subscriptionField('alerts', (t) =>
  t.field({
    type: AlertEventRef,
    description: 'Every alert message from now on: FIRING and RESOLVED (of one rule, when given).',
    args: { ruleId: t.arg.string() },
    subscribe: (_, { ruleId }, { alerts }) => alerts.subscribe({ ruleId: ruleId ?? null }),
    resolve: unwrap,
  }),
);

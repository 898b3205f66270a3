import { z } from 'zod';
import { matchesFilter } from '../containers/filter.js';
import type { Container } from '../containers/model.js';
import { InvalidInputError } from '../../shared/errors.js';
import { generateWebhookSecret, secretProblem, standardSecret } from './signing.js';

/** Alert rules: what each kind watches, the rule as stored, and the validation of what admins send. */

export const ALERT_KINDS = [
  'CPU_ABOVE',
  'MEMORY_ABOVE',
  'UNHEALTHY',
  'RESTART_LOOP',
  'OOM_KILLED',
  'EXITED_NON_ZERO',
  'IMAGE_UPDATE_AVAILABLE',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export const ALERT_STATES = ['FIRING', 'RESOLVED'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

/** Which containers a rule watches; both given means both must hold, none means every container. */
export interface AlertScope {
  /** A container name, a full id, or an id prefix of 12 characters or more. */
  container: string | null;
  /** `key` or `key=value`, as `docker ps --filter label=`. */
  label: string | null;
}

export interface AlertWebhook {
  url: string;
  /**
   * Signs every delivery (Standard Webhooks, HMAC-SHA256), always in the spec's `whsec_<base64>`
   * form; shown once, in the answer to the change that set it, and never again.
   */
  secret: string;
}

/** How the last webhook delivery of a rule ended. */
export interface DeliveryRecord {
  at: Date;
  alertId: string;
  state: AlertState;
  ok: boolean;
  attempts: number;
  /** The receiver's last HTTP status; null when it never answered. */
  statusCode: number | null;
  error: string | null;
}

/** What a rule watches for, the part a webhook receiver and a backup both carry. */
export function ruleCondition(rule: AlertRule) {
  return {
    kind: rule.kind,
    thresholdPercent: rule.thresholdPercent,
    forSeconds: rule.forSeconds,
    restarts: rule.restarts,
    windowSeconds: rule.windowSeconds,
  };
}

export interface AlertRule {
  id: string;
  name: string;
  kind: AlertKind;
  /** CPU_ABOVE (as `docker stats`: 100 = one core) and MEMORY_ABOVE (of the limit). */
  thresholdPercent: number | null;
  /** CPU_ABOVE and MEMORY_ABOVE: how long the figure must stay above before the alert fires. */
  forSeconds: number | null;
  /** RESTART_LOOP: this many restarts within `windowSeconds`. */
  restarts: number | null;
  windowSeconds: number | null;
  scope: AlertScope;
  enabled: boolean;
  webhook: AlertWebhook | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A rule as an admin defines it: everything but identity and timestamps. */
export type AlertRuleDefinition = Omit<AlertRule, 'id' | 'createdAt' | 'updatedAt'>;

type Parameter = 'thresholdPercent' | 'forSeconds' | 'restarts' | 'windowSeconds';
const PARAMETERS: readonly Parameter[] = ['thresholdPercent', 'forSeconds', 'restarts', 'windowSeconds'];

/** Which parameters each kind takes: required, optional (with its default), or none. */
const KIND_PARAMETERS: Record<AlertKind, Partial<Record<Parameter, { default?: number }>>> = {
  CPU_ABOVE: { thresholdPercent: {}, forSeconds: { default: 0 } },
  MEMORY_ABOVE: { thresholdPercent: {}, forSeconds: { default: 0 } },
  UNHEALTHY: {},
  RESTART_LOOP: { restarts: {}, windowSeconds: {} },
  OOM_KILLED: {},
  EXITED_NON_ZERO: {},
  IMAGE_UPDATE_AVAILABLE: {},
};

const MAX_SECONDS = 24 * 60 * 60;
const CONTAINER_REF = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const ID_PREFIX = /^[0-9a-f]{12,64}$/;

const text = (what: string, max: number) =>
  z
    .string()
    .max(max, `must be at most ${max} characters`)
    // Control characters would forge lines in logs and webhook receivers' displays.
    .refine((value) => !/[\u0000-\u001f\u007f]/.test(value), `${what} must not contain control characters`);

const webhookUrl = z
  .string()
  .max(2048, 'must be at most 2048 characters')
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
    } catch {
      return false;
    }
  }, 'must be an http:// or https:// URL');

const ruleSchema = z
  .object({
    name: text('the name', 100).refine((value) => value.trim() !== '', 'must not be empty'),
    kind: z.enum(ALERT_KINDS, { error: `must be one of ${ALERT_KINDS.join(', ')}` }),
    thresholdPercent: z
      .number()
      .gt(0, 'must be above 0')
      .max(100 * 1024, 'must be at most 102400 (100 × 1024 CPUs)')
      .nullish(),
    forSeconds: z
      .number()
      .int('must be a whole number of seconds')
      .min(0, 'must not be negative')
      .max(MAX_SECONDS, `must be at most ${MAX_SECONDS}`)
      .nullish(),
    restarts: z
      .number()
      .int('must be a whole number')
      .min(2, 'must be at least 2 (one restart is not a loop)')
      .max(1000, 'must be at most 1000')
      .nullish(),
    windowSeconds: z
      .number()
      .int('must be a whole number of seconds')
      .min(1, 'must be at least 1')
      .max(MAX_SECONDS, `must be at most ${MAX_SECONDS}`)
      .nullish(),
    scope: z
      .object({
        container: text('the container', 255)
          .refine((value) => CONTAINER_REF.test(value), 'is not a container name, id or id prefix')
          .nullish(),
        label: text('the label filter', 4096)
          .min(1, 'must not be empty')
          .refine((value) => !value.startsWith('='), 'needs a key before "="')
          .nullish(),
      })
      .nullish(),
    webhook: z
      .object({
        url: webhookUrl,
        // Left out: the current secret, or a new one berth generates (see validateRuleDefinition).
        secret: z
          .string()
          .superRefine((value, context) => {
            const problem = secretProblem(value);
            if (problem !== null) context.addIssue({ code: 'custom', message: problem });
          })
          .nullish(),
      })
      .nullish(),
    enabled: z.boolean().nullish(),
  })
  .superRefine((rule, context) => {
    const takes = KIND_PARAMETERS[rule.kind];
    for (const parameter of PARAMETERS) {
      const given = rule[parameter] != null;
      const accepted = takes[parameter];
      if (!accepted && given) {
        context.addIssue({ code: 'custom', path: [parameter], message: `does not apply to ${rule.kind}` });
      } else if (accepted && accepted.default === undefined && !given) {
        context.addIssue({ code: 'custom', path: [parameter], message: `is required for ${rule.kind}` });
      }
    }
    if (rule.kind === 'MEMORY_ABOVE' && (rule.thresholdPercent ?? 0) > 100) {
      context.addIssue({
        code: 'custom',
        path: ['thresholdPercent'],
        message: 'must be at most 100 for MEMORY_ABOVE (percent of the limit)',
      });
    }
  });

/** What createAlertRule takes, as GraphQL hands it over (absent fields may be null). */
export interface AlertRuleInput {
  name?: string | null | undefined;
  kind?: AlertKind | null | undefined;
  thresholdPercent?: number | null | undefined;
  forSeconds?: number | null | undefined;
  restarts?: number | null | undefined;
  windowSeconds?: number | null | undefined;
  scope?: { container?: string | null | undefined; label?: string | null | undefined } | null | undefined;
  webhook?: { url?: string | null | undefined; secret?: string | null | undefined } | null | undefined;
  enabled?: boolean | null | undefined;
}

function toInvalidInput(error: z.ZodError, prefix: string): InvalidInputError {
  const issue = error.issues[0];
  const path = [prefix, ...(issue?.path ?? []).map(String)].filter((part) => part !== '');
  let message = issue?.message ?? 'is invalid';
  if (issue?.code === 'invalid_type' && issue.input == null) message = 'is required';
  return new InvalidInputError(path.join('.') || 'input', message);
}

/**
 * Validates a whole rule definition; `prefix` is where the input sits (`input` for GraphQL). A
 * webhook without a secret keeps `currentSecret` (an update's) or gets a new one generated; a
 * secret given is kept in its `whsec_` form.
 */
export function validateRuleDefinition(
  input: AlertRuleInput,
  prefix = 'input',
  currentSecret: string | null = null,
): AlertRuleDefinition {
  const parsed = ruleSchema.safeParse(input);
  if (!parsed.success) throw toInvalidInput(parsed.error, prefix);
  const value = parsed.data;
  const parameter = (name: Parameter): number | null =>
    KIND_PARAMETERS[value.kind][name]
      ? (value[name] ?? KIND_PARAMETERS[value.kind][name]?.default ?? null)
      : null;
  return {
    name: value.name.trim(),
    kind: value.kind,
    thresholdPercent: parameter('thresholdPercent'),
    forSeconds: parameter('forSeconds'),
    restarts: parameter('restarts'),
    windowSeconds: parameter('windowSeconds'),
    scope: {
      container: value.scope?.container?.replace(/^\//, '') ?? null,
      label: value.scope?.label ?? null,
    },
    enabled: value.enabled ?? true,
    webhook: value.webhook
      ? {
          url: value.webhook.url,
          secret:
            value.webhook.secret != null
              ? standardSecret(value.webhook.secret)
              : (currentSecret ?? generateWebhookSecret()),
        }
      : null,
  };
}

/**
 * An update: fields left out keep their value, null clears an optional one. A new kind takes
 * none of the old kind's parameters (they mean something else). A webhook given without a secret
 * keeps the current secret, which the admin cannot read back to send again (and which is not
 * checked again: one from before migration 10 may be shorter than a new one must be).
 */
export function applyRulePatch(
  rule: AlertRule,
  patch: AlertRuleInput,
  prefix = 'input',
): AlertRuleDefinition {
  const kindChanged = patch.kind != null && patch.kind !== rule.kind;
  const merged: AlertRuleInput = {
    name: patch.name === undefined ? rule.name : patch.name,
    kind: patch.kind === undefined ? rule.kind : patch.kind,
    scope: patch.scope === undefined ? rule.scope : patch.scope,
    enabled: patch.enabled === undefined ? rule.enabled : patch.enabled,
  };
  for (const parameter of PARAMETERS) {
    merged[parameter] = patch[parameter] !== undefined || kindChanged ? patch[parameter] : rule[parameter];
  }
  if (patch.webhook === undefined) merged.webhook = rule.webhook && { url: rule.webhook.url };
  else if (patch.webhook === null) merged.webhook = null;
  else merged.webhook = { url: patch.webhook.url, secret: patch.webhook.secret ?? null };
  return validateRuleDefinition(merged, prefix, rule.webhook?.secret ?? null);
}

/** Whether a rule watches `container`. */
export function inScope(scope: AlertScope, container: Container): boolean {
  if (scope.label !== null && !matchesFilter(container, { label: scope.label })) return false;
  if (scope.container === null) return true;
  const wanted = scope.container;
  // A standing rule applies to containers made later too: a short prefix would catch strangers.
  return (
    container.name === wanted ||
    container.id === wanted ||
    (ID_PREFIX.test(wanted) && container.id.startsWith(wanted))
  );
}

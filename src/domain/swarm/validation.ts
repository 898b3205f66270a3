import { z } from 'zod';
import { toInvalidInput } from '../../shared/validation.js';
import { createSchema } from '../lifecycle/validation.js';
import { InvalidInputError } from '../../shared/errors.js';
import { networkRefSchema } from '../networks/names.js';
import {
  UPDATE_ORDERS,
  type ServiceChange,
  type ServicePort,
  type ServiceSpec,
  type UpdatePolicy,
} from './model.js';

/**
 * The rules a service request passes before berth calls the swarm. The parts a service shares
 * with a container (image, command, env, labels, healthcheck) are the container rules themselves.
 */

// swarmkit's own rule: a DNS name component of at most 63 characters.
const SERVICE_NAME = /^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$/;
const SERVICE_REF = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const MAX_SECONDS = 24 * 60 * 60;
// Far above what one manager should be asked to schedule at once, low enough to stop a typo.
export const MAX_REPLICAS = 1000;

const nameSchema = z
  .string({ error: 'must be a string' })
  .max(63, 'is too long (at most 63 characters, a DNS name component)')
  .refine(
    (value) => SERVICE_NAME.test(value),
    'must be a DNS name component: letters and digits, with "-" or "_" between them',
  );

const refSchema = z
  .string({ error: 'must be a string' })
  .min(1, 'must not be empty')
  .max(255, 'is too long')
  .refine((value) => SERVICE_REF.test(value), 'is not a service id, id prefix or name');

const replicasSchema = z
  .number({ error: 'must be a number' })
  .int('must be a whole number')
  .min(0, 'must not be negative')
  .max(MAX_REPLICAS, `must be at most ${MAX_REPLICAS}`);

const seconds = z
  .number({ error: 'must be a number' })
  .min(0, 'must not be negative')
  .max(MAX_SECONDS, `must be at most ${MAX_SECONDS}`);

const portNumber = z
  .number({ error: 'must be a number' })
  .int('must be a whole number')
  .min(1, 'must be between 1 and 65535')
  .max(65535, 'must be between 1 and 65535');

const portSchema = z.object({
  targetPort: portNumber,
  publishedPort: portNumber.nullish(),
  protocol: z
    .string()
    .transform((value) => value.toLowerCase())
    .pipe(z.enum(['tcp', 'udp', 'sctp'], { error: 'must be tcp, udp or sctp' }))
    .nullish(),
  publishMode: z.enum(['HOST', 'INGRESS'], { error: 'must be HOST or INGRESS' }).nullish(),
});

const portsSchema = z
  .array(portSchema)
  .max(1024)
  .superRefine((ports, ctx) => {
    // The swarm refuses two ports published on one number, after the call; name the port here.
    const seen = new Set<string>();
    ports.forEach((port, i) => {
      if (port.publishedPort == null) return;
      const key = `${port.publishedPort}/${port.protocol ?? 'tcp'}`;
      if (seen.has(key)) {
        ctx.addIssue({ code: 'custom', path: [i, 'publishedPort'], message: `${key} is published twice` });
      }
      seen.add(key);
    });
  });

const policyFields = {
  parallelism: z
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(0, 'must not be negative (0 replaces every task at once)')
    .max(MAX_REPLICAS)
    .nullish(),
  delaySeconds: seconds.nullish(),
  order: z.enum(UPDATE_ORDERS, { error: 'must be STOP_FIRST or START_FIRST' }).nullish(),
  monitorSeconds: seconds.nullish(),
  maxFailureRatio: z.number({ error: 'must be a number' }).min(0).max(1, 'must be between 0 and 1').nullish(),
};

const updateConfigSchema = z.object({
  ...policyFields,
  failureAction: z
    .enum(['PAUSE', 'CONTINUE', 'ROLLBACK'], { error: 'must be PAUSE, CONTINUE or ROLLBACK' })
    .nullish(),
});

// A rollback that fails cannot roll back again: the engine knows only pause and continue for it.
const rollbackConfigSchema = z.object({
  ...policyFields,
  failureAction: z.enum(['PAUSE', 'CONTINUE'], { error: 'must be PAUSE or CONTINUE' }).nullish(),
});

const networksSchema = z
  .array(networkRefSchema)
  .max(32, 'at most 32 networks')
  .superRefine((names, ctx) => {
    const seen = new Set<string>();
    names.forEach((name, i) => {
      if (seen.has(name)) ctx.addIssue({ code: 'custom', path: [i], message: `lists "${name}" twice` });
      seen.add(name);
    });
  });

const specFields = {
  image: createSchema.shape.image,
  replicas: replicasSchema.nullish(),
  command: createSchema.shape.command,
  env: createSchema.shape.env,
  labels: createSchema.shape.labels,
  ports: portsSchema.nullish(),
  healthcheck: createSchema.shape.healthcheck,
  updateConfig: updateConfigSchema.nullish(),
  rollbackConfig: rollbackConfigSchema.nullish(),
  stopGracePeriodSeconds: seconds.nullish(),
  networks: networksSchema.nullish(),
};

const deploySchema = z.object({ name: nameSchema, ...specFields });

const changeSchema = z.object({
  ...specFields,
  image: createSchema.shape.image.nullish(),
  force: z.boolean({ error: 'must be true or false' }).nullish(),
});

type Parsed<T extends z.ZodType> = z.output<T>;

function toPorts(ports: NonNullable<Parsed<typeof portsSchema>>): ServicePort[] {
  return ports.map((port) => ({
    targetPort: port.targetPort,
    publishedPort: port.publishedPort ?? null,
    protocol: port.protocol ?? 'tcp',
    publishMode: port.publishMode ?? 'INGRESS',
  }));
}

function toPolicy(
  policy: Parsed<typeof updateConfigSchema> | Parsed<typeof rollbackConfigSchema>,
): Partial<UpdatePolicy> {
  const result: Partial<UpdatePolicy> = {};
  if (policy.parallelism != null) result.parallelism = policy.parallelism;
  if (policy.delaySeconds != null) result.delaySeconds = policy.delaySeconds;
  if (policy.failureAction != null) result.failureAction = policy.failureAction;
  if (policy.order != null) result.order = policy.order;
  if (policy.monitorSeconds != null) result.monitorSeconds = policy.monitorSeconds;
  if (policy.maxFailureRatio != null) result.maxFailureRatio = policy.maxFailureRatio;
  return result;
}

function toHealthcheck(check: NonNullable<Parsed<typeof createSchema.shape.healthcheck>>) {
  const { test, intervalSeconds, timeoutSeconds, retries, startPeriodSeconds } = check;
  return {
    test,
    ...(intervalSeconds != null && { intervalSeconds }),
    ...(timeoutSeconds != null && { timeoutSeconds }),
    ...(retries != null && { retries }),
    ...(startPeriodSeconds != null && { startPeriodSeconds }),
  };
}

/** What both a deploy and an update may set, in berth's terms, leaving out what was not given. */
function commonSpec(value: Parsed<typeof changeSchema>): Partial<Omit<ServiceSpec, 'name'>> {
  const change: Partial<Omit<ServiceSpec, 'name'>> = {};
  if (value.image != null) change.image = value.image;
  if (value.replicas != null) change.replicas = value.replicas;
  if (value.command != null) change.command = value.command;
  if (value.env != null) change.env = value.env;
  if (value.labels != null) change.labels = value.labels;
  if (value.ports != null) change.ports = toPorts(value.ports);
  if (value.healthcheck != null) change.healthcheck = toHealthcheck(value.healthcheck);
  if (value.updateConfig != null) change.updateConfig = toPolicy(value.updateConfig);
  if (value.rollbackConfig != null) change.rollbackConfig = toPolicy(value.rollbackConfig);
  if (value.stopGracePeriodSeconds != null) change.stopGracePeriodSeconds = value.stopGracePeriodSeconds;
  if (value.networks != null) change.networks = value.networks;
  return change;
}

/** A deployService input; `prefix` is where it sits in the caller's shape (`["input"]`). */
export function validateServiceSpec(input: unknown, prefix: readonly string[] = ['input']): ServiceSpec {
  const parsed = deploySchema.safeParse(input);
  if (!parsed.success) throw toInvalidInput(parsed.error, prefix);
  const change = commonSpec(parsed.data);
  return {
    ...change,
    name: parsed.data.name,
    image: parsed.data.image,
    replicas: change.replicas ?? 1,
    env: change.env ?? [],
    labels: change.labels ?? [],
    ports: change.ports ?? [],
    networks: change.networks ?? [],
  };
}

/** An updateService input: at least one thing must change. */
export function validateServiceChange(input: unknown, prefix: readonly string[] = ['input']): ServiceChange {
  const parsed = changeSchema.safeParse(input ?? {});
  if (!parsed.success) throw toInvalidInput(parsed.error, prefix);
  const change: ServiceChange = commonSpec(parsed.data);
  if (parsed.data.force) change.force = true;
  if (Object.keys(change).length === 0) {
    throw new InvalidInputError(prefix.join('.') || 'input', 'names nothing to change');
  }
  return change;
}

/** A service reference: a full id, a unique id prefix, or a name. */
export function validateServiceRef(value: unknown, field = 'id'): string {
  const parsed = refSchema.safeParse(value);
  if (!parsed.success) throw toInvalidInput(parsed.error, [field]);
  return parsed.data;
}

export function validateReplicas(value: unknown, field = 'replicas'): number {
  const parsed = replicasSchema.safeParse(value);
  if (!parsed.success) throw toInvalidInput(parsed.error, [field]);
  return parsed.data;
}

import { isIP } from 'node:net';
import { z } from 'zod';
import { InvalidInputError } from '../../shared/errors.js';
import { keyValueSchema, refineText, toInvalidInput } from '../../shared/validation.js';
import { networkAttachmentSchema } from '../networks/names.js';
import { volumeMountSchema } from '../volumes/names.js';
import { isImageReference } from '../images/reference.js';
import {
  CONTAINER_STATUSES,
  HOST_NAMESPACES,
  PORT_PROTOCOLS,
  RESTART_POLICIES,
  type ContainerFilter,
  type CreateContainerSpec,
} from '../containers/model.js';

/**
 * The rules every create request must pass before berth calls Docker. GraphQL and the REST shim
 * both hand their input here, so one rule has one home and both surfaces name the same field.
 */

// Docker's own rule for container names (its daemon also wants at least two characters).
const NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

// Docker refuses memory limits under 6 MiB.
const MIN_MEMORY_BYTES = 6 * 1024 * 1024;
const MAX_SECONDS = 24 * 60 * 60;

/**
 * How large a create may be, kept below what the engine and the kernel take (each tried against a
 * real engine in test/integration/create-limits.test.ts). A container's process is started with its
 * command and env, and the kernel refuses (E2BIG, "argument list too long", the container exits 1)
 * one string over 128 KiB with its NUL (MAX_ARG_STRLEN), or all of them past a quarter of the stack
 * limit (2 MiB on the usual 8 MiB). berth keeps env to 1 MiB and a command to 256 KiB, so the
 * image's own env and arguments still fit beside them. Labels reach no process: the engine took
 * 8 MiB of them, berth keeps them to 1 MiB. Sizes are UTF-8 bytes, as the kernel counts.
 */
export const CREATE_LIMITS = {
  /** One argument, or one variable as `NAME=value`, without its NUL. */
  stringBytes: 128 * 1024 - 1,
  /** Every variable as `NAME=value` with its NUL. */
  envBytes: 1024 * 1024,
  /** Every argument of the command (or of a healthcheck) with its NUL. */
  commandBytes: 256 * 1024,
  /** Every label's name and value. */
  labelBytes: 1024 * 1024,
} as const;

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/** An argument a process is started with: no NUL, and within the kernel's bound on one string. */
const argumentSchema = (what: string) =>
  refineText(what).refine(
    (value) => bytes(value) <= CREATE_LIMITS.stringBytes,
    `must be at most ${CREATE_LIMITS.stringBytes} bytes, the most the kernel gives a process in one argument`,
  );

/** A command's arguments, each within the bound, and all of them within `commandBytes`. */
const argumentsSchema = (what: string) =>
  z.array(argumentSchema(what)).superRefine((args, ctx) => {
    if (args.reduce((sum, arg) => sum + bytes(arg) + 1, 0) > CREATE_LIMITS.commandBytes) {
      ctx.addIssue({
        code: 'custom',
        message: `must be at most ${CREATE_LIMITS.commandBytes} bytes in all (256 KiB, each argument with its NUL)`,
      });
    }
  });

const envSchema = z
  .array(
    keyValueSchema('environment variable').superRefine(({ name, value }, ctx) => {
      if (bytes(name) + 1 + bytes(value) > CREATE_LIMITS.stringBytes) {
        ctx.addIssue({
          code: 'custom',
          path: ['value'],
          message: `NAME=value must be at most ${CREATE_LIMITS.stringBytes} bytes, the most the kernel gives a process in one variable`,
        });
      }
    }),
  )
  .max(4096)
  .superRefine((env, ctx) => {
    const total = env.reduce((sum, { name, value }) => sum + bytes(name) + bytes(value) + 2, 0);
    if (total > CREATE_LIMITS.envBytes) {
      ctx.addIssue({
        code: 'custom',
        message: `must be at most ${CREATE_LIMITS.envBytes} bytes in all (1 MiB, each NAME=value with its NUL); this is ${total}`,
      });
    }
  });

const labelsSchema = z
  .array(keyValueSchema('label'))
  .max(4096)
  .superRefine((labels, ctx) => {
    const total = labels.reduce((sum, { name, value }) => sum + bytes(name) + bytes(value), 0);
    if (total > CREATE_LIMITS.labelBytes) {
      ctx.addIssue({
        code: 'custom',
        message: `must be at most ${CREATE_LIMITS.labelBytes} bytes in all (1 MiB of names and values); this is ${total}`,
      });
    }
  });

export function isContainerName(value: string): boolean {
  return value.length <= 255 && NAME_PATTERN.test(value);
}

const nameSchema = z
  .string()
  .refine(isContainerName, 'must match [a-zA-Z0-9][a-zA-Z0-9_.-]+ (2 to 255 characters)');

const imageSchema = z
  .string()
  .min(1, 'is required')
  .refine(
    isImageReference,
    'is not a valid image reference (e.g. "busybox:1.36" or "registry:5000/team/app@sha256:…")',
  );

const portNumber = z
  .number({ error: 'must be a number' })
  .int('must be a whole number')
  .min(1, 'must be between 1 and 65535')
  .max(65535, 'must be between 1 and 65535');

const portSchema = z.object({
  containerPort: portNumber,
  protocol: z
    .string()
    .transform((value) => value.toLowerCase())
    .pipe(z.enum(PORT_PROTOCOLS, { error: 'must be tcp, udp or sctp' }))
    .nullish(),
  hostPort: portNumber.nullish(),
  hostIp: z
    .string()
    .refine((value) => isIP(value) !== 0, 'must be an IPv4 or IPv6 address')
    .nullish(),
});

const seconds = z
  .number({ error: 'must be a number' })
  .min(0, 'must not be negative')
  .max(MAX_SECONDS, `must be at most ${MAX_SECONDS}`);

const healthcheckSchema = z
  .object({
    test: argumentsSchema('healthcheck test').min(1, 'must not be empty'),
    // Docker refuses durations under 1 ms (0 means "the default" only for the API, not here).
    intervalSeconds: seconds.min(0.001, 'must be at least 0.001 (1 ms)').nullish(),
    timeoutSeconds: seconds.min(0.001, 'must be at least 0.001 (1 ms)').nullish(),
    retries: z.number().int('must be a whole number').min(0).max(1000).nullish(),
    startPeriodSeconds: seconds
      .refine((value) => value === 0 || value >= 0.001, 'must be 0 or at least 0.001 (1 ms)')
      .nullish(),
  })
  .superRefine((check, ctx) => {
    const [kind, ...rest] = check.test;
    const fail = (message: string) => ctx.addIssue({ code: 'custom', path: ['test'], message });
    if (kind === 'NONE') {
      if (rest.length > 0) fail('["NONE"] takes no arguments');
    } else if (kind === 'CMD') {
      if (rest.length === 0) fail('["CMD", …] needs a command');
    } else if (kind === 'CMD-SHELL') {
      if (rest.length !== 1) fail('["CMD-SHELL", "<shell command>"] takes exactly one command string');
    } else {
      fail('must start with "CMD", "CMD-SHELL" or "NONE"');
    }
  });

const restartPolicySchema = z
  .object({
    name: z.enum(RESTART_POLICIES, { error: 'must be NO, ALWAYS, UNLESS_STOPPED or ON_FAILURE' }),
    maximumRetryCount: z.number().int('must be a whole number').min(0).max(1_000_000).nullish(),
  })
  .superRefine((policy, ctx) => {
    if ((policy.maximumRetryCount ?? 0) > 0 && policy.name !== 'ON_FAILURE') {
      ctx.addIssue({
        code: 'custom',
        path: ['maximumRetryCount'],
        message: 'only applies to the ON_FAILURE policy',
      });
    }
  });

const resourcesSchema = z.object({
  memoryBytes: z
    .number({ error: 'must be a number' })
    .int('must be a whole number of bytes')
    .min(MIN_MEMORY_BYTES, `must be at least ${MIN_MEMORY_BYTES} (6 MiB), Docker's minimum`)
    .max(Number.MAX_SAFE_INTEGER)
    .nullish(),
  cpus: z.number({ error: 'must be a number' }).min(0.01, 'must be at least 0.01').max(1024).nullish(),
});

/** Exported for templates and backups, which keep a request in its own shape (see src/domain/templates). */
export const createSchema = z.object({
  name: nameSchema.nullish(),
  image: imageSchema,
  env: envSchema.nullish(),
  ports: z.array(portSchema).max(1024).nullish(),
  command: argumentsSchema('command arguments').min(1, 'must not be empty when given').nullish(),
  restartPolicy: restartPolicySchema.nullish(),
  healthcheck: healthcheckSchema.nullish(),
  labels: labelsSchema.nullish(),
  resources: resourcesSchema.nullish(),
  tty: z.boolean({ error: 'must be true or false' }).nullish(),
  start: z.boolean({ error: 'must be true or false' }).nullish(),
  privileged: z.boolean({ error: 'must be true or false' }).nullish(),
  hostNamespaces: z.array(z.enum(HOST_NAMESPACES)).max(6).nullish(),
  capAdd: z
    .array(
      z
        .string()
        .transform((value) => value.toUpperCase().replace(/^CAP_/, ''))
        .pipe(z.string().regex(/^[A-Z_]{2,40}$/, 'must be a capability name like NET_ADMIN')),
    )
    .max(64)
    .nullish(),
  devices: z
    .array(
      refineText('device paths').refine((value) => value.startsWith('/'), 'must be an absolute host path'),
    )
    .max(64)
    .nullish(),
  securityOpt: z.array(refineText('security options').min(1).max(1024)).max(64).nullish(),
  mounts: z
    .array(
      z
        .object({
          type: z.enum(['BIND', 'VOLUME'], { error: 'must be BIND or VOLUME' }),
          source: refineText('mount sources').min(1).max(4096),
          target: refineText('mount targets')
            .max(4096)
            .refine((value) => value.startsWith('/'), 'must be an absolute path in the container'),
          readOnly: z.boolean().nullish(),
        })
        .superRefine((mount, ctx) => {
          if (mount.type === 'BIND' && !mount.source.startsWith('/')) {
            ctx.addIssue({
              code: 'custom',
              path: ['source'],
              message: 'a bind mount needs an absolute host path',
            });
          }
          if (mount.type === 'VOLUME' && !isContainerName(mount.source)) {
            ctx.addIssue({ code: 'custom', path: ['source'], message: 'must be a volume name' });
          }
        }),
    )
    .max(64)
    .nullish(),
  networks: z.array(networkAttachmentSchema).max(32).nullish(),
  volumes: z.array(volumeMountSchema).max(64).nullish(),
});

export type CreateContainerInput = z.input<typeof createSchema>;

/** The first problem in a zod failure, as berth's typed error naming its field. */

/**
 * Validates a create request. `prefix` is where the input sits in the caller's own shape
 * (`["input"]` for GraphQL), so the error's `field` is a path the caller recognises.
 */
export function validateCreateSpec(input: unknown, prefix: readonly string[] = []): CreateContainerSpec {
  const parsed = createSchema.safeParse(input);
  if (!parsed.success) throw toInvalidInput(parsed.error, prefix);
  const value = parsed.data;
  const spec: CreateContainerSpec = {
    image: value.image,
    env: value.env ?? [],
    ports: (value.ports ?? []).map((port) => ({
      containerPort: port.containerPort,
      protocol: port.protocol ?? 'tcp',
      ...(port.hostPort != null && { hostPort: port.hostPort }),
      ...(port.hostIp != null && { hostIp: port.hostIp }),
    })),
    labels: value.labels ?? [],
    tty: value.tty ?? false,
    start: value.start ?? true,
  };
  if (value.name != null) spec.name = value.name;
  if (value.command != null) spec.command = value.command;
  if (value.restartPolicy != null) {
    spec.restartPolicy = {
      name: value.restartPolicy.name,
      maximumRetryCount: value.restartPolicy.maximumRetryCount ?? 0,
    };
  }
  if (value.healthcheck != null) {
    const { test, intervalSeconds, timeoutSeconds, retries, startPeriodSeconds } = value.healthcheck;
    spec.healthcheck = {
      test,
      ...(intervalSeconds != null && { intervalSeconds }),
      ...(timeoutSeconds != null && { timeoutSeconds }),
      ...(retries != null && { retries }),
      ...(startPeriodSeconds != null && { startPeriodSeconds }),
    };
  }
  const privileges = {
    privileged: value.privileged ?? false,
    hostNamespaces: [...new Set(value.hostNamespaces ?? [])],
    capAdd: value.capAdd ?? [],
    devices: value.devices ?? [],
    securityOpt: value.securityOpt ?? [],
    mounts: (value.mounts ?? []).map((mount) => ({
      type: mount.type === 'BIND' ? ('bind' as const) : ('volume' as const),
      source: mount.source,
      target: mount.target,
      readOnly: mount.readOnly ?? false,
    })),
  };
  if (
    privileges.privileged ||
    Object.values(privileges).some((entry) => Array.isArray(entry) && entry.length > 0)
  ) {
    spec.privileges = privileges;
  }
  Object.assign(spec, attachments(value, prefix));
  if (value.resources != null) {
    const { memoryBytes, cpus } = value.resources;
    spec.resources = {
      ...(memoryBytes != null && { memoryBytes }),
      ...(cpus != null && { cpus }),
    };
  }
  return spec;
}

/**
 * Networks and named volumes, with the rules that span fields (kept out of the object schema, which
 * templates reuse field by field).
 */
function attachments(
  value: z.output<typeof createSchema>,
  prefix: readonly string[],
): Pick<CreateContainerSpec, 'networks' | 'volumes'> {
  const fail = (path: (string | number)[], message: string): never => {
    throw new InvalidInputError([...prefix, ...path].join('.'), message);
  };
  const networks = value.networks ?? [];
  if (networks.length > 0 && value.hostNamespaces?.includes('NETWORK')) {
    fail(['networks'], 'a container on the host’s network (hostNamespaces: NETWORK) joins no other network');
  }
  const seenNetworks = new Set<string>();
  networks.forEach(({ name }, i) => {
    if (seenNetworks.has(name)) fail(['networks', i, 'name'], `lists "${name}" twice`);
    seenNetworks.add(name);
  });
  const volumes = value.volumes ?? [];
  // Docker refuses two mounts on one path, after its create call; say which one here.
  const targets = new Set((value.mounts ?? []).map((mount) => mount.target.replace(/\/+$/, '')));
  volumes.forEach(({ target }, i) => {
    const path = target.replace(/\/+$/, '');
    if (targets.has(path)) fail(['volumes', i, 'target'], `${path} is mounted twice`);
    targets.add(path);
  });
  return {
    ...(networks.length > 0 && {
      networks: networks.map(({ name, aliases }) => ({ name, aliases: aliases ?? [] })),
    }),
    ...(volumes.length > 0 && {
      volumes: volumes.map(({ name, target, readOnly }) => ({ name, target, readOnly: readOnly ?? false })),
    }),
  };
}

const idSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(255, 'is too long')
  .refine(
    (value) => /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(value),
    'is not a container id, id prefix or name',
  );

/** A container reference: a full id, a unique id prefix, or a name (as the Docker CLI accepts). */
export function validateContainerRef(value: unknown, field = 'id'): string {
  const parsed = idSchema.safeParse(value);
  if (!parsed.success) throw toInvalidInput(parsed.error, [field]);
  return parsed.data.replace(/^\//, '');
}

export function validateStopTimeout(
  value: number | null | undefined,
  field = 'timeoutSeconds',
): number | undefined {
  if (value == null) return undefined;
  if (!Number.isInteger(value) || value < 0 || value > MAX_SECONDS) {
    throw new InvalidInputError(field, `must be a whole number of seconds between 0 and ${MAX_SECONDS}`);
  }
  return value;
}

const filterSchema = z.object({
  status: z.enum(CONTAINER_STATUSES, { error: `must be one of ${CONTAINER_STATUSES.join(', ')}` }).nullish(),
  name: refineText('name filter').max(255).nullish(),
  label: refineText('label filter').min(1).max(4096).nullish(),
  image: imageSchema.nullish(),
});

export function validateFilter(input: unknown, prefix: readonly string[] = ['filter']): ContainerFilter {
  const parsed = filterSchema.safeParse(input ?? {});
  if (!parsed.success) throw toInvalidInput(parsed.error, prefix);
  const { status, name, label, image } = parsed.data;
  return {
    ...(status != null && { status }),
    ...(name != null && { name }),
    ...(label != null && { label }),
    ...(image != null && { image }),
  };
}

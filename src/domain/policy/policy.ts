import { posix } from 'node:path';
import { z } from 'zod';
import type { CreateContainerSpec } from '../containers/model.js';
import { InvalidInputError, PolicyViolationError } from '../../shared/errors.js';
import type { BerthDatabase } from '../../platform/store/database.js';

/**
 * The admin's create policy: an allow-list. Everything that gives a container power over its host
 * is refused unless the policy says otherwise, and limits fill what a request leaves out.
 */
export interface CreatePolicy {
  allowPrivileged: boolean;
  /** Host network, pid, ipc, uts, user and cgroup namespaces. */
  allowHostNamespaces: boolean;
  /** Host directories a bind mount may come from (prefixes); none by default. */
  bindMountPrefixes: string[];
  /** The engine's own socket, even under an allowed prefix. */
  allowDockerSocket: boolean;
  allowDevices: boolean;
  /** Capabilities that may be added (e.g. NET_ADMIN); none by default. */
  allowedCapabilities: string[];
  /** seccomp/apparmor unconfined, SELinux labels off, and any other security option. */
  allowUnconfined: boolean;
  /** Applied when a request sets none; null for no default. */
  defaultMemoryBytes: number | null;
  defaultCpus: number | null;
  /** Containers on the engine at most; null for no cap. */
  maxContainers: number | null;
}

export const DEFAULT_POLICY: CreatePolicy = {
  allowPrivileged: false,
  allowHostNamespaces: false,
  bindMountPrefixes: [],
  allowDockerSocket: false,
  allowDevices: false,
  allowedCapabilities: [],
  allowUnconfined: false,
  defaultMemoryBytes: null,
  defaultCpus: null,
  maxContainers: null,
};

const policySchema = z.object({
  allowPrivileged: z.boolean(),
  allowHostNamespaces: z.boolean(),
  bindMountPrefixes: z
    .array(z.string().refine((p) => p.startsWith('/') && !p.includes('\0'), 'must be an absolute host path'))
    .max(100),
  allowDockerSocket: z.boolean(),
  allowDevices: z.boolean(),
  allowedCapabilities: z
    .array(z.string().regex(/^[A-Z_]{2,40}$/, 'must be a capability name like NET_ADMIN'))
    .max(64),
  allowUnconfined: z.boolean(),
  defaultMemoryBytes: z
    .number()
    .int()
    .min(6 * 1024 * 1024)
    .max(Number.MAX_SAFE_INTEGER)
    .nullable(),
  defaultCpus: z.number().min(0.01).max(1024).nullable(),
  maxContainers: z.number().int().min(1).max(1_000_000).nullable(),
});

const SAFE_SECURITY_OPTIONS = new Set([
  'no-new-privileges',
  'no-new-privileges:true',
  'no-new-privileges=true',
]);
const DOCKER_SOCKETS = ['/var/run/docker.sock', '/run/docker.sock'];

/** The host path a bind mount really names, with `..` and repeated slashes resolved. */
function hostPath(path: string): string {
  return posix.normalize(path).replace(/\/+$/, '') || '/';
}

function under(path: string, prefix: string): boolean {
  const base = hostPath(prefix);
  return base === '/' || path === base || path.startsWith(`${base}/`);
}

/** Refuses what the policy does not allow, naming the field; `prefix` is where the input sits. */
export function enforcePolicy(spec: CreateContainerSpec, policy: CreatePolicy, prefix: string): void {
  const deny = (field: string, message: string): never => {
    throw new PolicyViolationError(`${prefix}${field}`, message);
  };
  // Joining the engine's `host` network is the host's network namespace by another name.
  spec.networks?.forEach((network, i) => {
    if (network.name === 'host' && !policy.allowHostNamespaces)
      deny(`networks.${i}.name`, 'the host network namespace is not allowed');
  });
  // Not weighed, as none gives power over the host: tmpfs mounts (memory of the container's own,
  // under its memory limit, and no host path), extra /etc/hosts lines (a name for an address it
  // could reach anyway, `host-gateway` included), dropped capabilities (only ever fewer), the user,
  // working directory, hostname (its own UTS namespace), entrypoint, init (the engine's own
  // docker-init), stop signal and timeout, and a fixed address on a user network (the engine
  // refuses one on a network without a subnet of its creator's, and one already taken).
  const privileges = spec.privileges;
  if (!privileges) return;
  if (privileges.privileged && !policy.allowPrivileged)
    deny('privileged', 'privileged containers are not allowed');
  for (const namespace of privileges.hostNamespaces) {
    if (!policy.allowHostNamespaces)
      deny(`hostNamespaces`, `the host ${namespace.toLowerCase()} namespace is not allowed`);
  }
  privileges.capAdd.forEach((capability, i) => {
    if (!policy.allowedCapabilities.includes(capability))
      deny(`capAdd.${i}`, `adding ${capability} is not allowed`);
  });
  if (privileges.devices.length > 0 && !policy.allowDevices) deny('devices', 'host devices are not allowed');
  privileges.securityOpt.forEach((option, i) => {
    if (!SAFE_SECURITY_OPTIONS.has(option) && !policy.allowUnconfined) {
      deny(`securityOpt.${i}`, `the security option "${option}" is not allowed`);
    }
  });
  privileges.mounts.forEach((mount, i) => {
    if (mount.type !== 'bind') return;
    const path = hostPath(mount.source);
    const socket = DOCKER_SOCKETS.some((s) => path === s || s.startsWith(`${path}/`) || path === '/');
    if (socket && !policy.allowDockerSocket)
      deny(`mounts.${i}.source`, 'the Docker socket (or a directory holding it) is not allowed');
    if (!policy.bindMountPrefixes.some((allowed) => under(path, allowed))) {
      deny(`mounts.${i}.source`, `host path ${path} is not under an allowed prefix`);
    }
  });
}

/** The create policy, kept in berth's database; defaults deny everything dangerous. */
export class PolicyStore {
  constructor(private readonly db: BerthDatabase) {}

  get(): CreatePolicy {
    const row = this.db
      .prepare<[], { policy: string }>('SELECT policy FROM create_policy WHERE id = 1')
      .get();
    if (!row) return DEFAULT_POLICY;
    const parsed = policySchema.safeParse({ ...DEFAULT_POLICY, ...(JSON.parse(row.policy) as object) });
    return parsed.success ? parsed.data : DEFAULT_POLICY;
  }

  /** Replaces the policy with `changes` applied to the current one. */
  set(changes: Partial<Record<keyof CreatePolicy, unknown>>): CreatePolicy {
    const merged = {
      ...this.get(),
      ...Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)),
    };
    const parsed = policySchema.safeParse(merged);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new InvalidInputError(`input.${issue?.path.join('.') ?? ''}`, issue?.message ?? 'is invalid');
    }
    this.db
      .prepare<[string, number]>(
        'INSERT INTO create_policy (id, policy, updated_at) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET policy = excluded.policy, updated_at = excluded.updated_at',
      )
      .run(JSON.stringify(parsed.data), Date.now());
    return parsed.data;
  }
}

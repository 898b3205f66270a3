import type { HealthcheckSpec, Privileges, RestartPolicyName } from '../../containers/model.js';
import type { FailureAction, UpdateOrder } from '../../swarm/model.js';
import type {
  DependencyCondition,
  ReplicaTemplate,
  StackDependency,
  StackPort,
  StackUpdateConfig,
} from '../model.js';
import { entriesOf, environmentOf, labelsOf, type EnvironmentContext } from './environment.js';
import { parsePort } from './ports.js';
import type { Path, ProblemList } from './problems.js';
import { shellSplit } from './shlex.js';
import { parseBytes, parseDuration } from './units.js';
import { parseMounts, type MountContext, type ServiceMounts } from './volumes.js';

type Entry = Record<string, unknown>;

/** A bound on replicas per service: past it, a typo (30000) would flood the engine. */
export const MAX_REPLICAS = 100;

/** A service as the file says it, before its networks and volumes are resolved to engine names. */
export interface ServiceDraft {
  name: string;
  profiles: string[];
  replicas: number;
  dependsOn: (StackDependency & { path: Path })[];
  update: StackUpdateConfig;
  /** Without `volumes` (named volumes are in `mounts` by key until resolved). */
  container: ReplicaTemplate;
  mounts: ServiceMounts;
  ports: { port: StackPort; path: Path }[];
  networks: { key: string; aliases: string[]; ipv4Address: string | null; path: Path }[];
}

export type ServiceContext = EnvironmentContext & MountContext;

/** Docker's own defaults for `deploy.update_config`, which Compose leaves to the engine. */
const UPDATE_DEFAULTS: StackUpdateConfig = {
  parallelism: 1,
  delaySeconds: 0,
  order: 'STOP_FIRST',
  failureAction: 'PAUSE',
};

/** A word of the file looked up in a table: own keys only, so `constructor` is no restart policy. */
function lookup<T>(table: Record<string, T>, key: unknown): T | undefined {
  return typeof key === 'string' && Object.hasOwn(table, key) ? table[key] : undefined;
}

const CONDITIONS: Record<string, DependencyCondition> = {
  service_started: 'SERVICE_STARTED',
  service_healthy: 'SERVICE_HEALTHY',
  service_completed_successfully: 'SERVICE_COMPLETED_SUCCESSFULLY',
};

/** One service of a schema-valid file, in berth's terms; what is wrong goes to `problems`. */
export function serviceDraft(
  name: string,
  service: Entry,
  context: ServiceContext,
  problems: ProblemList,
): ServiceDraft {
  const path: Path = ['services', name];
  const at = (key: string): Path => [...path, key];
  const deploy = (service['deploy'] ?? {}) as Entry;

  const image = service['image'];
  if (typeof image !== 'string' || image.trim() === '')
    problems.add(
      path,
      'needs an "image": berth does not build images',
      typeof image === 'string' ? {} : { key: 'image' },
    );

  const container: ReplicaTemplate = {
    image: typeof image === 'string' ? image : '',
    env: environmentOf(service, context, path, problems),
    labels: labelsOf(service['labels']),
    tty: false,
  };
  const command = words(service['command'], at('command'), problems);
  if (command !== undefined) container.command = command;
  const entrypoint = words(service['entrypoint'], at('entrypoint'), problems);
  if (entrypoint !== undefined) container.entrypoint = entrypoint;
  const restart = restartPolicy(service['restart'], at('restart'), problems);
  if (restart !== undefined) container.restartPolicy = restart;
  const healthcheck = healthcheckOf(service['healthcheck'], at('healthcheck'), problems);
  if (healthcheck !== undefined) container.healthcheck = healthcheck;
  const resources = resourcesOf(service, deploy, path, problems);
  if (resources !== undefined) container.resources = resources;
  if (typeof service['user'] === 'string') container.user = service['user'];
  if (typeof service['working_dir'] === 'string') container.workingDir = service['working_dir'];
  if (typeof service['hostname'] === 'string') container.hostname = service['hostname'];
  if (typeof service['init'] === 'boolean') container.init = service['init'];
  if (service['extra_hosts'] !== undefined)
    container.extraHosts = extraHosts(service['extra_hosts'], at('extra_hosts'), problems);
  if (Array.isArray(service['cap_drop'])) container.capDrop = service['cap_drop'].map(String);
  if (typeof service['stop_signal'] === 'string') container.stopSignal = service['stop_signal'];
  if (typeof service['stop_grace_period'] === 'string') {
    const seconds = duration(service['stop_grace_period'], at('stop_grace_period'), problems);
    // The engine's stop timeout is whole seconds: round up, so a process gets at least what was asked.
    if (seconds !== undefined) container.stopTimeoutSeconds = Math.ceil(seconds);
  }

  const mounts = parseMounts(service['volumes'], service['tmpfs'], context, path, problems);
  if (mounts.tmpfs.length > 0) container.tmpfs = mounts.tmpfs;
  const capAdd = Array.isArray(service['cap_add']) ? service['cap_add'].map(String) : [];
  if (capAdd.length > 0 || mounts.binds.length > 0) container.privileges = privileges(capAdd, mounts.binds);

  const ports = (Array.isArray(service['ports']) ? service['ports'] : []).flatMap((entry: unknown, index) =>
    parsePort(entry, [...path, 'ports', index], problems).map((port) => ({
      port,
      path: [...path, 'ports', index],
    })),
  );

  return {
    name,
    profiles: Array.isArray(service['profiles']) ? service['profiles'].map(String) : [],
    replicas: replicasOf(deploy, [...path, 'deploy'], problems),
    dependsOn: dependencies(service['depends_on'], at('depends_on')),
    update: updateConfig(deploy['update_config'], [...path, 'deploy', 'update_config'], problems),
    container,
    mounts,
    ports,
    networks: serviceNetworks(service['networks'], at('networks')),
  };
}

function words(value: unknown, path: Path, problems: ProblemList): string[] | undefined {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value !== 'string') return undefined;
  const split = shellSplit(value);
  if (split === null) problems.add(path, 'has an unclosed quote or a trailing backslash');
  return split ?? undefined;
}

function restartPolicy(value: unknown, path: Path, problems: ProblemList): ReplicaTemplate['restartPolicy'] {
  if (typeof value !== 'string') return undefined;
  const fixed: Record<string, RestartPolicyName> = {
    no: 'NO',
    always: 'ALWAYS',
    'unless-stopped': 'UNLESS_STOPPED',
  };
  const name = lookup(fixed, value);
  if (name !== undefined) return { name, maximumRetryCount: 0 };
  const match = /^on-failure(?::(\d{1,4}))?$/.exec(value);
  if (match !== null) return { name: 'ON_FAILURE', maximumRetryCount: Number(match[1] ?? 0) };
  problems.add(path, `"${value}" is not no, always, unless-stopped or on-failure[:N]`);
  return undefined;
}

function healthcheckOf(value: unknown, path: Path, problems: ProblemList): HealthcheckSpec | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const entry = value as Entry;
  if (entry['disable'] === true) return { test: ['NONE'] };
  const raw = entry['test'];
  const test =
    typeof raw === 'string' ? ['CMD-SHELL', raw] : Array.isArray(raw) ? raw.map(String) : undefined;
  if (test !== undefined && !['NONE', 'CMD', 'CMD-SHELL'].includes(test[0] ?? '')) {
    problems.add([...path, 'test'], 'a list test starts with "CMD", "CMD-SHELL" or "NONE"');
    return undefined;
  }
  if (test === undefined) {
    // Without a test, Docker would keep the image's and apply these timings to it; berth asks for one.
    if (Object.keys(entry).some((key) => !key.startsWith('x-')))
      problems.add(path, 'needs a "test" (or "disable: true")');
    return undefined;
  }
  const spec: HealthcheckSpec = { test };
  const seconds = (key: string): number | undefined =>
    typeof entry[key] === 'string' ? duration(entry[key], [...path, key], problems) : undefined;
  const interval = seconds('interval');
  const timeout = seconds('timeout');
  const startPeriod = seconds('start_period');
  if (interval !== undefined) spec.intervalSeconds = interval;
  if (timeout !== undefined) spec.timeoutSeconds = timeout;
  if (startPeriod !== undefined) spec.startPeriodSeconds = startPeriod;
  const retries = entry['retries'];
  if (typeof retries === 'number') {
    if (Number.isInteger(retries) && retries >= 0 && retries <= 1000) spec.retries = retries;
    else problems.add([...path, 'retries'], 'must be a whole number from 0 to 1000');
  }
  return spec;
}

function duration(text: unknown, path: Path, problems: ProblemList): number | undefined {
  const seconds = parseDuration(String(text));
  if (seconds === null || seconds > 366 * 24 * 3600) {
    problems.add(path, `"${String(text)}" is not a duration (e.g. 1m30s, 500ms)`);
    return undefined;
  }
  return seconds;
}

function resourcesOf(
  service: Entry,
  deploy: Entry,
  path: Path,
  problems: ProblemList,
): ReplicaTemplate['resources'] {
  const limits = ((deploy['resources'] as Entry | undefined)?.['limits'] ?? {}) as Entry;
  const memory = pick(
    service['mem_limit'],
    [...path, 'mem_limit'],
    limits['memory'],
    [...path, 'deploy', 'resources', 'limits', 'memory'],
    problems,
  );
  const cpus = pick(
    service['cpus'],
    [...path, 'cpus'],
    limits['cpus'],
    [...path, 'deploy', 'resources', 'limits', 'cpus'],
    problems,
  );
  const resources: NonNullable<ReplicaTemplate['resources']> = {};
  if (memory !== undefined) {
    const bytes = parseBytes(typeof memory.value === 'number' ? memory.value : String(memory.value));
    if (bytes === null || bytes === 0)
      problems.add(memory.path, `"${String(memory.value)}" is not a memory size (e.g. 64m, 1g)`);
    else resources.memoryBytes = bytes;
  }
  if (cpus !== undefined) {
    const count = Number(cpus.value);
    if (!Number.isFinite(count) || count <= 0 || count > 1024 || String(cpus.value).trim() === '')
      problems.add(cpus.path, `"${String(cpus.value)}" is not a number of CPUs (e.g. 0.5)`);
    else resources.cpus = count;
  }
  return Object.keys(resources).length > 0 ? resources : undefined;
}

/** `mem_limit`/`cpus` and their `deploy.resources.limits` twins: Compose refuses two different values. */
function pick(
  legacy: unknown,
  legacyPath: Path,
  limit: unknown,
  limitPath: Path,
  problems: ProblemList,
): { value: unknown; path: Path } | undefined {
  if (legacy !== undefined && limit !== undefined && String(legacy) !== String(limit))
    problems.add(limitPath, `differs from ${String(legacyPath.at(-1))} (${String(legacy)}): give one`);
  if (limit !== undefined) return { value: limit, path: limitPath };
  return legacy === undefined ? undefined : { value: legacy, path: legacyPath };
}

function extraHosts(value: unknown, path: Path, problems: ProblemList): string[] {
  const list = Array.isArray(value)
    ? value.map(String).map((line) => {
        // Compose accepts `host:ip` and (newer) `host=ip`; an IPv6 address has colons of its own.
        const equals = line.indexOf('=');
        const colon = line.indexOf(':');
        const cut = equals !== -1 ? equals : colon;
        return cut === -1 ? [line, ''] : [line.slice(0, cut), line.slice(cut + 1)];
      })
    : entriesOf(value).map(([host, address]) => [host, address ?? '']);
  return list.flatMap(([host = '', address = ''], index) => {
    if (host === '' || address === '') {
      problems.add(
        Array.isArray(value) ? [...path, index] : [...path, host],
        `"${host}" needs an address ("host:address")`,
      );
      return [];
    }
    return [`${host}:${address}`];
  });
}

function privileges(capAdd: string[], binds: Privileges['mounts']): Privileges {
  return { privileged: false, hostNamespaces: [], capAdd, devices: [], securityOpt: [], mounts: binds };
}

function replicasOf(deploy: Entry, path: Path, problems: ProblemList): number {
  const mode = deploy['mode'];
  if (mode !== undefined && mode !== 'replicated')
    problems.add(
      [...path, 'mode'],
      mode === 'global'
        ? 'berth does not implement "global" mode (one per node needs a swarm)'
        : `"${String(mode)}" is not a mode berth implements (replicated)`,
    );
  const replicas = deploy['replicas'];
  if (replicas === undefined) return 1;
  if (
    typeof replicas !== 'number' ||
    !Number.isInteger(replicas) ||
    replicas < 0 ||
    replicas > MAX_REPLICAS
  ) {
    problems.add([...path, 'replicas'], `must be a whole number from 0 to ${MAX_REPLICAS}`);
    return 1;
  }
  return replicas;
}

function updateConfig(value: unknown, path: Path, problems: ProblemList): StackUpdateConfig {
  const update = { ...UPDATE_DEFAULTS };
  if (value === null || typeof value !== 'object') return update;
  const entry = value as Entry;
  const parallelism = entry['parallelism'];
  if (typeof parallelism === 'number') {
    if (Number.isInteger(parallelism) && parallelism >= 0 && parallelism <= MAX_REPLICAS)
      update.parallelism = parallelism;
    else problems.add([...path, 'parallelism'], `must be a whole number from 0 to ${MAX_REPLICAS}`);
  }
  if (typeof entry['delay'] === 'string') {
    const seconds = duration(entry['delay'], [...path, 'delay'], problems);
    if (seconds !== undefined) update.delaySeconds = seconds;
  }
  const orders: Record<string, UpdateOrder> = { 'stop-first': 'STOP_FIRST', 'start-first': 'START_FIRST' };
  const order = lookup(orders, entry['order']);
  if (order !== undefined) update.order = order;
  const actions: Record<string, FailureAction> = {
    pause: 'PAUSE',
    continue: 'CONTINUE',
    rollback: 'ROLLBACK',
  };
  const failureAction = entry['failure_action'];
  if (failureAction !== undefined) {
    const action = lookup(actions, failureAction);
    if (action === undefined)
      problems.add([...path, 'failure_action'], 'must be pause, continue or rollback');
    else update.failureAction = action;
  }
  return update;
}

function dependencies(value: unknown, path: Path): ServiceDraft['dependsOn'] {
  if (Array.isArray(value))
    return value.map((service, index) => ({
      service: String(service),
      condition: 'SERVICE_STARTED',
      path: [...path, index],
    }));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value as Entry).map(([service, entry]) => ({
    service,
    condition: lookup(CONDITIONS, (entry as Entry | null)?.['condition']) ?? 'SERVICE_STARTED',
    path: [...path, service],
  }));
}

function serviceNetworks(value: unknown, path: Path): ServiceDraft['networks'] {
  if (value === undefined) return [{ key: 'default', aliases: [], ipv4Address: null, path }];
  if (Array.isArray(value))
    return value.map((key, index) => ({
      key: String(key),
      aliases: [],
      ipv4Address: null,
      path: [...path, index],
    }));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value as Entry).map(([key, raw]) => {
    const entry = (raw ?? {}) as Entry;
    const aliases = Array.isArray(entry['aliases']) ? entry['aliases'].map(String) : [];
    const address = entry['ipv4_address'];
    return { key, aliases, ipv4Address: typeof address === 'string' ? address : null, path: [...path, key] };
  });
}

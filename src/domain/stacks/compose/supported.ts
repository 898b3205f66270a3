import type { Path, ProblemList } from './problems.js';

/**
 * What berth implements of the Compose Specification, as a shape: a key maps to `true` (any value,
 * which normalize.ts reads), to a nested shape for a mapping, or to `{ each }` for a list of mappings
 * or a mapping of named entries. A key the specification knows that is not here is refused by name,
 * never ignored: a file that deploys must do what it says. `x-` keys are extensions by the
 * specification and pass anywhere.
 */
type Shape = { readonly [key: string]: true | Shape } | { readonly each: Shape };

const durationsAndRetries = {
  test: true,
  interval: true,
  timeout: true,
  start_period: true,
  retries: true,
  disable: true,
} as const;

const SERVICE: Shape = {
  image: true,
  command: true,
  entrypoint: true,
  environment: true,
  env_file: true,
  ports: { each: { target: true, published: true, host_ip: true, protocol: true, mode: true } },
  volumes: {
    each: { type: true, source: true, target: true, read_only: true, tmpfs: { size: true } },
  },
  tmpfs: true,
  networks: { each: { aliases: true, ipv4_address: true } },
  depends_on: { each: { condition: true } },
  healthcheck: durationsAndRetries,
  restart: true,
  labels: true,
  user: true,
  working_dir: true,
  hostname: true,
  init: true,
  extra_hosts: true,
  cap_add: true,
  cap_drop: true,
  mem_limit: true,
  cpus: true,
  deploy: {
    mode: true,
    replicas: true,
    resources: { limits: { cpus: true, memory: true } },
    update_config: { parallelism: true, delay: true, order: true, failure_action: true },
  },
  stop_grace_period: true,
  stop_signal: true,
  profiles: true,
};

const TOP_LEVEL: Shape = {
  version: true,
  name: true,
  services: { each: SERVICE },
  networks: {
    each: {
      driver: true,
      internal: true,
      attachable: true,
      labels: true,
      external: { name: true },
      name: true,
      ipam: { config: { each: { subnet: true, gateway: true } } },
    },
  },
  volumes: { each: { driver: true, labels: true, external: { name: true }, name: true } },
};

/** Adds a problem, naming the key, for every key of the file berth does not implement. */
export function refuseUnsupported(value: unknown, problems: ProblemList): void {
  walk(value, TOP_LEVEL, [], problems);
}

function walk(value: unknown, shape: Shape, path: Path, problems: ProblemList): void {
  if ('each' in shape) {
    const each = shape.each as Shape;
    if (Array.isArray(value)) value.forEach((item, index) => walk(item, each, [...path, index], problems));
    else if (isMapping(value))
      for (const [key, item] of Object.entries(value))
        if (!key.startsWith('x-')) walk(item, each, [...path, key], problems);
    return;
  }
  // A string or list where a mapping could be (short syntax) has no keys to refuse.
  if (!isMapping(value)) return;
  for (const [key, item] of Object.entries(value)) {
    if (key.startsWith('x-')) continue;
    const inner = (shape as { readonly [key: string]: true | Shape })[key];
    if (inner === undefined || !Object.hasOwn(shape, key)) {
      problems.add([...path, key], `berth does not implement "${key}"${hint(key)}`, { key });
    } else if (inner !== true) walk(item, inner, [...path, key], problems);
  }
}

/** Why, for the keys people reach for most. */
function hint(key: string): string {
  switch (key) {
    case 'build':
      return ': berth does not build images; push the image and name it with "image"';
    case 'container_name':
      return ': a stack names its containers <stack>-<service>-<n>';
    case 'secrets':
    case 'configs':
      return ': mount a file with a bind volume, or pass the value through environment';
    case 'reservations':
      return ': only limits are applied';
    default:
      return '';
  }
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

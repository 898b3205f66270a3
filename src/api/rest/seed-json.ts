import type { Container } from '../../domain/containers/model.js';
import type { CreateContainerInput } from '../../domain/lifecycle/validation.js';
import { InvalidInputError, PolicyViolationError } from '../../shared/errors.js';

/**
 * The JSON of the original Go tool, both ways: its `ContainerRequest` in, its `Container` out.
 * Field names match case-insensitively and unknown fields are ignored, as Go's encoding/json does.
 */

/** The seed's `Container` struct as encoding/json writes it. */
export interface SeedContainer {
  ID: string;
  Name: string;
  Image: string;
  Status: string;
  CreatedAt: string;
  Health: string;
  /** null until a stats sample exists: decoding null into a Go float64 leaves 0, so clients cope. */
  CPU: number | null;
  Memory: number | null;
  RestartCount: number;
}

export function toSeedContainer(
  container: Container,
  stats?: { cpu: number | null; memory: number | null },
): SeedContainer {
  return {
    ID: container.id,
    Name: container.name,
    Image: container.image,
    Status: container.status.toLowerCase(),
    CreatedAt: container.createdAt.toISOString(),
    Health: container.health.toLowerCase(),
    CPU: stats?.cpu ?? null,
    Memory: stats?.memory ?? null,
    RestartCount: container.restartCount,
  };
}

const REQUEST_FIELDS = ['name', 'image', 'env', 'ports'] as const;
type RequestField = (typeof REQUEST_FIELDS)[number];

/**
 * Go picks the last key that matches a field case-insensitively; so do we. As in Go, a null leaves a
 * string field as an earlier key set it, and empties a map.
 */
function pickFields(body: Record<string, unknown>): Partial<Record<RequestField, unknown>> {
  const picked: Partial<Record<RequestField, unknown>> = {};
  for (const [key, value] of Object.entries(body)) {
    const field = REQUEST_FIELDS.find((name) => name === key.toLowerCase());
    if (field && !(value === null && (field === 'name' || field === 'image'))) picked[field] = value;
  }
  return picked;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringMap(value: unknown, field: string): [string, string][] {
  if (value === undefined || value === null) return [];
  if (!isPlainObject(value)) throw new InvalidInputError(field, 'must be an object of strings');
  return Object.entries(value).map(([key, entry]) => {
    if (typeof entry !== 'string') throw new InvalidInputError(`${field}.${key}`, 'must be a string');
    return [key, entry];
  });
}

/** `"80/tcp": "8080"` or `"80": "127.0.0.1:8080"`; an empty value lets the engine pick the host port. */
function parsePort(key: string, value: string): NonNullable<CreateContainerInput['ports']>[number] {
  const field = `ports.${key}`;
  const keyMatch = /^(\d{1,5})(?:\/([a-zA-Z]+))?$/.exec(key);
  if (!keyMatch) throw new InvalidInputError(field, 'key must be "<port>" or "<port>/<tcp|udp|sctp>"');
  const port: NonNullable<CreateContainerInput['ports']>[number] = {
    containerPort: Number(keyMatch[1]),
    protocol: keyMatch[2] ?? 'tcp',
  };
  if (value === '') return port;
  const valueMatch = /^(?:(\[[0-9a-fA-F:.]+\]|[^:\]]+):)?(\d{1,5})$/.exec(value);
  if (!valueMatch) throw new InvalidInputError(field, 'value must be "<hostPort>" or "<hostIp>:<hostPort>"');
  port.hostPort = Number(valueMatch[2]);
  if (valueMatch[1] !== undefined) port.hostIp = valueMatch[1].replace(/^\[|\]$/g, '');
  return port;
}

export interface SeedCreateRequest {
  input: CreateContainerInput;
  /** Renders a path of `input` (e.g. ["env", 0, "name"]) as the seed's field (e.g. "env.KEY"). */
  fieldOf(path: readonly string[]): string;
}

/** Reads a parsed JSON body as the seed's ContainerRequest; type errors name their field. */
/**
 * Keys that ask for power over the host (in any case, with or without separators). The seed's
 * struct never had them, so Go would ignore them; here they are refused, so nobody mistakes a
 * normal container for what they asked: such options go through GraphQL, under the create policy.
 */
const DANGEROUS_KEYS = new Set([
  'privileged',
  'hostconfig',
  'binds',
  'mounts',
  'volumes',
  'volumesfrom',
  'devices',
  'capadd',
  'capabilities',
  'securityopt',
  'networkmode',
  'network',
  'pidmode',
  'pid',
  'ipcmode',
  'ipc',
  'utsmode',
  'uts',
  'usernsmode',
  'userns',
  'cgroupnsmode',
  'cgroupns',
  'cgroup',
  'cgroupparent',
  'runtime',
  'sysctls',
  'user',
  'groupadd',
  'readonlyrootfs',
  'init',
  'oomkilldisable',
  'pidslimit',
  'shmsize',
  'tmpfs',
  'entrypoint',
  'workingdir',
  'hostnamespaces',
]);

export function fromSeedRequest(body: unknown): SeedCreateRequest {
  if (!isPlainObject(body)) throw new InvalidInputError('body', 'must be a JSON object');
  for (const key of Object.keys(body)) {
    if (DANGEROUS_KEYS.has(key.toLowerCase().replace(/[^a-z]/g, ''))) {
      throw new PolicyViolationError(
        key,
        'the REST shim creates plain containers only; ask through GraphQL, under the create policy',
      );
    }
  }
  const fields = pickFields(body);
  if (fields.name !== undefined && fields.name !== null && typeof fields.name !== 'string') {
    throw new InvalidInputError('name', 'must be a string');
  }
  if (fields.image !== undefined && fields.image !== null && typeof fields.image !== 'string') {
    throw new InvalidInputError('image', 'must be a string');
  }
  const env = stringMap(fields.env, 'env');
  const ports = stringMap(fields.ports, 'ports');
  const input: CreateContainerInput = {
    image: (fields.image as string | null | undefined) ?? '',
    env: env.map(([name, value]) => ({ name, value })),
    ports: ports.map(([key, value]) => parsePort(key, value)),
    start: true,
  };
  if (typeof fields.name === 'string' && fields.name !== '') input.name = fields.name;
  return {
    input,
    fieldOf([head, index]) {
      const keys = head === 'env' ? env : head === 'ports' ? ports : undefined;
      const key = keys?.[Number(index)]?.[0];
      if (key === undefined) return head ?? 'body';
      return `${head}.${key === '' ? '""' : key}`;
    },
  };
}

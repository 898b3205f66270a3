import { isIP } from 'node:net';
import type { StackNetworkDefinition, StackVolumeDefinition } from '../model.js';
import { resourceName } from '../labels.js';
import { labelsOf } from './environment.js';
import type { Path, ProblemList } from './problems.js';

type Entry = Record<string, unknown>;

/**
 * The engine name of a network or volume: its `name`, else for an external one its key (or the
 * legacy `external.name`), else `<stack>_<key>`, as Compose names them.
 */
function engineName(stack: string, key: string, entry: Entry): { name: string; external: boolean } {
  const external = entry['external'];
  const legacyName =
    external !== null && typeof external === 'object' ? (external as Entry)['name'] : undefined;
  const isExternal = external === true || (external !== null && typeof external === 'object');
  const name =
    typeof entry['name'] === 'string'
      ? entry['name']
      : typeof legacyName === 'string'
        ? legacyName
        : undefined;
  return { name: name ?? (isExternal ? key : resourceName(stack, key)), external: isExternal };
}

/** Compose refuses an external resource that also says how to make it: berth does not make it. */
function refuseExternalSettings(
  entry: Entry,
  keys: readonly string[],
  path: Path,
  problems: ProblemList,
): void {
  for (const key of keys)
    if (entry[key] !== undefined)
      problems.add(
        [...path, key],
        `an external resource is made by someone else: "${key}" cannot be set here`,
        { key },
      );
}

export function networkDefinition(
  stack: string,
  key: string,
  raw: unknown,
  problems: ProblemList,
): StackNetworkDefinition {
  const entry = (raw ?? {}) as Entry;
  const path = ['networks', key];
  const { name, external } = engineName(stack, key, entry);
  if (external)
    refuseExternalSettings(entry, ['driver', 'internal', 'attachable', 'labels', 'ipam'], path, problems);
  const config = ((entry['ipam'] as Entry | undefined)?.['config'] as Entry[] | undefined) ?? [];
  if (config.length > 1) problems.add([...path, 'ipam', 'config', 1], 'berth takes one subnet per network');
  const subnet = config[0]?.['subnet'];
  const gateway = config[0]?.['gateway'];
  if (typeof subnet === 'string' && !isCidr(subnet))
    problems.add(
      [...path, 'ipam', 'config', 0, 'subnet'],
      `"${subnet}" is not a subnet (e.g. 172.28.0.0/16)`,
    );
  if (typeof gateway === 'string' && isIP(gateway) === 0)
    problems.add([...path, 'ipam', 'config', 0, 'gateway'], `"${gateway}" is not an IP address`);
  if (typeof gateway === 'string' && typeof subnet !== 'string')
    problems.add([...path, 'ipam', 'config', 0, 'gateway'], 'a gateway needs the subnet it is in');
  return {
    key,
    name,
    external,
    driver: typeof entry['driver'] === 'string' ? entry['driver'] : null,
    internal: entry['internal'] === true,
    attachable: entry['attachable'] === true,
    labels: labelsOf(entry['labels']),
    subnet: typeof subnet === 'string' ? subnet : null,
    gateway: typeof gateway === 'string' ? gateway : null,
  };
}

export function volumeDefinition(
  stack: string,
  key: string,
  raw: unknown,
  problems: ProblemList,
): StackVolumeDefinition {
  const entry = (raw ?? {}) as Entry;
  const { name, external } = engineName(stack, key, entry);
  if (external) refuseExternalSettings(entry, ['driver', 'labels'], ['volumes', key], problems);
  return {
    key,
    name,
    external,
    driver: typeof entry['driver'] === 'string' ? entry['driver'] : null,
    labels: labelsOf(entry['labels']),
  };
}

/** The network Compose makes for services that name none. */
export function defaultNetwork(stack: string): StackNetworkDefinition {
  return {
    key: 'default',
    name: resourceName(stack, 'default'),
    external: false,
    driver: null,
    internal: false,
    attachable: false,
    labels: [],
    subnet: null,
    gateway: null,
  };
}

function isCidr(text: string): boolean {
  const [address = '', bits, extra] = text.split('/');
  const family = isIP(address);
  const prefix = Number(bits);
  return (
    extra === undefined && family !== 0 && /^\d{1,3}$/.test(bits ?? '') && prefix <= (family === 4 ? 32 : 128)
  );
}

import { isIP } from 'node:net';
import type { PortProtocol } from '../../containers/model.js';
import type { StackPort } from '../model.js';
import type { Path, ProblemList } from './problems.js';

const PROTOCOLS: readonly string[] = ['tcp', 'udp', 'sctp'] satisfies readonly PortProtocol[];

interface Range {
  start: number;
  end: number;
}

/**
 * One entry of a service's `ports`, short (`"127.0.0.1:8000-8002:80/udp"`, `80`) or long syntax, as
 * Docker's `nat.ParsePortSpec` reads the short one. A container range maps port by port onto a host
 * range of the same length; a host range for one container port is spread over the replicas.
 */
export function parsePort(entry: unknown, path: Path, problems: ProblemList): StackPort[] {
  if (typeof entry === 'number') return parseShort(String(entry), path, problems);
  if (typeof entry === 'string') return parseShort(entry, path, problems);
  if (entry !== null && typeof entry === 'object')
    return parseLong(entry as Record<string, unknown>, path, problems);
  problems.add(path, 'must be a port, a "host:container" string or a mapping with "target"');
  return [];
}

function parseShort(text: string, path: Path, problems: ProblemList): StackPort[] {
  const slash = text.lastIndexOf('/');
  const protocol = slash === -1 ? 'tcp' : text.slice(slash + 1).toLowerCase();
  if (!PROTOCOLS.includes(protocol)) {
    problems.add(path, `the protocol "${protocol}" is not tcp, udp or sctp`);
    return [];
  }
  const parts = (slash === -1 ? text : text.slice(0, slash)).split(':');
  const containerPart = parts.at(-1) ?? '';
  const hostPart = parts.length >= 2 ? (parts.at(-2) ?? '') : '';
  const ipPart = parts.length >= 3 ? parts.slice(0, -2).join(':') : '';
  const container = range(containerPart, path, problems, 'container port');
  const host = hostPart === '' ? null : range(hostPart, path, problems, 'host port');
  const hostIp = ipPart === '' ? null : address(ipPart, path, problems);
  if (container === undefined || host === undefined || hostIp === undefined) return [];
  return expand(container, host, protocol as PortProtocol, hostIp, path, problems);
}

function parseLong(entry: Record<string, unknown>, path: Path, problems: ProblemList): StackPort[] {
  const target = entry['target'];
  if (typeof target !== 'number' || !validPort(target)) {
    problems.add([...path, 'target'], 'must be a port number from 1 to 65535');
    return [];
  }
  const protocol = String(entry['protocol'] ?? 'tcp').toLowerCase();
  if (!PROTOCOLS.includes(protocol)) {
    problems.add([...path, 'protocol'], `"${protocol}" is not tcp, udp or sctp`);
    return [];
  }
  const mode = entry['mode'];
  // A standalone engine publishes every port on its host; both modes mean that here.
  if (mode !== undefined && mode !== 'ingress' && mode !== 'host') {
    problems.add([...path, 'mode'], 'must be "ingress" or "host"');
    return [];
  }
  const published = entry['published'];
  const host =
    published === undefined || published === null || published === ''
      ? null
      : range(String(published), [...path, 'published'], problems, 'host port');
  const rawIp = entry['host_ip'];
  const hostIp =
    rawIp === undefined || rawIp === null || rawIp === ''
      ? null
      : address(String(rawIp), [...path, 'host_ip'], problems);
  if (host === undefined || hostIp === undefined) return [];
  const ports = expand(
    { start: target, end: target },
    host,
    protocol as PortProtocol,
    hostIp,
    path,
    problems,
  );
  return mode === 'host' ? ports.map((port) => ({ ...port, mode: 'HOST' as const })) : ports;
}

function expand(
  container: Range,
  host: Range | null,
  protocol: PortProtocol,
  hostIp: string | null,
  path: Path,
  problems: ProblemList,
): StackPort[] {
  const count = container.end - container.start + 1;
  if (count === 1) return [{ target: container.start, protocol, published: host, hostIp }];
  if (host !== null && host.end - host.start + 1 !== count) {
    problems.add(
      path,
      `the container range has ${count} ports and the host range ${host.end - host.start + 1}: they must match`,
    );
    return [];
  }
  return Array.from({ length: count }, (_, offset) => ({
    target: container.start + offset,
    protocol,
    published: host === null ? null : { start: host.start + offset, end: host.start + offset },
    hostIp,
  }));
}

function range(text: string, path: Path, problems: ProblemList, what: string): Range | undefined {
  const match = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text.trim());
  const start = Number(match?.[1]);
  const end = match?.[2] === undefined ? start : Number(match[2]);
  if (match === null || !validPort(start) || !validPort(end) || end < start) {
    problems.add(path, `"${text}" is not a ${what} or range of them (1 to 65535)`);
    return undefined;
  }
  return { start, end };
}

function address(text: string, path: Path, problems: ProblemList): string | undefined {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (isIP(bare) === 0) {
    problems.add(path, `"${text}" is not an IP address`);
    return undefined;
  }
  return bare;
}

function validPort(port: number): boolean {
  return Number.isInteger(port) && port >= 1 && port <= 65535;
}

/** Compose's rules for ports and replicas: each replica needs host ports of its own. */
export function checkPortsForReplicas(
  ports: readonly { port: StackPort; path: Path }[],
  replicas: number,
  problems: ProblemList,
): void {
  if (replicas <= 1) return;
  for (const { port, path } of ports) {
    if (port.published === null) continue;
    const size = port.published.end - port.published.start + 1;
    if (size === 1)
      problems.add(
        path,
        `host port ${port.published.start} is fixed, and ${replicas} replicas cannot all bind it: publish a range of ${replicas} ports or let the engine pick`,
      );
    else if (size < replicas)
      problems.add(
        path,
        `the host range ${port.published.start}-${port.published.end} has ${size} ports for ${replicas} replicas`,
      );
  }
}

import { isIP } from 'node:net';

/**
 * Address arithmetic for a network's subnet and gateway: enough to refuse, before any engine call,
 * what the engine would refuse only with a bare 500 (a gateway on the subnet's first or last
 * address, a subnet with no room for a container), and to name the networks an overlap is with.
 */

export type Family = 4 | 6;

export interface Cidr {
  family: Family;
  /** The first address, as a number. */
  base: bigint;
  prefix: number;
}

const BITS: Record<Family, number> = { 4: 32, 6: 128 };
/** Room for the network's own address, a gateway, a container and (IPv4) the broadcast address. */
export const LONGEST_PREFIX: Record<Family, number> = { 4: 30, 6: 126 };

/** The address as a number, with its family; null when it is not an IP address. */
export function parseAddress(text: string): { family: Family; value: bigint } | null {
  const family = isIP(text);
  if (family === 4) {
    const value = text.split('.').reduce((sum, part) => (sum << 8n) | BigInt(part), 0n);
    return { family, value };
  }
  if (family === 6) return { family, value: ipv6Value(text) };
  return null;
}

function ipv6Value(text: string): bigint {
  let groups = text.split('%')[0]!;
  // An embedded IPv4 tail (`::ffff:10.0.0.1`) is two more groups.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(groups)?.[1];
  if (dotted !== undefined) {
    const v4 = parseAddress(dotted)!.value;
    groups = `${groups.slice(0, -dotted.length)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = groups.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = tail === undefined ? 0 : 8 - left.length - right.length;
  return [...left, ...Array<string>(missing).fill('0'), ...right].reduce(
    (sum, group) => (sum << 16n) | BigInt(`0x${group}`),
    0n,
  );
}

/**
 * Why `text` is not a usable subnet, or the subnet. Not `strict`, as for a subnet the engine
 * already holds: any prefix length, and host bits dropped.
 */
export function parseCidr(text: string, { strict = true } = {}): Cidr | string {
  const slash = text.indexOf('/');
  if (slash < 0) return 'must be in CIDR notation, e.g. 10.10.0.0/24';
  const address = parseAddress(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (!address) return 'must be in CIDR notation, e.g. 10.10.0.0/24 (the address is not an IP address)';
  const bits = BITS[address.family];
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > bits) {
    return `must end in a prefix length from 0 to ${bits}`;
  }
  const prefix = Number(prefixText);
  const base = address.value & ~hostMask({ family: address.family, prefix }) & ((1n << BigInt(bits)) - 1n);
  if (strict && prefix > LONGEST_PREFIX[address.family]) {
    return `leaves no room for a gateway and a container: at most /${LONGEST_PREFIX[address.family]}`;
  }
  if (strict && base !== address.value) {
    return `has host bits set: the subnet is ${format(address.family, base)}/${prefix}`;
  }
  return { family: address.family, base, prefix };
}

function hostMask({ family, prefix }: Pick<Cidr, 'family' | 'prefix'>): bigint {
  return (1n << BigInt(BITS[family] - prefix)) - 1n;
}

export function lastAddress(cidr: Cidr): bigint {
  return cidr.base | hostMask(cidr);
}

export function contains(cidr: Cidr, address: { family: Family; value: bigint }): boolean {
  return address.family === cidr.family && address.value >= cidr.base && address.value <= lastAddress(cidr);
}

/** Two subnets share addresses exactly when one holds the other's first address. */
export function overlaps(a: Cidr, b: Cidr): boolean {
  return (
    a.family === b.family &&
    (contains(a, { family: b.family, value: b.base }) || contains(b, { family: a.family, value: a.base }))
  );
}

function format(family: Family, value: bigint): string {
  if (family === 4) {
    return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
  }
  const groups = Array.from({ length: 8 }, (_, i) =>
    ((value >> BigInt(112 - 16 * i)) & 0xffffn).toString(16),
  );
  // Shortened as the engine prints it: the longest run of zero groups becomes `::`.
  let best = { start: -1, length: 0 };
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === '0') j += 1;
    if (j - i > best.length && j - i > 1) best = { start: i, length: j - i };
    i = j === i ? i + 1 : j;
  }
  if (best.start < 0) return groups.join(':');
  const head = groups.slice(0, best.start).join(':');
  const tail = groups.slice(best.start + best.length).join(':');
  return `${head}::${tail}`;
}

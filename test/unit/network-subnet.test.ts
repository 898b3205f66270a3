import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/shared/errors.js';
import { overlaps, parseAddress, parseCidr, type Cidr } from '../../src/domain/networks/subnet.js';
import { validateCreateNetwork } from '../../src/domain/networks/validation.js';

function cidr(text: string, strict = true): Cidr {
  const parsed = parseCidr(text, { strict });
  if (typeof parsed === 'string') throw new Error(`${text}: ${parsed}`);
  return parsed;
}

describe('subnet arithmetic', () => {
  it('reads IPv4 and IPv6 addresses, compressed and with an IPv4 tail, as numbers', () => {
    expect(parseAddress('10.0.1.2')).toEqual({ family: 4, value: 0x0a000102n });
    expect(parseAddress('::1')).toEqual({ family: 6, value: 1n });
    expect(parseAddress('fd00::')).toEqual({ family: 6, value: 0xfd00n << 112n });
    expect(parseAddress('fd00:1::2:3')).toEqual({
      family: 6,
      value: (0xfd00n << 112n) | (1n << 96n) | (2n << 16n) | 3n,
    });
    expect(parseAddress('::ffff:10.0.0.1')).toEqual({ family: 6, value: (0xffffn << 32n) | 0x0a000001n });
    expect(parseAddress('1:2:3:4:5:6:7:8')!.value).toBe(0x00010002000300040005000600070008n);
    expect(parseAddress('10.0.0.256')).toBeNull();
    expect(parseAddress('router')).toBeNull();
  });

  it('refuses subnets with host bits or without room, unless reading what the engine holds', () => {
    expect(cidr('10.1.0.0/16')).toEqual({ family: 4, base: 0x0a010000n, prefix: 16 });
    expect(parseCidr('10.1.2.3/16')).toBe('has host bits set: the subnet is 10.1.0.0/16');
    expect(parseCidr('fd00:1:2::5/48')).toBe('has host bits set: the subnet is fd00:1:2::/48');
    expect(parseCidr('fd00::1:0:0:0:5/64')).toBe('has host bits set: the subnet is fd00:0:0:1::/64');
    expect(parseCidr('10.1.0.0/31')).toMatch(/at most \/30/);
    expect(parseCidr('fd00::/127')).toMatch(/at most \/126/);
    expect(parseCidr('10.1.0.0/-1')).toMatch(/prefix length from 0 to 32/);
    expect(parseCidr('fd00::/129')).toMatch(/prefix length from 0 to 128/);
    expect(parseCidr('10.1.0.0')).toMatch(/CIDR/);
    expect(cidr('10.232.0.5/24', false)).toEqual(cidr('10.232.0.0/24'));
    expect(cidr('10.1.0.0/32', false).prefix).toBe(32);
  });

  it('finds overlaps within one family only', () => {
    expect(overlaps(cidr('10.1.0.0/16'), cidr('10.1.128.0/24'))).toBe(true);
    expect(overlaps(cidr('10.1.128.0/24'), cidr('10.1.0.0/16'))).toBe(true);
    expect(overlaps(cidr('10.1.0.0/24'), cidr('10.1.1.0/24'))).toBe(false);
    expect(overlaps(cidr('fd00::/64'), cidr('fd00::/48'))).toBe(true);
    expect(overlaps(cidr('fd00:0:0:1::/64'), cidr('fd00::/64'))).toBe(false);
    expect(overlaps(cidr('0.0.0.0/0'), cidr('::/0'))).toBe(false);
  });
});

describe('validateCreateNetwork addressing', () => {
  const base = { name: 'backend' };

  it('passes a subnet and gateway through, and leaves the choice to the engine without them', () => {
    expect(validateCreateNetwork({ ...base, subnet: '10.9.0.0/24', gateway: '10.9.0.254' }).ipam).toEqual({
      subnet: '10.9.0.0/24',
      gateway: '10.9.0.254',
    });
    expect(validateCreateNetwork({ ...base, subnet: 'fd00:9::/64' }).ipam).toEqual({
      subnet: 'fd00:9::/64',
      gateway: null,
    });
    expect(validateCreateNetwork(base).ipam).toBeNull();
  });

  it.each([
    [{ gateway: '10.9.0.1' }, 'gateway'],
    [{ subnet: '10.9.0.0/24', gateway: '10.9.1.1' }, 'gateway'],
    [{ subnet: '10.9.0.0/24', gateway: '10.9.0.255' }, 'gateway'],
    [{ subnet: 'fd00:9::/64', gateway: 'fd00:9::' }, 'gateway'],
    [{ subnet: 'fd00:9::/64', gateway: 'fd00:9::ffff:ffff:ffff:ffff' }, 'gateway'],
    [{ subnet: 'fd00:9::/64', gateway: '10.9.0.1' }, 'gateway'],
    [{ subnet: '10.9.0.1/24' }, 'subnet'],
    [{ subnet: 42 }, 'subnet'],
  ])('refuses %j naming %s', (addressing, field) => {
    let thrown: unknown;
    try {
      validateCreateNetwork({ ...base, ...addressing });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidInputError);
    expect((thrown as InvalidInputError).field).toBe(field);
  });
});

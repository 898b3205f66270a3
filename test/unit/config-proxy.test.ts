import { describe, expect, it } from 'vitest';
import { insidePrefix } from '../../src/api/http/base-path.js';
import { clientAddressOf } from '../../src/api/http/client-address.js';
import { ConfigError, loadConfig } from '../../src/platform/config.js';

describe('BERTH_TRUSTED_PROXIES', () => {
  it('is empty by default and reads CIDRs and single addresses, IPv4 and IPv6', () => {
    expect(loadConfig({}).http.trustedProxies).toEqual([]);
    expect(
      loadConfig({ BERTH_TRUSTED_PROXIES: '127.0.0.1/32, 10.0.0.0/8,::1/128 ,fd00::/8,192.0.2.7' }).http
        .trustedProxies,
    ).toEqual([
      { address: '127.0.0.1', prefix: 32, family: 'ipv4' },
      { address: '10.0.0.0', prefix: 8, family: 'ipv4' },
      { address: '::1', prefix: 128, family: 'ipv6' },
      { address: 'fd00::', prefix: 8, family: 'ipv6' },
      { address: '192.0.2.7', prefix: 32, family: 'ipv4' },
    ]);
  });

  it.each([
    '10.0.0.0/33',
    '::1/129',
    'proxy.internal',
    '10.0.0/8',
    '10.0.0.0/8/1',
    '10.0.0.0/',
    '10.0.0.0/x',
    '[::1]/128',
  ])('refuses %s, naming the variable and the entry', (entry) => {
    const env = { BERTH_TRUSTED_PROXIES: `127.0.0.1/32,${entry}` };
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(`BERTH_TRUSTED_PROXIES: "${entry}"`);
  });
});

describe('BERTH_BASE_PATH', () => {
  it('is no prefix by default, and drops a trailing slash', () => {
    expect(loadConfig({}).http.basePath).toBe('');
    expect(loadConfig({ BERTH_BASE_PATH: '/' }).http.basePath).toBe('');
    expect(loadConfig({ BERTH_BASE_PATH: '/berth/' }).http.basePath).toBe('/berth');
    expect(loadConfig({ BERTH_BASE_PATH: '/ops/berth-1.2' }).http.basePath).toBe('/ops/berth-1.2');
  });

  it.each(['berth', '/a/../b', '/./a', '/a b', '/a?x', '/a%2Fb', '//a', 'http://x/berth'])(
    'refuses %s',
    (value) => {
      expect(() => loadConfig({ BERTH_BASE_PATH: value })).toThrow(`BERTH_BASE_PATH: "${value}"`);
    },
  );

  it('takes requests inside the prefix without it, and nothing outside', () => {
    expect(insidePrefix('/graphql?x=1', '')).toBe('/graphql?x=1');
    expect(insidePrefix('/berth/graphql?x=1', '/berth')).toBe('/graphql?x=1');
    expect(insidePrefix('/berth/', '/berth')).toBe('/');
    expect(insidePrefix('/berth', '/berth')).toBe('');
    expect(insidePrefix('/berth?x', '/berth')).toBe('?x');
    expect(insidePrefix('/berthx/graphql', '/berth')).toBeNull();
    expect(insidePrefix('/graphql', '/berth')).toBeNull();
  });
});

describe('the client address', () => {
  const request = (peer: string, forwardedFor?: string | string[]) => ({
    socket: { remoteAddress: peer } as never,
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor as string },
  });
  const trusting = (list: string) =>
    clientAddressOf(loadConfig({ BERTH_TRUSTED_PROXIES: list }).http.trustedProxies);

  it('is the peer when no proxy is trusted, whatever X-Forwarded-For says', () => {
    expect(trusting('')(request('127.0.0.1', '203.0.113.7'))).toBe('127.0.0.1');
    expect(trusting('10.0.0.0/8')(request('127.0.0.1', '203.0.113.7'))).toBe('127.0.0.1');
  });

  it('walks X-Forwarded-For right to left past trusted hops, to the first untrusted one', () => {
    const of = trusting('127.0.0.1/32,10.0.0.0/8,::1/128');
    expect(of(request('127.0.0.1', '203.0.113.7'))).toBe('203.0.113.7');
    // What the client wrote itself (left of the address the proxy saw) is not believed.
    expect(of(request('127.0.0.1', '198.51.100.1, 203.0.113.7'))).toBe('203.0.113.7');
    // Two proxies: the inner one's entry is trusted too.
    expect(of(request('127.0.0.1', '198.51.100.1, 203.0.113.7, 10.1.2.3'))).toBe('203.0.113.7');
    // Repeated header lines are one list.
    expect(of(request('127.0.0.1', ['198.51.100.1', '203.0.113.7, 10.1.2.3']))).toBe('203.0.113.7');
    // IPv6, and an IPv4 peer as a dual-stack listener shows it.
    expect(of(request('::1', '2001:db8::7'))).toBe('2001:db8::7');
    expect(of(request('::ffff:127.0.0.1', '203.0.113.7'))).toBe('203.0.113.7');
    // Every hop trusted: the leftmost.
    expect(of(request('127.0.0.1', '10.0.0.9, 10.0.0.8'))).toBe('10.0.0.9');
  });

  it('stops at the trusted hop that wrote an entry that is no address', () => {
    const of = trusting('127.0.0.1/32,10.0.0.0/8');
    expect(of(request('127.0.0.1'))).toBe('127.0.0.1');
    expect(of(request('127.0.0.1', ''))).toBe('127.0.0.1');
    expect(of(request('127.0.0.1', 'unknown'))).toBe('127.0.0.1');
    expect(of(request('127.0.0.1', '203.0.113.7, 10.0.0.2, garbage'))).toBe('127.0.0.1');
    expect(of(request('127.0.0.1', 'garbage, 10.0.0.2'))).toBe('10.0.0.2');
    expect(of(request('127.0.0.1', '203.0.113.7:4711'))).toBe('127.0.0.1');
  });
});

import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';
import type { TrustedNetwork } from '../../platform/config.js';

/**
 * Who a request comes from, for the rate limits and the audit log: the TCP peer, unless the peer
 * is a proxy BERTH_TRUSTED_PROXIES lists, and then the address that proxy (and any trusted proxy
 * before it) says it forwarded for, from `X-Forwarded-For`. The one place berth decides it: HTTP
 * (GraphQL, the REST shim, SSE) and the WebSocket upgrade all ask here.
 */
export type ClientAddressOf = (request: Pick<IncomingMessage, 'headers' | 'socket'>) => string;

/**
 * The standard walk (as Express' `trust proxy` and nginx's `real_ip_recursive` do it): from the
 * peer, right to left through `X-Forwarded-For`, each hop that is trusted passes the question to the
 * one it names before it; the first untrusted one is the client. Everything left of it was written
 * by the client and is not believed. When every hop is trusted, the leftmost is the client. An
 * entry that is not an address (`unknown`, a port glued on) stops the walk at the trusted hop that
 * wrote it: that proxy is the last address known for sure, and a made-up string never becomes a
 * key the client could vary to escape its limit.
 *
 * With no trusted proxy (the default), the header is never read: anyone could send it.
 */
export function clientAddressOf(trustedProxies: readonly TrustedNetwork[]): ClientAddressOf {
  const peerOf = (request: Pick<IncomingMessage, 'socket'>) => request.socket?.remoteAddress ?? 'unknown';
  if (trustedProxies.length === 0) return peerOf;
  // node's own subnet matching: IPv4 and IPv6, and IPv4-mapped IPv6 peers (`::ffff:127.0.0.1`,
  // as a dual-stack listener sees IPv4 clients) match the IPv4 networks.
  const trusted = new BlockList();
  for (const network of trustedProxies) trusted.addSubnet(network.address, network.prefix, network.family);
  const isTrusted = (address: string) => {
    const version = isIP(address);
    return version !== 0 && trusted.check(address, version === 6 ? 'ipv6' : 'ipv4');
  };

  return (request) => {
    let client = peerOf(request);
    if (!isTrusted(client)) return client;
    const header = request.headers['x-forwarded-for'];
    // Node joins repeated X-Forwarded-For lines with ", ", in order: one list either way.
    const hops = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',');
    for (let index = hops.length - 1; index >= 0; index -= 1) {
      const hop = hops[index]!.trim();
      if (isIP(hop) === 0) break;
      client = hop;
      if (!isTrusted(hop)) break;
    }
    return client;
  };
}

import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { makeCertificates } from '../support/certificates.js';
import { startBerth, type BerthClient, type RunningBerth } from '../support/berth.js';
import { SystemQuery } from '../support/operations/index.js';
import { subscribe } from '../support/subscriptions.js';

/** HTTPS and WSS with certificates this test makes (openssl), and optional client certificates. */

let dir: string;
let ca: Buffer;
let client: { cert: Buffer; key: Buffer };

function get(
  url: string,
  options: {
    ca: Buffer;
    cert?: Buffer;
    key?: Buffer;
    maxVersion?: 'TLSv1.1' | 'TLSv1.3';
    authorization?: string;
  },
) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(
      url,
      {
        ca: options.ca,
        ...(options.cert && { cert: options.cert, key: options.key }),
        ...(options.maxVersion && { maxVersion: options.maxVersion, minVersion: 'TLSv1' as const }),
        headers: options.authorization ? { authorization: options.authorization } : {},
      },
      (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-tls-'));
  ({ ca, client } = await makeCertificates(dir));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('HTTPS and WSS', () => {
  let berth: RunningBerth;
  let viewer: BerthClient & { token: string };
  beforeAll(async () => {
    berth = await startBerth({
      BERTH_AUTH: 'on',
      BERTH_TLS_CERT: join(dir, 'server.pem'),
      BERTH_TLS_KEY: join(dir, 'server.key'),
    });
    viewer = berth.asRole('viewer', 'tls');
  });
  afterAll(async () => berth?.stop());

  it('serves HTTPS with TLS 1.2 or newer, and refuses older clients', async () => {
    expect(berth.url).toMatch(/^https:/);
    const health = await get(`${berth.url}/healthz`, { ca });
    expect(health).toMatchObject({ status: 200 });
    // node:https rather than the client's fetch, which cannot be given this CA.
    const list = await get(`${berth.url}/containers`, { ca, authorization: `Bearer ${viewer.token}` });
    expect(list.status).toBe(200);
    await expect(get(`${berth.url}/healthz`, { ca, maxVersion: 'TLSv1.1' })).rejects.toThrow();
  });

  it('serves graphql-ws over WSS', async () => {
    class TrustingWebSocket extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols, { ca });
      }
    }
    const ws = viewer.ws({ webSocketImpl: TrustingWebSocket });
    const { system } = await subscribe(ws, SystemQuery).next();
    expect(system.engine.up).toBe(true);
    await ws.dispose();
  });
});

describe('client certificates', () => {
  it('lets only clients with a certificate the configured CA signed complete the handshake', async () => {
    const berth = await startBerth({
      BERTH_TLS_CERT: join(dir, 'server.pem'),
      BERTH_TLS_KEY: join(dir, 'server.key'),
      BERTH_TLS_CLIENT_CA: join(dir, 'ca.pem'),
    });
    try {
      await expect(get(`${berth.url}/healthz`, { ca })).rejects.toThrow();
      expect(await get(`${berth.url}/healthz`, { ca, ...client })).toMatchObject({ status: 200 });
    } finally {
      await berth.stop();
    }
  });
});

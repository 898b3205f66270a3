import { request as httpRequest } from 'node:http';
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startBerth, uniqueName, type RunningBerth } from '../support/berth.js';
import { SystemQuery } from '../support/operations/index.js';

/**
 * What a web page on another site can make a browser send to berth with authentication off:
 * forms (urlencoded, multipart, text/plain bodies need no preflight), GET requests, WebSockets
 * (which the same-origin policy does not cover), and anything under a DNS-rebound name. None of it
 * may change anything, and no CORS answer may hand such a page a credentialed response.
 */

const LISTED_ORIGIN = 'https://ops.example.test';
const EVIL_ORIGIN = 'https://evil.example.test';

let berth: RunningBerth;
let port: number;

beforeAll(async () => {
  berth = await startBerth({
    BERTH_CORS_ORIGINS: LISTED_ORIGIN,
    BERTH_ALLOWED_HOSTS: 'berth.proxy.test',
  });
  port = Number(new URL(berth.url).port);
});

afterAll(async () => {
  await berth?.stop();
});

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** node:http rather than fetch: a browser (and an attacker's page) controls Host and Origin. */
function raw(
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string | Buffer,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        headers: {
          ...(body !== undefined && { 'content-length': String(Buffer.byteLength(body)) }),
          ...headers,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

function codeOf(response: RawResponse): string | undefined {
  const parsed = JSON.parse(response.body) as {
    errors?: { extensions?: { code?: string } }[];
    error?: { code?: string };
  };
  return parsed.errors?.[0]?.extensions?.code ?? parsed.error?.code;
}

async function tokenNames(): Promise<string[]> {
  const response = await raw(
    'POST',
    '/graphql',
    { 'content-type': 'application/json' },
    JSON.stringify({ query: '{ tokens { name } }' }),
  );
  expect(response.status).toBe(200);
  return (JSON.parse(response.body) as { data: { tokens: { name: string }[] } }).data.tokens.map(
    (token) => token.name,
  );
}

/** Opens a graphql-ws socket with the given headers; resolves with the upgrade's outcome. */
function upgrade(headers: Record<string, string>): Promise<{ opened: boolean; status?: number }> {
  return new Promise((resolve) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/graphql`, 'graphql-transport-ws', { headers });
    socket.on('open', () => {
      socket.close();
      resolve({ opened: true });
    });
    socket.on('unexpected-response', (_request, response) => {
      resolve({ opened: false, status: response.statusCode ?? 0 });
      response.resume();
      socket.terminate();
    });
    socket.on('error', () => resolve({ opened: false }));
  });
}

describe('CORS', () => {
  it('answers no CORS headers to an origin BERTH_CORS_ORIGINS does not list', async () => {
    const preflight = await raw('OPTIONS', '/graphql', {
      origin: EVIL_ORIGIN,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type',
    });
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    expect(preflight.headers['access-control-allow-credentials']).toBeUndefined();

    const post = await raw(
      'POST',
      '/graphql',
      { origin: EVIL_ORIGIN, 'content-type': 'application/json' },
      JSON.stringify({ query: '{ system { statsSource } }' }),
    );
    expect(post.headers['access-control-allow-origin']).toBeUndefined();
    expect(post.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('allows a listed origin, with credentials', async () => {
    const preflight = await raw('OPTIONS', '/graphql', {
      origin: LISTED_ORIGIN,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type, authorization',
    });
    expect(preflight.headers['access-control-allow-origin']).toBe(LISTED_ORIGIN);
    expect(preflight.headers['access-control-allow-credentials']).toBe('true');
    expect(String(preflight.headers['access-control-allow-headers'])).toMatch(/authorization/i);

    const post = await raw(
      'POST',
      '/graphql',
      { origin: LISTED_ORIGIN, 'content-type': 'application/json' },
      JSON.stringify({ query: '{ system { statsSource } }' }),
    );
    expect(post.status).toBe(200);
    expect(post.headers['access-control-allow-origin']).toBe(LISTED_ORIGIN);
  });
});

describe('GraphQL only as application/json', () => {
  it('refuses a mutation sent as a form (urlencoded, multipart, text/plain) with 415, and runs none', async () => {
    const name = uniqueName('xsite').slice(0, 60);
    const query = `mutation { createToken(name: "${name}", role: VIEWER) { __typename } }`;
    const boundary = 'berthboundary';
    const bodies: { type: string; body: string }[] = [
      { type: 'application/x-www-form-urlencoded', body: new URLSearchParams({ query }).toString() },
      {
        type: `multipart/form-data; boundary=${boundary}`,
        body:
          `--${boundary}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n` +
          `${JSON.stringify({ query })}\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="map"\r\n\r\n{}\r\n--${boundary}--\r\n`,
      },
      { type: 'text/plain', body: JSON.stringify({ query }) },
      { type: 'application/graphql', body: query },
    ];
    for (const { type, body } of bodies) {
      // No Origin: the Origin check alone would refuse a page's form; this is the second wall.
      const response = await raw('POST', '/graphql', { 'content-type': type }, body);
      expect(response.status, type).toBe(415);
      expect(codeOf(response), type).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
    expect(await tokenNames()).not.toContain(name);
  });

  it('answers GET only with the CSRF header (which a page cannot add without a preflight), and never runs a mutation', async () => {
    const query = encodeURIComponent('{ system { statsSource } }');
    const bare = await raw('GET', `/graphql?query=${query}`, { accept: 'application/json' });
    expect(bare.status).toBe(403);
    expect(codeOf(bare)).toBe('CROSS_SITE_REQUEST');

    const withHeader = await raw('GET', `/graphql?query=${query}`, {
      accept: 'application/json',
      'x-graphql-yoga-csrf': '1',
    });
    expect(withHeader.status).toBe(200);
    expect(JSON.parse(withHeader.body)).toMatchObject({
      data: { system: { statsSource: expect.any(String) } },
    });

    const name = uniqueName('xget').slice(0, 60);
    const mutation = encodeURIComponent(
      `mutation { createToken(name: "${name}", role: VIEWER) { __typename } }`,
    );
    const viaGet = await raw('GET', `/graphql?query=${mutation}`, {
      accept: 'application/json',
      'x-graphql-yoga-csrf': '1',
    });
    expect(viaGet.status).toBe(405);
    expect(codeOf(viaGet)).toBe('METHOD_NOT_ALLOWED');
    expect(await tokenNames()).not.toContain(name);
  });
});

describe('Host names (DNS rebinding) with authentication off', () => {
  const json = JSON.stringify({ query: '{ system { statsSource } }' });

  it('answers the names berth serves: loopback forms and BERTH_ALLOWED_HOSTS', async () => {
    for (const host of [
      `127.0.0.1:${port}`,
      `localhost:${port}`,
      `[::1]:${port}`,
      'localhost',
      `berth.proxy.test`,
      `berth.proxy.test:443`,
    ]) {
      const response = await raw('POST', '/graphql', { host, 'content-type': 'application/json' }, json);
      expect(response.status, host).toBe(200);
    }
  });

  it('refuses any other name with 403 HOST_NOT_ALLOWED, on GraphQL, REST and the WebSocket', async () => {
    for (const host of [`evil.example.test:${port}`, 'evil.example.test', `127.0.0.1.evil.test:${port}`]) {
      const graphql = await raw('POST', '/graphql', { host, 'content-type': 'application/json' }, json);
      expect(graphql.status, host).toBe(403);
      expect(codeOf(graphql)).toBe('HOST_NOT_ALLOWED');
      const rest = await raw('GET', '/containers', { host });
      expect(rest.status, host).toBe(403);
      expect(codeOf(rest)).toBe('HOST_NOT_ALLOWED');
      expect(await upgrade({ host })).toEqual({ opened: false, status: 403 });
    }
  });
});

describe("other sites' pages, with authentication off", () => {
  it('refuses a change whose Origin berth does not serve (a form POST stopping a container) with 403', async () => {
    const refused = await raw('POST', `/containers/${uniqueName('nope')}`, {
      origin: EVIL_ORIGIN,
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(refused.status).toBe(403);
    expect(codeOf(refused)).toBe('CROSS_SITE_REQUEST');
    expect((await raw('DELETE', `/containers/${uniqueName('nope')}`, { origin: 'null' })).status).toBe(403);
  });

  it("lets through berth's own pages, listed origins, and clients that send no Origin (curl)", async () => {
    for (const headers of [{}, { origin: `http://127.0.0.1:${port}` }, { origin: LISTED_ORIGIN }]) {
      const response = await raw('POST', `/containers/${uniqueName('nope')}`, headers);
      expect(response.status, JSON.stringify(headers)).toBe(404);
      expect(codeOf(response)).toBe('NOT_FOUND');
    }
  });

  it("refuses a WebSocket opened by another site's page, and opens berth's own and a client without Origin", async () => {
    expect(await upgrade({ origin: EVIL_ORIGIN })).toEqual({ opened: false, status: 403 });
    expect(await upgrade({ origin: `http://localhost:${port}`, host: `localhost:${port}` })).toEqual({
      opened: true,
    });
    expect(await upgrade({ origin: LISTED_ORIGIN })).toEqual({ opened: true });
    expect(await upgrade({})).toEqual({ opened: true });
  });
});

describe('with authentication on', () => {
  it('leaves Host and Origin to the token (no DNS-rebound page has one), and still answers no CORS to strangers', async () => {
    const secured = await startBerth({ BERTH_AUTH: 'on' });
    try {
      const response = await secured.asRole('viewer', 'xsite').fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: EVIL_ORIGIN },
        body: JSON.stringify({ query: print(SystemQuery) }),
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await secured.stop();
    }
  });
});

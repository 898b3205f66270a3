import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registryImageOf, repoDigestFor } from '../../src/domain/updates/reference.js';
import {
  RegistryApi,
  isLoopbackRegistry,
  parseAuthenticate,
  registryBaseUrl,
} from '../../src/engine/registry-api.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

describe('WWW-Authenticate', () => {
  it('reads a Bearer challenge as Docker Hub sends it', () => {
    expect(
      parseAuthenticate(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"',
      ),
    ).toEqual([
      {
        scheme: 'bearer',
        params: {
          realm: 'https://auth.docker.io/token',
          service: 'registry.docker.io',
          scope: 'repository:library/busybox:pull',
        },
      },
    ]);
  });

  it('reads several challenges, unquoted values, escaped quotes and commas inside quotes', () => {
    expect(
      parseAuthenticate(
        'Basic realm="a \\"quoted\\" realm", Bearer realm=https://t.example/token, scope="repository:a:pull,push"',
      ),
    ).toEqual([
      { scheme: 'basic', params: { realm: 'a "quoted" realm' } },
      { scheme: 'bearer', params: { realm: 'https://t.example/token', scope: 'repository:a:pull,push' } },
    ]);
  });

  it('is empty for nothing, and names parameters and schemes in lower case', () => {
    expect(parseAuthenticate('')).toEqual([]);
    expect(parseAuthenticate('BEARER Realm="r"')).toEqual([{ scheme: 'bearer', params: { realm: 'r' } }]);
  });
});

describe('where a registry is', () => {
  it('speaks plain HTTP to loopback, as Docker does by default, and HTTPS elsewhere', () => {
    expect(registryBaseUrl('127.0.0.1:5000')).toBe('http://127.0.0.1:5000');
    expect(registryBaseUrl('localhost:5000')).toBe('http://localhost:5000');
    expect(registryBaseUrl('[::1]:5000')).toBe('http://[::1]:5000');
    expect(registryBaseUrl('docker.io')).toBe('https://registry-1.docker.io');
    expect(registryBaseUrl('ghcr.io')).toBe('https://ghcr.io');
    expect(registryBaseUrl('127.example.com')).toBe('https://127.example.com');
    expect(isLoopbackRegistry('127.1.2.3:80')).toBe(true);
  });

  it('finds the registry, repository and tag of a reference, and nothing for a digest or an id', () => {
    expect(registryImageOf('busybox')).toEqual({
      registry: 'docker.io',
      repository: 'library/busybox',
      tag: 'latest',
    });
    expect(registryImageOf('docker.io/team/app:1')).toEqual({
      registry: 'docker.io',
      repository: 'team/app',
      tag: '1',
    });
    expect(registryImageOf('127.0.0.1:5000/team/app:v1')).toEqual({
      registry: '127.0.0.1:5000',
      repository: 'team/app',
      tag: 'v1',
    });
    expect(registryImageOf('localhost/app')).toEqual({
      registry: 'localhost',
      repository: 'app',
      tag: 'latest',
    });
    expect(registryImageOf(`busybox@${DIGEST}`)).toBeNull();
    expect(registryImageOf('ab'.repeat(32))).toBeNull();
  });

  it('picks the repo digest of the reference’s own repository', () => {
    const image = registryImageOf('busybox:1.36')!;
    expect(repoDigestFor(image, [`127.0.0.1:5000/busybox@sha256:1`, `busybox@${DIGEST}`])).toBe(DIGEST);
    expect(repoDigestFor(image, [`127.0.0.1:5000/busybox@sha256:1`])).toBeNull();
    expect(repoDigestFor(registryImageOf('127.0.0.1:5000/t/a:v1')!, [`127.0.0.1:5000/t/a@${DIGEST}`])).toBe(
      DIGEST,
    );
  });
});

/**
 * A loopback token server standing in for a registry's auth: `/v2/<repo>/manifests/<tag>` answers
 * 401 with a Bearer challenge until given the token its `/token` realm hands out (to anyone for
 * `team/public`, only with basic credentials `u:p` for `team/private`); `team/basic` asks for basic
 * credentials itself; `team/nodigest` answers without a digest; anything else is 404.
 */
describe('RegistryApi against a loopback token server standing in for a registry’s auth', () => {
  let server: Server;
  let registry: string;
  const seen: { method: string; url: string; authorization?: string; accept?: string }[] = [];
  const basicUP = `Basic ${Buffer.from('u:p').toString('base64')}`;

  const handle = (incoming: IncomingMessage, outgoing: import('node:http').ServerResponse) => {
    const url = new URL(incoming.url ?? '/', `http://${registry}`);
    const authorization = incoming.headers.authorization;
    seen.push({
      method: incoming.method ?? '',
      url: `${url.pathname}${url.search}`,
      ...(authorization !== undefined && { authorization }),
      ...(incoming.headers.accept !== undefined && { accept: incoming.headers.accept }),
    });
    if (url.pathname === '/token') {
      const scope = url.searchParams.get('scope') ?? '';
      if (url.searchParams.get('service') !== 'test-registry') return void outgoing.writeHead(400).end();
      if (scope === 'repository:team/private:pull' && authorization !== basicUP) {
        return void outgoing.writeHead(401).end();
      }
      outgoing.writeHead(200, { 'content-type': 'application/json' });
      return void outgoing.end(JSON.stringify({ access_token: `token-for-${scope}`, expires_in: 300 }));
    }
    const match = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(url.pathname);
    const repository = match?.[1];
    if (repository === 'team/basic') {
      if (authorization === basicUP)
        return void outgoing.writeHead(200, { 'docker-content-digest': DIGEST }).end();
      return void outgoing.writeHead(401, { 'www-authenticate': 'Basic realm="test"' }).end();
    }
    if (repository === undefined || !['team/public', 'team/private', 'team/nodigest'].includes(repository)) {
      return void outgoing.writeHead(404).end();
    }
    if (authorization !== `Bearer token-for-repository:${repository}:pull`) {
      outgoing.writeHead(401, {
        'www-authenticate': `Bearer realm="http://${registry}/token",service="test-registry",scope="repository:${repository}:pull"`,
      });
      return void outgoing.end();
    }
    outgoing.writeHead(200, repository === 'team/nodigest' ? {} : { 'docker-content-digest': DIGEST }).end();
  };

  beforeAll(async () => {
    server = createServer(handle);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    registry = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const image = (repository: string, tag = 'v1') => ({ registry, repository, tag });

  it('answers 401 with a token from the realm and retries with it, then reuses the token', async () => {
    const api = new RegistryApi();
    seen.length = 0;
    expect(await api.manifestDigest(image('team/public'), undefined)).toEqual({ ok: true, digest: DIGEST });
    expect(seen.map((request) => `${request.method} ${request.url}`)).toEqual([
      'HEAD /v2/team/public/manifests/v1',
      'GET /token?service=test-registry&scope=repository%3Ateam%2Fpublic%3Apull',
      'HEAD /v2/team/public/manifests/v1',
    ]);
    expect(seen[0]?.accept).toContain('application/vnd.docker.distribution.manifest.list.v2+json');
    expect(seen[0]?.accept).toContain('application/vnd.oci.image.index.v1+json');
    expect(seen[0]?.accept).toContain('application/vnd.docker.distribution.manifest.v2+json');
    expect(seen[2]?.authorization).toBe('Bearer token-for-repository:team/public:pull');

    seen.length = 0;
    expect(await api.manifestDigest(image('team/public'), undefined)).toEqual({ ok: true, digest: DIGEST });
    expect(seen.map((request) => request.method)).toEqual(['HEAD']);
  });

  it('sends the credential to the token service, and says when one is needed or refused', async () => {
    const api = new RegistryApi();
    expect(await api.manifestDigest(image('team/private'), { username: 'u', password: 'p' })).toEqual({
      ok: true,
      digest: DIGEST,
    });
    const anonymous = await new RegistryApi().manifestDigest(image('team/private'), undefined);
    expect(anonymous).toEqual({ ok: false, reason: expect.stringContaining('it needs credentials') });
    const wrong = await new RegistryApi().manifestDigest(image('team/private'), {
      username: 'u',
      password: 'x',
    });
    expect(wrong).toEqual({ ok: false, reason: expect.stringContaining('the credentials were refused') });
    // The password is never in a reason.
    expect(JSON.stringify(wrong)).not.toContain('"x"');
  });

  it('answers a Basic challenge with basic credentials', async () => {
    expect(
      await new RegistryApi().manifestDigest(image('team/basic'), { username: 'u', password: 'p' }),
    ).toEqual({
      ok: true,
      digest: DIGEST,
    });
    expect(await new RegistryApi().manifestDigest(image('team/basic'), undefined)).toEqual({
      ok: false,
      reason: `the registry needs credentials for ${registry}/team/basic:v1 (HTTP 401)`,
    });
  });

  it('gives a reason for a missing tag, a missing digest and a registry that does not answer', async () => {
    const api = new RegistryApi();
    expect(await api.manifestDigest(image('team/absent'), undefined)).toEqual({
      ok: false,
      reason: `the registry has no ${registry}/team/absent:v1 (HTTP 404)`,
    });
    expect(await api.manifestDigest(image('team/nodigest'), undefined)).toEqual({
      ok: false,
      reason: `the registry answered ${registry}/team/nodigest:v1 without a Docker-Content-Digest`,
    });
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(
      await api.manifestDigest({ registry: `127.0.0.1:${port}`, repository: 'a', tag: 'v1' }, undefined),
    ).toEqual({
      ok: false,
      reason: `the registry 127.0.0.1:${port} could not be reached: ECONNREFUSED`,
    });
  });

  it('gives up a registry that does not answer within its timeout', async () => {
    const silent = createServer(() => undefined); // takes the request and never answers
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const where = `127.0.0.1:${(silent.address() as AddressInfo).port}`;
    try {
      const api = new RegistryApi({ timeoutMs: 200 });
      expect(await api.manifestDigest({ registry: where, repository: 'a', tag: 'v1' }, undefined)).toEqual({
        ok: false,
        reason: `the registry ${where} did not answer within 0.2 s`,
      });
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});

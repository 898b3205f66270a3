import type { RegistryImage } from '../domain/updates/model.js';
import type { RegistryCredential, RegistryManifests, RemoteDigest } from '../domain/updates/ports.js';

/**
 * The Docker Registry HTTP API v2, read-only: a tag's manifest digest by a HEAD request, with the
 * registry's token authentication. A HEAD of a manifest is not a pull, so it costs nothing of
 * Docker Hub's pull rate. Registries are external systems: their answers become reasons here, and
 * nothing above sees an HTTP status.
 */

// What `docker pull` accepts, multi-platform first: the registry then answers the digest of the
// index it would pull, which is the one the engine records in RepoDigests.
const MANIFEST_TYPES = [
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
].join(', ');

/** One `WWW-Authenticate` challenge: its scheme in lower case and its parameters (names in lower case). */
export interface AuthChallenge {
  scheme: string;
  params: Record<string, string>;
}

/**
 * The challenges of a `WWW-Authenticate` header (RFC 9110 §11.6.1): `Bearer realm="…",service="…",
 * scope="…"`, `Basic realm="…"`, several separated by commas. Quoted values may hold commas and
 * escaped quotes.
 */
export function parseAuthenticate(header: string): AuthChallenge[] {
  const challenges: AuthChallenge[] = [];
  const token = /\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)/y;
  let at = 0;
  const skip = (pattern: RegExp) => {
    pattern.lastIndex = at;
    const match = pattern.exec(header);
    if (match) at = pattern.lastIndex;
    return match;
  };
  while (at < header.length) {
    if (skip(/[\s,]+/y) && at >= header.length) break;
    const scheme = skip(token);
    if (!scheme?.[1]) break;
    const challenge: AuthChallenge = { scheme: scheme[1].toLowerCase(), params: {} };
    challenges.push(challenge);
    for (;;) {
      const start = at;
      skip(/[\s,]*/y);
      const name = skip(token);
      if (!name?.[1] || !skip(/\s*=\s*/y)) {
        at = start; // a token without `=` starts the next challenge
        break;
      }
      const quoted = skip(/"((?:[^"\\]|\\.)*)"/y);
      const value = quoted ? (quoted[1] ?? '').replace(/\\(.)/g, '$1') : (skip(/[^\s,]*/y)?.[0] ?? '');
      challenge.params[name[1].toLowerCase()] = value;
    }
    // Token68 credentials (`Negotiate abc==`) carry no parameters berth uses: step over them.
    skip(/[^,]*/y);
  }
  return challenges;
}

/** Docker reaches registries on loopback over plain HTTP (127.0.0.0/8 is insecure by default). */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registry.startsWith('[')
    ? registry.slice(0, registry.indexOf(']') + 1)
    : registry.split(':')[0];
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host ?? '');
}

/** The base URL of a registry's API; Docker Hub's API lives at registry-1.docker.io. */
export function registryBaseUrl(registry: string): string {
  const host = registry === 'docker.io' ? 'registry-1.docker.io' : registry;
  return `${isLoopbackRegistry(registry) ? 'http' : 'https'}://${host}`;
}

const basic = (credential: RegistryCredential) =>
  `Basic ${Buffer.from(`${credential.username}:${credential.password}`).toString('base64')}`;

export interface RegistryApiOptions {
  /** Each request (the HEAD, a token) gives up after this long. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** A bearer token, kept until shortly before the registry said it expires. */
interface CachedToken {
  token: string;
  expiresAt: number;
}

class RegistryFailure extends Error {}

export class RegistryApi implements RegistryManifests {
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;
  readonly #tokens = new Map<string, CachedToken>();

  constructor(options: RegistryApiOptions = {}) {
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#fetch = options.fetch ?? fetch;
  }

  async manifestDigest(
    image: RegistryImage,
    credential: RegistryCredential | undefined,
    signal?: AbortSignal,
  ): Promise<RemoteDigest> {
    const url = `${registryBaseUrl(image.registry)}/v2/${image.repository}/manifests/${encodeURIComponent(image.tag)}`;
    try {
      const tokenKey = `${image.registry}|${image.repository}|${credential?.username ?? ''}`;
      const cached = this.#tokens.get(tokenKey);
      let response = await this.#head(
        url,
        cached && cached.expiresAt > Date.now() ? `Bearer ${cached.token}` : undefined,
        signal,
      );
      if (response.status === 401) {
        const authorization = await this.#authorize(response, image, credential, tokenKey, signal);
        if (authorization !== undefined) response = await this.#head(url, authorization, signal);
      }
      return this.#digestOf(response, image, credential);
    } catch (error) {
      return { ok: false, reason: this.#reasonOf(error, image, signal) };
    }
  }

  #request(url: string, init: RequestInit, signal: AbortSignal | undefined): Promise<Response> {
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    return this.#fetch(url, { ...init, signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
  }

  #head(url: string, authorization: string | undefined, signal: AbortSignal | undefined): Promise<Response> {
    const headers: Record<string, string> = { accept: MANIFEST_TYPES };
    if (authorization !== undefined) headers['authorization'] = authorization;
    return this.#request(url, { method: 'HEAD', headers }, signal);
  }

  /** What answers the registry's challenge: a bearer token from its realm, or basic credentials. */
  async #authorize(
    response: Response,
    image: RegistryImage,
    credential: RegistryCredential | undefined,
    tokenKey: string,
    signal: AbortSignal | undefined,
  ): Promise<string | undefined> {
    const challenges = parseAuthenticate(response.headers.get('www-authenticate') ?? '');
    const bearer = challenges.find((challenge) => challenge.scheme === 'bearer');
    if (bearer?.params['realm']) {
      const token = await this.#fetchToken(bearer.params, image, credential, signal);
      this.#tokens.set(tokenKey, token);
      return `Bearer ${token.token}`;
    }
    if (challenges.some((challenge) => challenge.scheme === 'basic') && credential) return basic(credential);
    return undefined;
  }

  async #fetchToken(
    params: Record<string, string>,
    image: RegistryImage,
    credential: RegistryCredential | undefined,
    signal: AbortSignal | undefined,
  ): Promise<CachedToken> {
    let realm: URL;
    try {
      realm = new URL(params['realm'] ?? '');
    } catch {
      throw new RegistryFailure(`the registry ${image.registry} named a token realm that is not a URL`);
    }
    if (params['service']) realm.searchParams.set('service', params['service']);
    realm.searchParams.set('scope', params['scope'] ?? `repository:${image.repository}:pull`);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (credential) headers['authorization'] = basic(credential);
    const answer = await this.#request(realm.href, { method: 'GET', headers }, signal);
    if (!answer.ok) {
      throw new RegistryFailure(
        `the registry's token service (${realm.origin}) answered HTTP ${answer.status}` +
          (answer.status === 401
            ? credential
              ? ': the credentials were refused'
              : ': it needs credentials'
            : ''),
      );
    }
    const body = (await answer.json().catch(() => ({}))) as Record<string, unknown>;
    const token = body['token'] ?? body['access_token'];
    if (typeof token !== 'string' || token === '') {
      throw new RegistryFailure(`the registry's token service (${realm.origin}) answered no token`);
    }
    // The spec's default lifetime is 60 s; a few seconds' margin so no token expires in flight.
    const seconds =
      typeof body['expires_in'] === 'number' && body['expires_in'] > 0 ? body['expires_in'] : 60;
    return { token, expiresAt: Date.now() + Math.max(seconds - 5, 1) * 1000 };
  }

  #digestOf(
    response: Response,
    image: RegistryImage,
    credential: RegistryCredential | undefined,
  ): RemoteDigest {
    const where = `${image.registry}/${image.repository}:${image.tag}`;
    if (response.ok) {
      const digest = response.headers.get('docker-content-digest');
      if (digest && /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(digest))
        return { ok: true, digest };
      return { ok: false, reason: `the registry answered ${where} without a Docker-Content-Digest` };
    }
    switch (response.status) {
      case 401:
      case 403:
        return {
          ok: false,
          reason: credential
            ? `the registry refused the credentials for ${where} (HTTP ${response.status})`
            : `the registry needs credentials for ${where} (HTTP ${response.status})`,
        };
      case 404:
        return { ok: false, reason: `the registry has no ${where} (HTTP 404)` };
      case 429:
        return { ok: false, reason: `the registry limited the rate of requests for ${where} (HTTP 429)` };
      default:
        return { ok: false, reason: `the registry answered HTTP ${response.status} for ${where}` };
    }
  }

  #reasonOf(error: unknown, image: RegistryImage, signal: AbortSignal | undefined): string {
    if (error instanceof RegistryFailure) return error.message;
    if (signal?.aborted) return 'the check was stopped (berth is stopping)';
    if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
      return `the registry ${image.registry} did not answer within ${this.#timeoutMs / 1000} s`;
    }
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const detail = cause?.code ?? cause?.message ?? (error as Error).message;
    return `the registry ${image.registry} could not be reached: ${detail}`;
  }
}

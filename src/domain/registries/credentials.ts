import type { BerthDatabase } from '../../platform/store/database.js';
import { SecretOpenError, type SecretBox } from '../../platform/secrets/secret-box.js';
import {
  InvalidInputError,
  RegistryCredentialNotFoundError,
  SecretKeyMismatchError,
  SecretKeyMissingError,
} from '../../shared/errors.js';
import type { RegistryAuth, RegistryAuthProvider } from '../images/ports.js';
import { canonicalHost, DOCKER_HUB, registryHostOf, validateRegistryHost } from './host.js';

/** A saved registry credential as anyone may see it: never its password. */
export interface RegistryCredential {
  /** The registry's host as images name it: `docker.io`, `ghcr.io`, `127.0.0.1:5000`. */
  registry: string;
  username: string;
  createdAt: Date;
  /** When the credential was last saved (its password or username replaced). */
  updatedAt: Date;
  /** When a pull last used it; null until one does. */
  lastUsedAt: Date | null;
}

interface Row {
  registry: string;
  username: string;
  secret: string;
  created_at: number;
  updated_at: number;
  last_used_at: number | null;
}

// Registries' own limits are far below these (Docker Hub: 30-character names, 100-character tokens);
// a password of kilobytes is a token such as a JWT, which some registries use.
const MAX_USERNAME = 255;
const MAX_PASSWORD = 16 * 1024;

/** What a credential's secret is sealed for: a sealed password copied onto another registry's row does not open. */
const purposeOf = (registry: string) => `registry:${registry}`;

/**
 * The credentials berth pulls with, one per registry host, their passwords sealed by the
 * SecretBox (src/platform/secrets). Without a box (no BERTH_SECRET_KEY) nothing is stored, and a
 * credential stored under another key is reported rather than skipped.
 */
export class RegistryCredentials implements RegistryAuthProvider {
  readonly #box: SecretBox | undefined;
  readonly #now: () => number;
  readonly #list;
  readonly #get;
  readonly #upsert;
  readonly #delete;
  readonly #touch;

  constructor(database: BerthDatabase, box: SecretBox | undefined, options: { now?: () => number } = {}) {
    this.#box = box;
    this.#now = options.now ?? Date.now;
    this.#list = database.prepare<[], Row>('SELECT * FROM registry_credentials ORDER BY registry');
    this.#get = database.prepare<[string], Row>('SELECT * FROM registry_credentials WHERE registry = ?');
    this.#upsert = database.prepare<[{ registry: string; username: string; secret: string; at: number }]>(
      `INSERT INTO registry_credentials (registry, username, secret, created_at, updated_at)
       VALUES (@registry, @username, @secret, @at, @at)
       ON CONFLICT (registry) DO UPDATE SET username = @username, secret = @secret, updated_at = @at`,
    );
    this.#delete = database.prepare<[string]>('DELETE FROM registry_credentials WHERE registry = ?');
    this.#touch = database.prepare<[number, string]>(
      'UPDATE registry_credentials SET last_used_at = ? WHERE registry = ?',
    );
  }

  list(): RegistryCredential[] {
    return this.#list.all().map(toCredential);
  }

  /** Saves (or replaces) the credential of `registry`; refused without a key, before any check of the rest. */
  save(registry: string, username: string, password: string): RegistryCredential {
    if (!this.#box) throw new SecretKeyMissingError('saving a registry credential');
    const host = validateRegistryHost(registry);
    if (username === '' || username.length > MAX_USERNAME || /[\0-\x1f]/.test(username)) {
      throw new InvalidInputError(
        'username',
        `must be 1 to ${MAX_USERNAME} characters, without control characters`,
      );
    }
    // Never the value in a message: a password pasted into the wrong field would be echoed.
    if (password === '' || password.length > MAX_PASSWORD || password.includes('\0')) {
      throw new InvalidInputError('password', `must be 1 to ${MAX_PASSWORD} characters, without NUL`);
    }
    this.#upsert.run({
      registry: host,
      username,
      secret: this.#box.seal(password, purposeOf(host)),
      at: this.#now(),
    });
    return toCredential(this.#row(host));
  }

  /** Removes the credential of `registry`, answering it as it was. */
  remove(registry: string): RegistryCredential {
    const host = validateRegistryHost(registry);
    const row = this.#get.get(host);
    if (!row) throw new RegistryCredentialNotFoundError(host);
    this.#delete.run(host);
    return toCredential(row);
  }

  /**
   * The credential for pulling `reference`, by its registry's host; null when none is saved. Marks
   * it used. A saved one that cannot be opened fails: pulling anonymously would hide why.
   */
  authFor(reference: string): RegistryAuth | null {
    return this.#open(registryHostOf(reference));
  }

  /**
   * The login for `registry` (a host as images name it), for the requests berth makes to a registry
   * itself (image-update checks). Undefined when none is saved, and when the saved one cannot be
   * opened (no key, another key): such a check goes anonymous and reports the registry's refusal,
   * where a pull fails with SECRET_KEY_MISSING or SECRET_KEY_MISMATCH.
   */
  loginFor(registry: string): { username: string; password: string } | undefined {
    try {
      const auth = this.#open(canonicalHost(registry));
      return auth ? { username: auth.username, password: auth.password } : undefined;
    } catch (error) {
      if (error instanceof SecretKeyMissingError || error instanceof SecretKeyMismatchError) return undefined;
      throw error;
    }
  }

  #open(host: string): RegistryAuth | null {
    const row = this.#get.get(host);
    if (!row) return null;
    const what = `the saved credential of ${host}`;
    if (!this.#box) throw new SecretKeyMissingError(`opening ${what}`);
    let password: string;
    try {
      password = this.#box.open(row.secret, purposeOf(host));
    } catch (error) {
      if (error instanceof SecretOpenError) throw new SecretKeyMismatchError(what);
      throw error;
    }
    this.#touch.run(this.#now(), host);
    // The engine reads Hub's credential under the address the Docker CLI saves it with.
    const serveraddress = host === DOCKER_HUB ? 'https://index.docker.io/v1/' : host;
    return { serveraddress, username: row.username, password };
  }

  #row(host: string): Row {
    const row = this.#get.get(host);
    if (!row) throw new Error(`the credential of ${host} was saved and is gone`);
    return row;
  }
}

function toCredential(row: Row): RegistryCredential {
  return {
    registry: row.registry,
    username: row.username,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    lastUsedAt: row.last_used_at === null ? null : new Date(row.last_used_at),
  };
}

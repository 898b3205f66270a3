import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RegistryCredentials } from '../../src/domain/registries/credentials.js';
import { ConfigError, loadConfig } from '../../src/platform/config.js';
import { SecretBox } from '../../src/platform/secrets/secret-box.js';
import { BerthDatabase } from '../../src/platform/store/database.js';

const KEY = 'a passphrase long enough for berth, 32+';
const OTHER_KEY = 'another passphrase, also long enough to use';

let dataDir: string;
let database: BerthDatabase;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'berth-credentials-'));
  database = BerthDatabase.open({ dataDir });
});
afterEach(() => {
  database.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('RegistryCredentials', () => {
  it('answers the credential of an image’s registry, by host, and marks it used', () => {
    let now = 1_000;
    const store = new RegistryCredentials(database, SecretBox.fromSetting(KEY), { now: () => now });
    store.save('GHCR.io', 'bot', 'ghp_secret');
    store.save('https://index.docker.io/v1/', 'hubber', 'hub-secret');
    now = 2_000;
    expect(store.authFor('ghcr.io/team/app:v1')).toEqual({
      serveraddress: 'ghcr.io',
      username: 'bot',
      password: 'ghp_secret',
    });
    expect(store.authFor('team/app')).toMatchObject({ username: 'hubber', password: 'hub-secret' });
    expect(store.authFor('busybox:latest')).toMatchObject({ username: 'hubber' });
    expect(store.authFor('quay.io/team/app')).toBeNull();
    expect(store.list()).toEqual([
      expect.objectContaining({ registry: 'docker.io', username: 'hubber', lastUsedAt: new Date(2_000) }),
      {
        registry: 'ghcr.io',
        username: 'bot',
        createdAt: new Date(1_000),
        updatedAt: new Date(1_000),
        lastUsedAt: new Date(2_000),
      },
    ]);
  });

  it('replaces a registry’s credential when saved again, keeping when it was first saved', () => {
    let now = 1_000;
    const store = new RegistryCredentials(database, SecretBox.fromSetting(KEY), { now: () => now });
    store.save('ghcr.io', 'old', 'old-secret');
    now = 5_000;
    expect(store.save('ghcr.io', 'new', 'new-secret')).toMatchObject({
      username: 'new',
      createdAt: new Date(1_000),
      updatedAt: new Date(5_000),
    });
    expect(store.authFor('ghcr.io/app')).toMatchObject({ username: 'new', password: 'new-secret' });
  });

  it('refuses to store without a key, and reports a saved credential it cannot open', () => {
    expect(() => new RegistryCredentials(database, undefined).save('ghcr.io', 'u', 'p')).toThrow(
      expect.objectContaining({ code: 'SECRET_KEY_MISSING' }),
    );
    expect(new RegistryCredentials(database, undefined).list()).toEqual([]);

    new RegistryCredentials(database, SecretBox.fromSetting(KEY)).save('ghcr.io', 'u', 'p');
    // berth restarted without its key, or with another one: the pull fails and says why.
    expect(() => new RegistryCredentials(database, undefined).authFor('ghcr.io/app')).toThrow(
      expect.objectContaining({ code: 'SECRET_KEY_MISSING' }),
    );
    expect(() =>
      new RegistryCredentials(database, SecretBox.fromSetting(OTHER_KEY)).authFor('ghcr.io/app'),
    ).toThrow(expect.objectContaining({ code: 'SECRET_KEY_MISMATCH' }));
    // Images of registries without a credential still pull, key or no key.
    expect(new RegistryCredentials(database, undefined).authFor('busybox')).toBeNull();
  });

  it('checks its input, and never echoes the password', () => {
    const store = new RegistryCredentials(database, SecretBox.fromSetting(KEY));
    expect(() => store.save('ghcr.io/team', 'u', 'p')).toThrow(
      expect.objectContaining({ field: 'registry' }),
    );
    expect(() => store.save('ghcr.io', '', 'p')).toThrow(expect.objectContaining({ field: 'username' }));
    expect(() => store.save('ghcr.io', 'u\nx', 'p')).toThrow(expect.objectContaining({ field: 'username' }));
    const password = `${'x'.repeat(16 * 1024)}-too-long`;
    expect(() => store.save('ghcr.io', 'u', password)).toThrow(
      expect.objectContaining({ field: 'password' }),
    );
    expect(() => store.save('ghcr.io', 'u', `${password}\0`)).toThrow(
      expect.objectContaining({ field: 'password', message: expect.not.stringContaining('too-long') }),
    );
    expect(() => store.remove('ghcr.io')).toThrow(
      expect.objectContaining({ code: 'REGISTRY_CREDENTIAL_NOT_FOUND', registry: 'ghcr.io' }),
    );
  });
});

describe('BERTH_SECRET_KEY in the configuration', () => {
  it('is read from the variable or from BERTH_SECRET_KEY_FILE, and refused when short, without its value', () => {
    expect(loadConfig({ BERTH_SECRET_KEY: KEY }).secretKey).toBe(KEY);
    expect(loadConfig({}).secretKey).toBeUndefined();
    const readFile = (path: string) => (path === '/run/secrets/berth-key' ? `${KEY}\n` : '');
    expect(loadConfig({ BERTH_SECRET_KEY_FILE: '/run/secrets/berth-key' }, readFile).secretKey).toBe(KEY);
    expect(() =>
      loadConfig({ BERTH_SECRET_KEY: KEY, BERTH_SECRET_KEY_FILE: '/run/secrets/berth-key' }, readFile),
    ).toThrow(ConfigError);
    const short = 'short-but-secret';
    expect(() => loadConfig({ BERTH_SECRET_KEY: short })).toThrow(/BERTH_SECRET_KEY: must be at least 32/);
    expect(() => loadConfig({ BERTH_SECRET_KEY: short })).not.toThrow(new RegExp(short));
  });
});

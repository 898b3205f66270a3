import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  loadConfig,
  normalizeHostKeySha256,
  parseDockerHost,
  resolveSecretFiles,
  SECRET_VARIABLES,
} from '../../src/platform/config.js';

describe('loadConfig', () => {
  it('defaults to port 8080 on all addresses and the local Docker socket', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      host: '0.0.0.0',
      port: 8080,
      dockerHost: 'unix:///var/run/docker.sock',
      engine: { kind: 'socket', socketPath: '/var/run/docker.sock' },
      logLevel: 'info',
    });
  });

  it('reads PORT, HOST and LOG_LEVEL', () => {
    expect(loadConfig({ PORT: '9000', HOST: '127.0.0.1', LOG_LEVEL: 'debug' })).toMatchObject({
      port: 9000,
      host: '127.0.0.1',
      logLevel: 'debug',
    });
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ DOCKER_HOST: 'ssh://somewhere' }, 'DOCKER_HOST'],
    [{ DOCKER_HOST: 'ssh://deploy@somewhere' }, 'BERTH_SSH_KEY_FILE'],
    [{ DOCKER_HOST: 'unix://relative.sock' }, 'DOCKER_HOST'],
  ])('refuses %o naming %s', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(variable);
  });
});

describe('authentication off', () => {
  it('keeps berth on loopback whatever HOST says', () => {
    expect(loadConfig({ BERTH_AUTH: 'off', HOST: '0.0.0.0' }).host).toBe('127.0.0.1');
    expect(loadConfig({ BERTH_AUTH: 'off', HOST: '::1' }).host).toBe('::1');
    expect(loadConfig({ HOST: '0.0.0.0' })).toMatchObject({ host: '0.0.0.0', auth: { enabled: true } });
  });

  it('refuses half a TLS configuration', () => {
    expect(() => loadConfig({ BERTH_TLS_CERT: '/nowhere/cert.pem' })).toThrow(
      /BERTH_TLS_CERT and BERTH_TLS_KEY/,
    );
    expect(() => loadConfig({ BERTH_TLS_CLIENT_CA: '/nowhere/ca.pem' })).toThrow(/BERTH_TLS_CLIENT_CA/);
  });

  it('turns introspection and GraphiQL off in production unless told', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).graphql).toEqual({ introspection: false, graphiql: false });
    expect(loadConfig({ NODE_ENV: 'production', BERTH_INTROSPECTION: 'on' }).graphql.introspection).toBe(
      true,
    );
    expect(loadConfig({}).graphql).toEqual({ introspection: true, graphiql: true });
  });
});

describe('cross-site settings', () => {
  it('reads BERTH_CORS_ORIGINS and BERTH_ALLOWED_HOSTS as comma-separated lists, none by default, and the request timeout', () => {
    expect(loadConfig({}).http).toMatchObject({
      corsOrigins: [],
      allowedHosts: [],
      requestTimeoutSeconds: 30,
    });
    expect(loadConfig({ BERTH_REQUEST_TIMEOUT_SECONDS: '5' }).http.requestTimeoutSeconds).toBe(5);
    expect(
      loadConfig({
        BERTH_CORS_ORIGINS: 'https://ops.example.com, http://localhost:3000/',
        BERTH_ALLOWED_HOSTS: 'Berth.Internal,10.0.0.5 ,[fd00::5]',
      }).http,
    ).toMatchObject({
      corsOrigins: ['https://ops.example.com', 'http://localhost:3000'],
      allowedHosts: ['berth.internal', '10.0.0.5', '[fd00::5]'],
    });
  });

  it.each([
    [{ BERTH_CORS_ORIGINS: 'ops.example.com' }, 'BERTH_CORS_ORIGINS'],
    [{ BERTH_CORS_ORIGINS: 'https://ops.example.com/app' }, 'BERTH_CORS_ORIGINS'],
    [{ BERTH_CORS_ORIGINS: 'file:///tmp' }, 'BERTH_CORS_ORIGINS'],
    [{ BERTH_ALLOWED_HOSTS: 'berth.internal:8080' }, 'BERTH_ALLOWED_HOSTS'],
    [{ BERTH_ALLOWED_HOSTS: 'https://berth.internal' }, 'BERTH_ALLOWED_HOSTS'],
    [{ BERTH_REQUEST_TIMEOUT_SECONDS: '0' }, 'BERTH_REQUEST_TIMEOUT_SECONDS'],
  ])('refuses %o naming %s', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(variable);
  });
});

describe('parseDockerHost', () => {
  it('reads tcp hosts with and without a port, and IPv6', () => {
    expect(parseDockerHost('tcp://10.0.0.5:2375', undefined, undefined)).toEqual({
      kind: 'tcp',
      host: '10.0.0.5',
      port: 2375,
      protocol: 'http',
    });
    expect(parseDockerHost('tcp://docker.internal', undefined, undefined)).toMatchObject({ port: 2375 });
    expect(parseDockerHost('tcp://[::1]:2375', undefined, undefined)).toMatchObject({ host: '::1' });
  });

  it('uses TLS with the certificates in DOCKER_CERT_PATH when DOCKER_TLS_VERIFY is set', () => {
    const read = (path: string) => Buffer.from(path);
    expect(parseDockerHost('tcp://docker.internal', '1', '/certs', read)).toEqual({
      kind: 'tcp',
      host: 'docker.internal',
      port: 2376,
      protocol: 'https',
      tls: {
        ca: Buffer.from('/certs/ca.pem'),
        cert: Buffer.from('/certs/cert.pem'),
        key: Buffer.from('/certs/key.pem'),
      },
    });
  });

  it('says which certificates are missing', () => {
    const read = () => {
      throw new Error('ENOENT');
    };
    expect(() => parseDockerHost('tcp://h:2376', '1', '/nowhere', read)).toThrow(/\/nowhere.*ca\.pem/);
  });
});

describe('ssh:// engines', () => {
  const FINGERPRINT = 'SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s';
  const keys: Record<string, string> = { '/keys/id_ed25519': 'KEY TEXT' };
  const read = (path: string) => {
    const contents = keys[path];
    if (contents === undefined) throw new Error(`ENOENT: no such file or directory, open '${path}'`);
    return Buffer.from(contents);
  };

  it('reads user, host and port from DOCKER_HOST and the key from its file', () => {
    expect(
      parseDockerHost('ssh://deploy@10.0.0.5:2222', undefined, undefined, read, {
        keyFile: '/keys/id_ed25519',
        passphrase: 'open sesame',
        hostKeySha256: FINGERPRINT.slice('SHA256:'.length),
      }),
    ).toEqual({
      kind: 'ssh',
      host: '10.0.0.5',
      port: 2222,
      username: 'deploy',
      privateKey: Buffer.from('KEY TEXT'),
      passphrase: 'open sesame',
      hostKeySha256: FINGERPRINT,
    });
    expect(
      parseDockerHost('ssh://deploy@[fd00::5]', undefined, undefined, read, { keyFile: '/keys/id_ed25519' }),
    ).toEqual({
      kind: 'ssh',
      host: 'fd00::5',
      port: 22,
      username: 'deploy',
      privateKey: Buffer.from('KEY TEXT'),
    });
  });

  it('takes the key, its passphrase and the host key through loadConfig, parsed once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-ssh-config-'));
    try {
      writeFileSync(join(dir, 'key'), 'PRIVATE');
      writeFileSync(join(dir, 'passphrase'), 'from a file\n');
      const config = loadConfig({
        DOCKER_HOST: 'ssh://root@docker.internal',
        BERTH_SSH_KEY_FILE: join(dir, 'key'),
        BERTH_SSH_KEY_PASSPHRASE_FILE: join(dir, 'passphrase'),
        BERTH_SSH_HOST_KEY_SHA256: `${FINGERPRINT}=`,
      });
      expect(config.dockerHost).toBe('ssh://root@docker.internal');
      expect(config.engine).toEqual({
        kind: 'ssh',
        host: 'docker.internal',
        port: 22,
        username: 'root',
        privateKey: Buffer.from('PRIVATE'),
        passphrase: 'from a file',
        hostKeySha256: FINGERPRINT,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    ['ssh://somewhere', { keyFile: '/keys/id_ed25519' }, /ssh:\/\/user@host/],
    ['ssh://deploy@h:70000', { keyFile: '/keys/id_ed25519' }, /port out of range/],
    ['ssh://deploy@h/path', { keyFile: '/keys/id_ed25519' }, /ssh:\/\/user@host/],
    ['ssh://deploy@h', { keyFile: undefined }, /BERTH_SSH_KEY_FILE must name/],
    ['ssh://deploy@h', { keyFile: '/keys/missing' }, /BERTH_SSH_KEY_FILE: cannot read \/keys\/missing/],
    [
      'ssh://deploy@h',
      { keyFile: '/keys/id_ed25519', hostKeySha256: 'MD5:aa:bb' },
      /BERTH_SSH_HOST_KEY_SHA256/,
    ],
  ])('refuses %s with %o', (dockerHost, ssh, message) => {
    expect(() => parseDockerHost(dockerHost, undefined, undefined, read, ssh)).toThrow(ConfigError);
    expect(() => parseDockerHost(dockerHost, undefined, undefined, read, ssh)).toThrow(message);
  });

  it('never puts the key or its passphrase in a message', () => {
    const failing = () =>
      parseDockerHost('ssh://deploy@h', undefined, undefined, read, {
        keyFile: '/keys/id_ed25519',
        passphrase: 'open sesame',
        hostKeySha256: 'not a fingerprint',
      });
    expect(failing).toThrow(ConfigError);
    try {
      failing();
    } catch (error) {
      expect((error as Error).message).not.toMatch(/KEY TEXT|open sesame/);
    }
  });

  it('normalizes fingerprints as ssh-keygen -lf prints them', () => {
    expect(normalizeHostKeySha256(FINGERPRINT)).toBe(FINGERPRINT);
    expect(normalizeHostKeySha256(` ${FINGERPRINT.slice(7)}= `)).toBe(FINGERPRINT);
    expect(normalizeHostKeySha256('SHA256:short')).toBeUndefined();
    expect(normalizeHostKeySha256('MD5:16:27:ac:a5:76:28:2d:36:63:1b:56:4d:eb:df:a6:48')).toBeUndefined();
  });
});

describe('secrets from files', () => {
  const TOKEN = `berth_0123456789ab_${Buffer.from(Array.from({ length: 32 }, (_, i) => i * 7)).toString('base64url')}`;
  const files: Record<string, string> = { '/run/secrets/admin': `${TOKEN}\n` };
  const readFile = (path: string) => {
    const contents = files[path];
    if (contents === undefined) throw new Error(`ENOENT: no such file or directory, open '${path}'`);
    return contents;
  };

  it('reads BERTH_ADMIN_TOKEN from the file BERTH_ADMIN_TOKEN_FILE names, its trailing newline trimmed', () => {
    expect(loadConfig({ BERTH_ADMIN_TOKEN_FILE: '/run/secrets/admin' }, readFile).adminToken).toBe(TOKEN);
    expect(resolveSecretFiles({ BERTH_ADMIN_TOKEN_FILE: '/run/secrets/admin' }, readFile)).toMatchObject({
      BERTH_ADMIN_TOKEN: TOKEN,
    });
  });

  it('reads a real file by default', () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-secret-'));
    const path = join(dir, 'admin');
    writeFileSync(path, `${TOKEN}\r\n`);
    try {
      expect(loadConfig({ BERTH_ADMIN_TOKEN_FILE: path }).adminToken).toBe(TOKEN);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses the value and its file together, naming both', () => {
    const env = { BERTH_ADMIN_TOKEN: TOKEN, BERTH_ADMIN_TOKEN_FILE: '/run/secrets/admin' };
    expect(() => loadConfig(env, readFile)).toThrow(ConfigError);
    expect(() => loadConfig(env, readFile)).toThrow(/BERTH_ADMIN_TOKEN and BERTH_ADMIN_TOKEN_FILE/);
  });

  it('names the variable and the path of a file it cannot read', () => {
    const env = { BERTH_ADMIN_TOKEN_FILE: '/run/secrets/missing' };
    expect(() => loadConfig(env, readFile)).toThrow(ConfigError);
    expect(() => loadConfig(env, readFile)).toThrow(
      /BERTH_ADMIN_TOKEN_FILE: cannot read \/run\/secrets\/missing/,
    );
  });

  it('checks a token from a file as it checks one given directly, without printing it', () => {
    const error = (() => {
      try {
        loadConfig({ BERTH_ADMIN_TOKEN_FILE: '/run/secrets/placeholder' }, () => 'changeme\n');
      } catch (caught) {
        return caught as Error;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error?.message).toContain('BERTH_ADMIN_TOKEN');
    expect(error?.message).not.toContain('changeme');
  });

  it('leaves an environment without _FILE variables as it is', () => {
    const env = { PORT: '9000' };
    expect(resolveSecretFiles(env, readFile)).toBe(env);
    expect(SECRET_VARIABLES).toContain('BERTH_ADMIN_TOKEN');
  });
});

describe('LOG_FORMAT', () => {
  it('is text by default, json when asked, and nothing else', () => {
    expect(loadConfig({}).logFormat).toBe('text');
    expect(loadConfig({ LOG_FORMAT: 'json' }).logFormat).toBe('json');
    expect(() => loadConfig({ LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT/);
  });
});

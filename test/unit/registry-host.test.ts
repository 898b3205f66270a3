import { describe, expect, it } from 'vitest';
import { registryHostOf, validateRegistryHost } from '../../src/domain/registries/host.js';

describe('registryHostOf: the registry an image is pulled from, by Docker’s rule', () => {
  it.each([
    ['busybox', 'docker.io'],
    ['busybox:1.36', 'docker.io'],
    ['library/busybox:latest', 'docker.io'],
    ['team/app:v1', 'docker.io'],
    ['team/sub/app', 'docker.io'],
    ['docker.io/library/busybox', 'docker.io'],
    ['index.docker.io/team/app', 'docker.io'],
    ['registry-1.docker.io/team/app', 'docker.io'],
    ['ghcr.io/team/app:v1', 'ghcr.io'],
    ['GHCR.io/team/app', 'ghcr.io'],
    ['registry.example.com:5000/app@sha256:' + 'a'.repeat(64), 'registry.example.com:5000'],
    ['127.0.0.1:5000/berth-test/app:v1', '127.0.0.1:5000'],
    ['localhost/app', 'localhost'],
    ['localhost:5000/app', 'localhost:5000'],
    ['[::1]:5000/app', '[::1]:5000'],
    // A first component without a dot or colon is a Hub namespace, even one that looks like a host.
    ['myregistry/app', 'docker.io'],
    ['localhost:5000', 'docker.io'], // the image "localhost" with the tag "5000"
  ])('%s is pulled from %s', (reference, host) => {
    expect(registryHostOf(reference)).toBe(host);
  });
});

describe('validateRegistryHost: a registry as saveRegistryCredential takes it', () => {
  it.each([
    ['ghcr.io', 'ghcr.io'],
    ['GHCR.IO', 'ghcr.io'],
    [' registry.example.com:5000 ', 'registry.example.com:5000'],
    ['127.0.0.1:5001', '127.0.0.1:5001'],
    ['localhost:5000', 'localhost:5000'],
    ['[::1]:5000', '[::1]:5000'],
    ['docker.io', 'docker.io'],
    ['index.docker.io', 'docker.io'],
    ['https://index.docker.io/v1/', 'docker.io'],
    ['https://ghcr.io', 'ghcr.io'],
    ['http://127.0.0.1:5001/', '127.0.0.1:5001'],
  ])('%j is %s', (input, host) => {
    expect(validateRegistryHost(input)).toBe(host);
  });

  it('matches what registryHostOf answers for images of that registry', () => {
    for (const [registry, image] of [
      ['https://index.docker.io/v1/', 'team/app'],
      ['GHCR.io', 'ghcr.io/team/app'],
      ['127.0.0.1:5001', '127.0.0.1:5001/app:v1'],
    ] as const) {
      expect(validateRegistryHost(registry)).toBe(registryHostOf(image));
    }
  });

  it.each([
    '',
    ' ',
    'ghcr.io/team',
    'ftp://ghcr.io',
    'user@ghcr.io',
    'ghcr.io:0',
    'ghcr.io:65536',
    'ghcr.io:port',
    '-bad.example.com',
    'a..b',
    'host name',
    '../../etc/passwd',
    `${'a'.repeat(64)}.com`,
    'ghcr.io\nevil.io',
  ])('refuses %j with INVALID_INPUT on `registry`', (input) => {
    expect(() => validateRegistryHost(input)).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', field: 'registry' }),
    );
  });
});

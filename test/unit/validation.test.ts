import { describe, expect, it } from 'vitest';
import {
  isContainerName,
  validateContainerRef,
  validateCreateSpec,
  validateFilter,
} from '../../src/domain/lifecycle/validation.js';
import { isImageReference } from '../../src/domain/images/reference.js';
import { InvalidInputError } from '../../src/shared/errors.js';

function fieldOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof InvalidInputError) return error.field;
    throw error;
  }
  throw new Error('expected an InvalidInputError');
}

describe('image references', () => {
  it.each([
    'busybox',
    'busybox:1.36',
    'library/busybox:latest',
    '127.0.0.1:5000/team/app:v1.2-rc_3',
    'registry.example.com/a/b/c',
    'localhost:5000/app@sha256:' + 'a'.repeat(64),
    'sha256:' + 'b'.repeat(64),
    'my_app__x.y-z',
  ])('accepts %s', (reference) => expect(isImageReference(reference)).toBe(true));

  it.each([
    '',
    'Busybox',
    'Team/app',
    'busy box',
    'app:',
    ':tag',
    'app:-bad',
    'a//b',
    'app@sha256:xyz',
    '-app',
    'x'.repeat(256),
  ])('refuses %j', (reference) => expect(isImageReference(reference)).toBe(false));
});

describe('container names', () => {
  it.each(['ab', 'web-1', 'a.b_c', '0x'])('accepts %s', (name) => expect(isContainerName(name)).toBe(true));
  it.each(['', 'a', '-web', '.web', 'we b', 'wé', 'a/b'])('refuses %j', (name) =>
    expect(isContainerName(name)).toBe(false),
  );
});

describe('validateCreateSpec', () => {
  it('fills defaults: start, tcp, no host port (the engine picks one)', () => {
    expect(
      validateCreateSpec({
        image: 'busybox',
        ports: [{ containerPort: 80 }],
        env: [{ name: 'A', value: '' }],
      }),
    ).toEqual({
      image: 'busybox',
      env: [{ name: 'A', value: '' }],
      ports: [{ containerPort: 80, protocol: 'tcp' }],
      labels: [],
      tty: false,
      start: true,
    });
  });

  it('keeps every given field', () => {
    const spec = validateCreateSpec({
      name: 'web',
      image: 'busybox',
      command: ['sleep', '1'],
      restartPolicy: { name: 'ON_FAILURE', maximumRetryCount: 5 },
      healthcheck: { test: ['CMD', 'true'], intervalSeconds: 1, retries: 0 },
      resources: { memoryBytes: 2 ** 33, cpus: 1.5 },
      ports: [{ containerPort: 53, protocol: 'UDP', hostPort: 5353, hostIp: '::1' }],
      start: false,
    });
    expect(spec).toMatchObject({
      name: 'web',
      command: ['sleep', '1'],
      restartPolicy: { name: 'ON_FAILURE', maximumRetryCount: 5 },
      healthcheck: { test: ['CMD', 'true'], intervalSeconds: 1, retries: 0 },
      resources: { memoryBytes: 2 ** 33, cpus: 1.5 },
      ports: [{ containerPort: 53, protocol: 'udp', hostPort: 5353, hostIp: '::1' }],
      start: false,
    });
  });

  it.each([
    [{}, 'input.image'],
    [{ image: 'busybox', name: 'a' }, 'input.name'],
    [{ image: 'busybox', ports: [{ containerPort: 0 }] }, 'input.ports.0.containerPort'],
    [{ image: 'busybox', ports: [{ containerPort: 80.5 }] }, 'input.ports.0.containerPort'],
    [{ image: 'busybox', ports: [{ containerPort: 80, protocol: 'icmp' }] }, 'input.ports.0.protocol'],
    [{ image: 'busybox', ports: [{ containerPort: 80, hostPort: 65536 }] }, 'input.ports.0.hostPort'],
    [{ image: 'busybox', env: [{ name: '', value: 'x' }] }, 'input.env.0.name'],
    [{ image: 'busybox', env: [{ name: 'A', value: 'x\u0000' }] }, 'input.env.0.value'],
    [{ image: 'busybox', labels: [{ name: 'k=v', value: 'x' }] }, 'input.labels.0.name'],
    [{ image: 'busybox', healthcheck: { test: ['CMD-SHELL', 'a', 'b'] } }, 'input.healthcheck.test'],
    [{ image: 'busybox', healthcheck: { test: ['NONE', 'x'] } }, 'input.healthcheck.test'],
    [{ image: 'busybox', healthcheck: { test: ['CMD', 'x'], retries: -1 } }, 'input.healthcheck.retries'],
    [{ image: 'busybox', resources: { memoryBytes: 2 ** 60 } }, 'input.resources.memoryBytes'],
    [{ image: 'busybox', restartPolicy: { name: 'SOMETIMES' } }, 'input.restartPolicy.name'],
    [{ image: 'busybox', start: 'yes' }, 'input.start'],
  ])('refuses %o naming %s', (input, field) => {
    expect(fieldOf(() => validateCreateSpec(input, ['input']))).toBe(field);
  });
});

describe('references and filters', () => {
  it('accepts ids, prefixes and names, with the CLI’s optional leading slash', () => {
    expect(validateContainerRef('/web')).toBe('web');
    expect(validateContainerRef('abc123')).toBe('abc123');
  });
  it.each(['', 'a b', '../x', 'x'.repeat(300)])('refuses %j', (ref) => {
    expect(fieldOf(() => validateContainerRef(ref))).toBe('id');
  });
  it('names the filter field', () => {
    expect(fieldOf(() => validateFilter({ status: 'SLEEPING' }))).toBe('filter.status');
    expect(fieldOf(() => validateFilter({ image: 'Not An Image' }))).toBe('filter.image');
    expect(validateFilter(null)).toEqual({});
  });
});

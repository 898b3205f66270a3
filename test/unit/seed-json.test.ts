import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/shared/errors.js';
import { fromSeedRequest, toSeedContainer } from '../../src/api/rest/seed-json.js';
import type { Container } from '../../src/domain/containers/model.js';

describe("the seed's ContainerRequest", () => {
  it('matches keys case-insensitively, the last duplicate winning, as encoding/json does', () => {
    const { input } = fromSeedRequest({
      NAME: 'first',
      Name: 'web',
      IMAGE: 'busybox',
      Env: { A: '1' },
      pOrTs: { '80/tcp': '8080' },
    });
    expect(input).toEqual({
      name: 'web',
      image: 'busybox',
      env: [{ name: 'A', value: '1' }],
      ports: [{ containerPort: 80, protocol: 'tcp', hostPort: 8080 }],
      start: true,
    });
  });

  it('reads port keys without a protocol and values with a host address', () => {
    const { input } = fromSeedRequest({
      image: 'busybox',
      ports: { '53': '127.0.0.1:5353', '53/udp': '[::1]:5353', '80/tcp': '' },
    });
    expect(input.ports).toEqual([
      { containerPort: 53, protocol: 'tcp', hostPort: 5353, hostIp: '127.0.0.1' },
      { containerPort: 53, protocol: 'udp', hostPort: 5353, hostIp: '::1' },
      { containerPort: 80, protocol: 'tcp' },
    ]);
  });

  it.each([
    [[1, 2], 'body'],
    ['text', 'body'],
    [{ image: 5 }, 'image'],
    [{ image: 'x', name: ['web'] }, 'name'],
    [{ image: 'x', env: ['A=1'] }, 'env'],
    [{ image: 'x', env: { A: 1 } }, 'env.A'],
    [{ image: 'x', ports: { http: '80' } }, 'ports.http'],
    [{ image: 'x', ports: { '80/tcp': 8080 } }, 'ports.80/tcp'],
    [{ image: 'x', ports: { '80/tcp': 'localhost:' } }, 'ports.80/tcp'],
  ])('refuses %j naming %s', (body, field) => {
    try {
      fromSeedRequest(body);
      throw new Error('accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidInputError);
      expect((error as InvalidInputError).field).toBe(field);
    }
  });

  it('renders validation paths as the seed’s fields', () => {
    const request = fromSeedRequest({
      image: 'x',
      env: { GOOD: '1', 'BAD=': '2' },
      ports: { '80/tcp': '1' },
    });
    expect(request.fieldOf(['env', '1', 'name'])).toBe('env.BAD=');
    expect(request.fieldOf(['ports', '0', 'hostPort'])).toBe('ports.80/tcp');
    expect(request.fieldOf(['image'])).toBe('image');
  });
});

describe("the seed's Container", () => {
  it('encodes the Go struct’s fields, with null live figures before a sample', () => {
    const container = {
      id: 'abc',
      name: 'web',
      image: 'busybox',
      status: 'RUNNING',
      createdAt: new Date('2026-01-02T03:04:05.000Z'),
      health: 'HEALTHY',
      restartCount: 2,
    } as Container;
    expect(toSeedContainer(container)).toEqual({
      ID: 'abc',
      Name: 'web',
      Image: 'busybox',
      Status: 'running',
      CreatedAt: '2026-01-02T03:04:05.000Z',
      Health: 'healthy',
      CPU: null,
      Memory: null,
      RestartCount: 2,
    });
  });
});

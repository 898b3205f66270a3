import { describe, expect, it } from 'vitest';
import { loadStack } from '../../src/domain/stacks/compose/load.js';
import { shellSplit } from '../../src/domain/stacks/compose/shlex.js';
import { parseBytes, parseDuration } from '../../src/domain/stacks/compose/units.js';
import type { StackPort } from '../../src/domain/stacks/model.js';
import { InvalidComposeError, type ComposeProblem } from '../../src/shared/errors.js';

function ports(entries: string, replicas = 1): StackPort[] {
  const compose = `services:\n  a:\n    image: x\n    deploy: { replicas: ${replicas} }\n    ports: ${entries}\n`;
  return loadStack({ name: 'demo', compose }).definition.services[0]?.ports ?? [];
}

function problems(entries: string, replicas = 1): ComposeProblem[] {
  try {
    ports(entries, replicas);
  } catch (error) {
    if (error instanceof InvalidComposeError) return [...error.problems];
    throw error;
  }
  throw new Error('accepted');
}

const fixed = (port: number) => ({ start: port, end: port });

describe('ports', () => {
  it('reads the short syntax as docker reads it', () => {
    expect(
      ports('["8080:80", "127.0.0.1:8081:81/udp", "82", 83, "[::1]:8084:84/sctp", "0.0.0.0::85"]'),
    ).toEqual([
      { target: 80, protocol: 'tcp', published: fixed(8080), hostIp: null },
      { target: 81, protocol: 'udp', published: fixed(8081), hostIp: '127.0.0.1' },
      { target: 82, protocol: 'tcp', published: null, hostIp: null },
      { target: 83, protocol: 'tcp', published: null, hostIp: null },
      { target: 84, protocol: 'sctp', published: fixed(8084), hostIp: '::1' },
      { target: 85, protocol: 'tcp', published: null, hostIp: '0.0.0.0' },
    ]);
  });

  it('maps container ranges port by port and keeps a host range for one port whole', () => {
    expect(ports('["9000-9001:80-81", "7000-7001", "6000-6002:60"]')).toEqual([
      { target: 80, protocol: 'tcp', published: fixed(9000), hostIp: null },
      { target: 81, protocol: 'tcp', published: fixed(9001), hostIp: null },
      { target: 7000, protocol: 'tcp', published: null, hostIp: null },
      { target: 7001, protocol: 'tcp', published: null, hostIp: null },
      { target: 60, protocol: 'tcp', published: { start: 6000, end: 6002 }, hostIp: null },
    ]);
  });

  it('reads the long syntax, published as a number or a range, both modes', () => {
    expect(
      ports(
        '[{ target: 80, published: 8080, protocol: udp, host_ip: 127.0.0.1, mode: host }, { target: 81, published: "5000-5002", mode: ingress }, { target: 82 }]',
      ),
    ).toEqual([
      // `mode: host` is kept for a swarm, which publishes on the task's node; ingress is the default.
      { target: 80, protocol: 'udp', published: fixed(8080), hostIp: '127.0.0.1', mode: 'HOST' },
      { target: 81, protocol: 'tcp', published: { start: 5000, end: 5002 }, hostIp: null },
      { target: 82, protocol: 'tcp', published: null, hostIp: null },
    ]);
  });

  it('refuses what is not a port', () => {
    const paths = problems(
      '["70000:80", "80/icmp", "a:b", "9000-9002:80-81", "10.0.0.300:80:80", "90-80:80"]',
    );
    // "a:b" is two problems (neither side is a port) at one path.
    expect([...new Set(paths.map((p) => p.path))]).toEqual([
      'services.a.ports[0]',
      'services.a.ports[1]',
      'services.a.ports[2]',
      'services.a.ports[3]',
      'services.a.ports[4]',
      'services.a.ports[5]',
    ]);
    expect(problems('[{ target: 80, mode: vip }]')[0]?.path).toBe('services.a.ports[0].mode');
  });

  it('refuses a fixed host port for several replicas, by the port path and line', () => {
    expect(problems('["80", "8080:80"]', 3)).toEqual([
      {
        path: 'services.a.ports[1]',
        line: 5,
        column: 19,
        key: null,
        message: expect.stringContaining('3 replicas'),
      },
    ]);
  });

  it('spreads a range over the replicas, and refuses one too small', () => {
    expect(ports('["8000-8002:80"]', 3)[0]?.published).toEqual({ start: 8000, end: 8002 });
    expect(problems('["8000-8001:80"]', 3)[0]?.message).toContain('2 ports for 3 replicas');
    expect(ports('["80"]', 5)).toHaveLength(1);
  });
});

describe('the units Compose writes', () => {
  it.each([
    ['1m30s', 90],
    ['500ms', 0.5],
    ['1.5h', 5400],
    ['10s', 10],
    ['0', 0],
    ['2m', 120],
  ])('duration %s is %d s', (text, seconds) => {
    expect(parseDuration(text)).toBeCloseTo(seconds);
  });

  it.each(['', '10', 's', '1x', '-1s', '1m 30s'])('duration %j is not one', (text) => {
    expect(parseDuration(text)).toBeNull();
  });

  it.each([
    ['64m', 64 * 1024 ** 2],
    ['1g', 1024 ** 3],
    ['1gb', 1024 ** 3],
    ['512k', 512 * 1024],
    ['100', 100],
    ['1.5G', 1.5 * 1024 ** 3],
  ])('size %s is %d bytes', (text, bytes) => {
    expect(parseBytes(text)).toBe(bytes);
  });

  it.each(['', 'm', '1x', '-1m', '1e999'])('size %j is not one', (text) => {
    expect(parseBytes(text)).toBeNull();
  });

  it('splits a string command as shlex does', () => {
    expect(shellSplit(`sh -c "echo \\"hi\\" && ls *" 'it''s' a\\ b $HOME # not a comment`)).toEqual([
      'sh',
      '-c',
      'echo "hi" && ls *',
      'its',
      'a b',
      '$HOME',
      '#',
      'not',
      'a',
      'comment',
    ]);
    expect(shellSplit('"unclosed')).toBeNull();
    expect(shellSplit('trailing\\')).toBeNull();
    expect(shellSplit('  ')).toEqual([]);
  });
});

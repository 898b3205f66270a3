import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConfigError,
  EndpointProblem,
  loadConfig,
  parseEnvironmentEndpoint,
  parseEnvironmentsFile,
} from '../../src/platform/config.js';
import { readDockerContexts } from '../../src/platform/docker-contexts.js';
import { makeCertificates, type TestCertificates } from '../support/certificates.js';

let dir: string;
let certificates: TestCertificates;
const sshKey = Buffer.from(
  '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n',
);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-endpoints-'));
  certificates = await makeCertificates(dir);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function problem(run: () => unknown): { field: string; message: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof EndpointProblem) return { field: error.field, message: error.message };
    throw error;
  }
  throw new Error('no problem found');
}

describe('parseEnvironmentEndpoint', () => {
  const tls = () => ({ ca: certificates.ca, cert: certificates.client.cert, key: certificates.client.key });

  it('reads unix://, tcp:// with TLS (2376 by default) and ssh:// (22 by default), spelling each back', () => {
    expect(parseEnvironmentEndpoint('unix:///run/docker.sock', {})).toEqual({
      endpoint: 'unix:///run/docker.sock',
      connection: { kind: 'socket', socketPath: '/run/docker.sock' },
    });
    const tcp = parseEnvironmentEndpoint('tcp://docker.example', { tls: tls() });
    expect(tcp.endpoint).toBe('tcp://docker.example:2376');
    expect(tcp.connection).toMatchObject({
      kind: 'tcp',
      host: 'docker.example',
      port: 2376,
      protocol: 'https',
    });
    expect(parseEnvironmentEndpoint('tcp://[::1]:2400', { tls: tls() }).endpoint).toBe('tcp://[::1]:2400');
    const ssh = parseEnvironmentEndpoint('ssh://deploy@10.0.0.5', {
      ssh: { privateKey: sshKey, hostKeySha256: 'SHA256:' + 'A'.repeat(43) },
    });
    expect(ssh.endpoint).toBe('ssh://deploy@10.0.0.5:22');
    expect(ssh.connection).toMatchObject({
      kind: 'ssh',
      host: '10.0.0.5',
      port: 22,
      username: 'deploy',
      hostKeySha256: 'SHA256:' + 'A'.repeat(43),
    });
  });

  it('refuses a tcp:// endpoint without client certificates, or with a key of another certificate', () => {
    expect(problem(() => parseEnvironmentEndpoint('tcp://127.0.0.1:2375', {}))).toMatchObject({
      field: 'tls',
    });
    expect(
      problem(() =>
        parseEnvironmentEndpoint('tcp://127.0.0.1:2376', { tls: { ...tls(), key: certificates.server.key } }),
      ),
    ).toEqual({ field: 'tls.key', message: 'is not the key of tls.cert' });
    expect(
      problem(() =>
        parseEnvironmentEndpoint('tcp://h:1', { tls: { ...tls(), ca: Buffer.from('not a pem') } }),
      ),
    ).toMatchObject({ field: 'tls.ca' });
  });

  it('names the field of every other mistake, never echoing key material', () => {
    const cases: [string, Parameters<typeof parseEnvironmentEndpoint>[1], string][] = [
      ['http://h:2375', {}, 'endpoint'],
      ['tcp://h:70000', { tls: tls() }, 'endpoint'],
      ['unix://relative.sock', {}, 'endpoint'],
      ['ssh://h', { ssh: { privateKey: sshKey } }, 'endpoint'],
      ['ssh://u@h', {}, 'ssh'],
      ['ssh://u@h', { ssh: { privateKey: Buffer.from('secret-ish text') } }, 'ssh.privateKey'],
      ['ssh://u@h', { ssh: { privateKey: sshKey, hostKeySha256: 'md5:aa' } }, 'ssh.hostKeySha256'],
      ['ssh://u@h', { tls: tls() }, 'tls'],
      ['unix:///s', { tls: tls() }, 'tls'],
    ];
    for (const [endpoint, material, field] of cases) {
      const found = problem(() => parseEnvironmentEndpoint(endpoint, material));
      expect(found.field, endpoint).toBe(field);
      expect(found.message).not.toContain('secret-ish');
    }
  });
});

describe('parseEnvironmentsFile (BERTH_ENVIRONMENTS_FILE)', () => {
  const files = (entries: Record<string, string | Buffer>) => (path: string) => {
    const found = entries[path];
    if (found === undefined) throw new Error(`ENOENT: ${path}`);
    return Buffer.from(found);
  };

  it('reads a YAML list of environments, key files relative to the file', () => {
    const read = files({
      '/etc/berth/environments.yaml': [
        'environments:',
        '  - name: edge',
        '    endpoint: tcp://10.0.0.5:2376',
        '    tls: { ca: certs/ca.pem, cert: certs/cert.pem, key: /abs/key.pem }',
        '  - name: backup',
        '    endpoint: ssh://deploy@backup.lan:2222',
        '    ssh: { privateKey: id_ed25519, passphraseFile: pass, hostKeySha256: "SHA256:' +
          'B'.repeat(43) +
          '" }',
        '  - name: side',
        '    endpoint: unix:///run/side.sock',
      ].join('\n'),
      '/etc/berth/certs/ca.pem': certificates.ca,
      '/etc/berth/certs/cert.pem': certificates.client.cert,
      '/abs/key.pem': certificates.client.key,
      '/etc/berth/id_ed25519': sshKey,
      '/etc/berth/pass': 'open sesame\n',
    });
    const declared = parseEnvironmentsFile('/etc/berth/environments.yaml', read);
    expect(declared.map(({ name, endpoint }) => [name, endpoint])).toEqual([
      ['edge', 'tcp://10.0.0.5:2376'],
      ['backup', 'ssh://deploy@backup.lan:2222'],
      ['side', 'unix:///run/side.sock'],
    ]);
    expect(declared[1]?.connection).toMatchObject({ kind: 'ssh', passphrase: 'open sesame', port: 2222 });
  });

  it('is read by loadConfig once, at start, and a bad file stops it', async () => {
    const file = join(dir, 'environments.yaml');
    await writeFile(file, '- name: side\n  endpoint: unix:///run/side.sock\n');
    const config = loadConfig({ BERTH_ENVIRONMENTS_FILE: file, DOCKER_CONFIG: '/etc/docker-cli' });
    expect(config.environments).toEqual([
      {
        name: 'side',
        endpoint: 'unix:///run/side.sock',
        connection: { kind: 'socket', socketPath: '/run/side.sock' },
      },
    ]);
    expect(config.dockerConfigDir).toBe('/etc/docker-cli');
    expect(loadConfig({ HOME: '/home/ops' }).dockerConfigDir).toBe('/home/ops/.docker');
    await writeFile(file, '- name: side\n');
    expect(() => loadConfig({ BERTH_ENVIRONMENTS_FILE: file })).toThrow(ConfigError);
  });

  it('reads a JSON list too', () => {
    const read = files({ '/e.json': JSON.stringify([{ name: 'side', endpoint: 'unix:///run/side.sock' }]) });
    expect(parseEnvironmentsFile('/e.json', read)).toHaveLength(1);
  });

  it('stops berth with a ConfigError that names the entry and the field', () => {
    const cases: [string, RegExp][] = [
      ['- name: Edge\n  endpoint: unix:///s', /environment 1: name: an environment name is/],
      ['- name: local\n  endpoint: unix:///s', /"local" is DOCKER_HOST/],
      [
        '- name: a\n  endpoint: unix:///s\n- name: a\n  endpoint: unix:///t',
        /environment 2 \("a"\): name: declared twice/,
      ],
      [
        '- name: a\n  endpoint: tcp://h:2376',
        /environment 1 \("a"\): tls: a tcp:\/\/ endpoint needs TLS client certificates/,
      ],
      [
        '- name: a\n  endpoint: ssh://u@h\n  ssh: { privateKey: /missing }',
        /ssh.privateKey: cannot read \/missing/,
      ],
      ['- name: a\n  endpoint: unix:///s\n  password: x', /password|Unrecognized/],
      ['- name: a\n  endpoint: [', /cannot read it as YAML or JSON/],
    ];
    for (const [text, message] of cases) {
      const run = () => parseEnvironmentsFile('/e.yaml', files({ '/e.yaml': text }));
      expect(run, text).toThrow(ConfigError);
      expect(run, text).toThrow(message);
    }
    expect(() => parseEnvironmentsFile('/nowhere.yaml', files({}))).toThrow(
      /BERTH_ENVIRONMENTS_FILE \(\/nowhere.yaml\)/,
    );
  });
});

describe('readDockerContexts (a context store this test writes)', () => {
  it('reads each context’s name, docker host and TLS files; none when there is no store', () => {
    const store: Record<string, string | Buffer> = {
      '/cfg/contexts/meta/aaa/meta.json': JSON.stringify({
        Name: 'prod',
        Endpoints: { docker: { Host: 'tcp://10.0.0.5:2376', SkipTLSVerify: false } },
      }),
      '/cfg/contexts/tls/aaa/docker/ca.pem': certificates.ca,
      '/cfg/contexts/tls/aaa/docker/cert.pem': certificates.client.cert,
      '/cfg/contexts/tls/aaa/docker/key.pem': certificates.client.key,
      '/cfg/contexts/meta/bbb/meta.json': JSON.stringify({
        Name: 'build',
        Endpoints: { docker: { Host: 'ssh://me@build' } },
      }),
      '/cfg/contexts/meta/ccc/meta.json': '{ not json',
    };
    const readDir = (path: string) => {
      if (path !== '/cfg/contexts/meta') throw new Error('ENOENT');
      return ['bbb', 'aaa', 'ccc'];
    };
    const readFile = (path: string) => {
      const found = store[path];
      if (found === undefined) throw new Error(`ENOENT: ${path}`);
      return Buffer.from(found);
    };
    const contexts = readDockerContexts('/cfg', readDir, readFile);
    expect(contexts.map((context) => [context.name, context.host])).toEqual([
      ['prod', 'tcp://10.0.0.5:2376'],
      ['build', 'ssh://me@build'],
      ['ccc', undefined],
    ]);
    expect(Object.keys(contexts[0]?.tls ?? {}).sort()).toEqual(['ca', 'cert', 'key']);
    expect(contexts[1]?.tls).toEqual({});
    expect(contexts[2]?.problem).toMatch(/meta.json cannot be read/);
    expect(readDockerContexts('/empty', readDir, readFile)).toEqual([]);
  });
});

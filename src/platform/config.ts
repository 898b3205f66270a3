import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ENVIRONMENT_NAME_PATTERN, environmentNameProblem } from '../shared/validation.js';
import { suppliedTokenProblem } from './auth/tokens.js';
import { MIN_SECRET_KEY_LENGTH } from './secrets/secret-box.js';

/**
 * The one place berth reads its environment. Everything else receives a typed `Config`,
 * so a bad value is reported once, at start, with the variable's name.
 */

export type EngineConnection =
  | { kind: 'socket'; socketPath: string }
  | {
      kind: 'tcp';
      host: string;
      port: number;
      protocol: 'http' | 'https';
      tls?: { ca: Buffer; cert: Buffer; key: Buffer };
    }
  | {
      /** `docker system dial-stdio` on the remote, over one SSH connection (src/engine/ssh-transport.ts). */
      kind: 'ssh';
      host: string;
      port: number;
      username: string;
      /** The private key (OpenSSH or PEM text). Never logged. */
      privateKey: Buffer;
      passphrase?: string;
      /**
       * The server's host key as `ssh-keygen -lf` prints it (`SHA256:<base64>`): any other key is
       * refused. Unset: any key is taken and the one seen is reported (trust on first use).
       */
      hostKeySha256?: string;
    };

/** The SSH parts of an engine connection that DOCKER_HOST cannot carry. */
export interface SshSettings {
  /** A file holding the private key (BERTH_SSH_KEY_FILE). */
  keyFile: string | undefined;
  passphrase?: string | undefined;
  hostKeySha256?: string | undefined;
}

export interface Config {
  host: string;
  port: number;
  /** Where the engine is, as DOCKER_HOST names it; kept as text for logs and /healthz. */
  dockerHost: string;
  engine: EngineConnection;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** `text` for people (colour only on a terminal); `json`: one object per line, for collectors. */
  logFormat: 'text' | 'json';
  websocket: {
    /** A client whose unsent bytes pass this is disconnected: it reads nothing, or far too slowly. */
    maxBufferedBytes: number;
  };
  exec: {
    /** Bytes kept of each of an exec's stdout and stderr. */
    maxOutputBytes: number;
  };
  terminal: {
    /** Whether interactive terminal sessions may be opened at all (BERTH_TERMINAL). */
    enabled: boolean;
  };
  stats: {
    /** `auto`: cgroup files when the engine is local and they are readable, else the stats API. */
    source: 'auto' | 'cgroup' | 'docker-api';
    /**
     * `all`: every running container is sampled, so history, metrics and alerts cover them all.
     * `watched`: only containers someone subscribes to or queries (cheaper against a remote engine,
     * whose stats API costs far more than cgroup reads; history and alerts then see only those).
     */
    sample: 'all' | 'watched';
    cgroupRoot: string;
    procRoot: string;
  };
  /** How long stats history is kept at each resolution (src/domain/history). */
  history: {
    /** The 1 s samples. */
    rawRetentionSeconds: number;
    /** The 1-minute aggregates; at least as long as the samples. */
    retentionSeconds: number;
  };
  /** How long and how much of the audit log is kept (src/platform/audit/retention.ts). */
  audit: {
    retentionDays: number;
    /** The newest entries kept; refusals are counted per minute, so a flood adds few. */
    maxRows: number;
  };
  /** Image-update detection (src/domain/updates). */
  imageUpdates: {
    /** Minutes between scheduled checks of every tag in use against its registry; 0: none. */
    checkIntervalMinutes: number;
  };
  /** Stacks deployed from git (src/domain/stacks/git). */
  git: {
    /** Minutes between polls of a stack's repository when its pollMinutes is not given; 0: none. */
    pollMinutes: number;
  };
  /**
   * Environments (other Docker hosts) declared by BERTH_ENVIRONMENTS_FILE, their key material read;
   * none without it. They are not stored and cannot be removed through the API.
   */
  environments: DeclaredEnvironment[];
  /** The Docker CLI's configuration directory (DOCKER_CONFIG, or ~/.docker): where importDockerContexts looks. */
  dockerConfigDir: string;
  /**
   * berth's own SSH key (BERTH_SSH_KEY_FILE, its passphrase): what importDockerContexts logs in
   * to an ssh:// context with, since the Docker CLI keeps none in it (it uses the user's ssh
   * setup). Undefined without BERTH_SSH_KEY_FILE. Never logged.
   */
  sshKey: { privateKey: Buffer; passphrase?: string } | undefined;
  /** Absolute directory of berth's own state: the SQLite database `berth.db` (tokens, audit log). */
  dataDir: string;
  /** An admin token the operator supplies (BERTH_ADMIN_TOKEN), stored only as a hash; never logged. */
  adminToken: string | undefined;
  /**
   * What seals the secrets berth keeps to give back later, such as registry passwords
   * (BERTH_SECRET_KEY, src/platform/secrets); without it berth refuses to store one. Never logged.
   */
  secretKey: string | undefined;
  /** HTTPS and WSS when a certificate is given; client certificates when a CA is given too. */
  tls: { cert: Buffer; key: Buffer; clientCa?: Buffer } | undefined;
  graphql: {
    /** Schema introspection and GraphiQL: on, except when NODE_ENV=production (unless told). */
    introspection: boolean;
    graphiql: boolean;
  };
  auth: {
    /** Off only when BERTH_AUTH=off says so; berth then listens on loopback alone. */
    enabled: boolean;
    /** Requests a token may make per minute. */
    requestsPerMinute: number;
    /** Failed authentications an address may make per minute before it is refused outright. */
    failuresPerMinute: number;
  };
  /** Who may call berth from a browser, and under which names. */
  http: {
    /** Origins (`scheme://host[:port]`) whose pages get credentialed CORS answers; none by default. */
    corsOrigins: string[];
    /** With authentication off, Host names answered besides loopback's and HOST (lowercase). */
    allowedHosts: string[];
    /** A request must arrive whole within this (its headers within 10 s, or this if shorter). */
    requestTimeoutSeconds: number;
    /**
     * Proxies whose X-Forwarded-For berth believes (BERTH_TRUSTED_PROXIES); none by default, so a
     * client cannot pick the address its failures are counted and audited under.
     */
    trustedProxies: TrustedNetwork[];
    /** The path prefix everything is served under (BERTH_BASE_PATH): `/berth`, or `` for none. */
    basePath: string;
  };
}

/** One CIDR of BERTH_TRUSTED_PROXIES: its network address, prefix length and family. */
export interface TrustedNetwork {
  address: string;
  prefix: number;
  family: 'ipv4' | 'ipv6';
}

/** An environment as BERTH_ENVIRONMENTS_FILE declares it, its key material read from the files it names. */
export interface DeclaredEnvironment {
  name: string;
  /** As parseEnvironmentEndpoint spells it back: never a secret. */
  endpoint: string;
  connection: EngineConnection;
}

const DEFAULT_DOCKER_HOST = 'unix:///var/run/docker.sock';

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  DOCKER_HOST: z.string().min(1).default(DEFAULT_DOCKER_HOST),
  // Docker's own clients treat any non-empty value as "on".
  DOCKER_TLS_VERIFY: z.string().optional(),
  DOCKER_CERT_PATH: z.string().optional(),
  DOCKER_CONFIG: z.string().min(1).optional(),
  BERTH_ENVIRONMENTS_FILE: z.string().min(1).optional(),
  BERTH_SSH_KEY_FILE: z.string().min(1).optional(),
  BERTH_SSH_KEY_PASSPHRASE: z.string().min(1).optional(),
  BERTH_SSH_HOST_KEY_SHA256: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  LOG_FORMAT: z.enum(['text', 'json']).default('text'),
  BERTH_AUTH: z.enum(['on', 'off']).default('on'),
  NODE_ENV: z.string().optional(),
  BERTH_TLS_CERT: z.string().min(1).optional(),
  BERTH_TLS_KEY: z.string().min(1).optional(),
  BERTH_TLS_CLIENT_CA: z.string().min(1).optional(),
  BERTH_INTROSPECTION: z.enum(['on', 'off']).optional(),
  BERTH_GRAPHIQL: z.enum(['on', 'off']).optional(),
  BERTH_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(1200),
  BERTH_AUTH_FAILURES_PER_MINUTE: z.coerce.number().int().min(1).default(20),
  BERTH_CORS_ORIGINS: z.string().default(''),
  BERTH_ALLOWED_HOSTS: z.string().default(''),
  BERTH_TRUSTED_PROXIES: z.string().default(''),
  BERTH_BASE_PATH: z.string().default(''),
  BERTH_REQUEST_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  BERTH_WS_MAX_BUFFERED_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024),
  BERTH_EXEC_MAX_OUTPUT_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(64 * 1024 * 1024)
    .default(1024 * 1024),
  BERTH_TERMINAL: z.enum(['on', 'off']).default('on'),
  BERTH_STATS_SOURCE: z.enum(['auto', 'cgroup', 'docker-api']).default('auto'),
  BERTH_STATS_SAMPLE: z.enum(['all', 'watched']).default('all'),
  BERTH_CGROUP_ROOT: z.string().min(1).default('/sys/fs/cgroup'),
  BERTH_PROC_ROOT: z.string().min(1).default('/proc'),
  BERTH_DATA_DIR: z.string().min(1).default('./data'),
  // 200 containers at 1 Hz are ~180,000 rows for 15 minutes; a day of 1 s samples is the most kept.
  BERTH_HISTORY_RAW_RETENTION_SECONDS: z.coerce.number().int().min(60).max(86_400).default(900),
  BERTH_HISTORY_RETENTION_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(7 * 86_400)
    .default(86_400),
  BERTH_AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).default(90),
  BERTH_AUDIT_MAX_ROWS: z.coerce.number().int().min(1000).max(1_000_000_000).default(1_000_000),
  // Six hours by default: a HEAD per tag in use is cheap, but registries count requests too.
  BERTH_IMAGE_UPDATE_CHECK_MINUTES: z.coerce
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 60)
    .default(360),
  // Off by default: a push webhook or syncStack is the better trigger; polling is the fallback.
  BERTH_GIT_POLL_MINUTES: z.coerce
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 60)
    .default(0),
  // Checked here so a typo stops berth at start; the value itself never appears in a message.
  BERTH_ADMIN_TOKEN: z
    .string()
    .superRefine((value, context) => {
      const problem = suppliedTokenProblem(value);
      if (problem !== null) context.addIssue({ code: 'custom', message: problem });
    })
    .optional(),
  // Only its length is checked: the value never appears in a message.
  BERTH_SECRET_KEY: z
    .string()
    .min(
      MIN_SECRET_KEY_LENGTH,
      `must be at least ${MIN_SECRET_KEY_LENGTH} characters (e.g. openssl rand -base64 32)`,
    )
    .optional(),
});

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * A host key fingerprint as `ssh-keygen -lf` prints it (`SHA256:` then 43 base64 characters), with
 * or without the `SHA256:` prefix and base64's `=` padding; answers the printed form, or undefined
 * when `text` is not one.
 */
export function normalizeHostKeySha256(text: string): string | undefined {
  const match = /^(?:SHA256:)?([A-Za-z0-9+/]{43})=?$/.exec(text.trim());
  return match ? `SHA256:${match[1]}` : undefined;
}

/** `ssh://user@host[:port]`, as the Docker CLI takes it; the key and host key come from `ssh`. */
function parseSshHost(
  dockerHost: string,
  ssh: SshSettings,
  readFile: (path: string) => Buffer,
): EngineConnection {
  const match = /^ssh:\/\/([^@/:\s]+)@(\[[^\]]+\]|[^:/@\s]+)(?::(\d+))?\/?$/.exec(dockerHost);
  if (!match) {
    throw new ConfigError(`DOCKER_HOST: expected ssh://user@host[:port], got "${dockerHost}"`);
  }
  const [, username = '', rawHost = '', rawPort] = match;
  const port = rawPort === undefined ? 22 : Number(rawPort);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ConfigError(`DOCKER_HOST: port out of range in "${dockerHost}"`);
  }
  if (ssh.keyFile === undefined) {
    throw new ConfigError('DOCKER_HOST is an ssh:// address: BERTH_SSH_KEY_FILE must name the private key');
  }
  let hostKeySha256: string | undefined;
  if (ssh.hostKeySha256 !== undefined) {
    hostKeySha256 = normalizeHostKeySha256(ssh.hostKeySha256);
    if (hostKeySha256 === undefined) {
      throw new ConfigError(
        'BERTH_SSH_HOST_KEY_SHA256: expected a fingerprint as `ssh-keygen -lf` prints it (SHA256:…)',
      );
    }
  }
  let privateKey: Buffer;
  try {
    privateKey = readFile(ssh.keyFile);
  } catch (error) {
    throw new ConfigError(`BERTH_SSH_KEY_FILE: cannot read ${ssh.keyFile}: ${(error as Error).message}`);
  }
  return {
    kind: 'ssh',
    host: rawHost.replace(/^\[|\]$/g, ''),
    port,
    username,
    privateKey,
    ...(ssh.passphrase !== undefined && { passphrase: ssh.passphrase }),
    ...(hostKeySha256 !== undefined && { hostKeySha256 }),
  };
}

/**
 * Turns DOCKER_HOST (+ the TLS variables, or the SSH ones for `ssh://`) into connection options, as
 * the Docker CLI reads them.
 */
export function parseDockerHost(
  dockerHost: string,
  tlsVerify: string | undefined,
  certPath: string | undefined,
  readFile: (path: string) => Buffer = (path) => readFileSync(path),
  ssh: SshSettings = { keyFile: undefined },
): EngineConnection {
  if (dockerHost.startsWith('unix://')) {
    const socketPath = dockerHost.slice('unix://'.length);
    if (!socketPath.startsWith('/')) {
      throw new ConfigError(`DOCKER_HOST: a unix socket needs an absolute path, got "${dockerHost}"`);
    }
    return { kind: 'socket', socketPath };
  }
  if (dockerHost.startsWith('ssh://')) return parseSshHost(dockerHost, ssh, readFile);
  const match = /^(tcp|http|https):\/\/(\[[^\]]+\]|[^:/]+)(?::(\d+))?\/?$/.exec(dockerHost);
  if (!match) {
    throw new ConfigError(
      `DOCKER_HOST: expected unix:///path/to/docker.sock, tcp://host:port or ssh://user@host[:port], got "${dockerHost}"`,
    );
  }
  const [, scheme, rawHost = '', rawPort] = match;
  const useTls = scheme === 'https' || Boolean(tlsVerify);
  const port = rawPort === undefined ? (useTls ? 2376 : 2375) : Number(rawPort);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ConfigError(`DOCKER_HOST: port out of range in "${dockerHost}"`);
  }
  const host = rawHost.replace(/^\[|\]$/g, '');
  if (!useTls) return { kind: 'tcp', host, port, protocol: 'http' };

  const dir = certPath ?? join(homedir(), '.docker');
  try {
    return {
      kind: 'tcp',
      host,
      port,
      protocol: 'https',
      tls: {
        ca: readFile(join(dir, 'ca.pem')),
        cert: readFile(join(dir, 'cert.pem')),
        key: readFile(join(dir, 'key.pem')),
      },
    };
  } catch (error) {
    throw new ConfigError(
      `DOCKER_TLS_VERIFY is set but the certificates in ${dir} (ca.pem, cert.pem, key.pem) cannot be read: ${(error as Error).message}`,
    );
  }
}

/** What an endpoint needs besides its text: client certificates for tcp://, a private key for ssh://. */
export interface EndpointMaterial {
  tls?: { ca: Buffer; cert: Buffer; key: Buffer } | undefined;
  ssh?:
    { privateKey: Buffer; passphrase?: string | undefined; hostKeySha256?: string | undefined } | undefined;
}

/**
 * An endpoint (or its material) that cannot be used, and which part: `endpoint`, `tls`,
 * `tls.cert`, `ssh.privateKey`, ... The message never holds the material itself.
 */
export class EndpointProblem extends Error {
  override name = 'EndpointProblem';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

const ENDPOINT_FORMS =
  'unix:///path/to/docker.sock, tcp://host:port (with TLS client certificates) or ssh://user@host[:port]';

function endpointPort(text: string | undefined, fallback: number): number {
  const port = text === undefined ? fallback : Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new EndpointProblem('endpoint', 'the port is out of range (1 to 65535)');
  }
  return port;
}

/** `[::1]` for an IPv6 address, the host as it is otherwise: how an endpoint spells it back. */
const hostPart = (host: string) => (host.includes(':') ? `[${host}]` : host);

/**
 * An environment's endpoint as the Docker CLI's contexts take them, into a connection and the
 * endpoint spelt back (no secret in it): `unix:///path`, `tcp://host[:port]` (2376) with mutual TLS
 * (a remote engine without it is open to anyone who reaches its port, so berth refuses it), or
 * `ssh://user@host[:port]` (22) with a private key. Throws EndpointProblem.
 */
export function parseEnvironmentEndpoint(
  endpoint: string,
  material: EndpointMaterial,
): { endpoint: string; connection: EngineConnection } {
  const text = endpoint.trim();
  const unix = /^unix:\/\/(\/[^\0]*)$/.exec(text);
  if (unix) {
    if (material.tls || material.ssh) {
      throw new EndpointProblem(
        material.tls ? 'tls' : 'ssh',
        'a unix:// endpoint takes no TLS or SSH material',
      );
    }
    const socketPath = unix[1] ?? '';
    return { endpoint: `unix://${socketPath}`, connection: { kind: 'socket', socketPath } };
  }
  const tcp = /^tcp:\/\/(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+)(?::(\d{1,5}))?\/?$/.exec(text);
  if (tcp) {
    const host = (tcp[1] ?? '').replace(/^\[|\]$/g, '');
    const port = endpointPort(tcp[2], 2376);
    if (material.ssh)
      throw new EndpointProblem('ssh', 'a tcp:// endpoint takes TLS certificates, not an SSH key');
    if (!material.tls) {
      throw new EndpointProblem(
        'tls',
        'a tcp:// endpoint needs TLS client certificates (ca, cert, key): an engine without them obeys anyone who reaches its port',
      );
    }
    return {
      endpoint: `tcp://${hostPart(host)}:${port}`,
      connection: { kind: 'tcp', host, port, protocol: 'https', tls: checkTls(material.tls) },
    };
  }
  const ssh =
    /^ssh:\/\/([A-Za-z0-9._][A-Za-z0-9._-]*)@(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+)(?::(\d{1,5}))?\/?$/.exec(
      text,
    );
  if (ssh) {
    const username = ssh[1] ?? '';
    const host = (ssh[2] ?? '').replace(/^\[|\]$/g, '');
    const port = endpointPort(ssh[3], 22);
    if (material.tls)
      throw new EndpointProblem('tls', 'an ssh:// endpoint takes an SSH key, not TLS certificates');
    if (!material.ssh)
      throw new EndpointProblem('ssh', 'an ssh:// endpoint needs a private key (ssh.privateKey)');
    const { privateKey, passphrase, hostKeySha256 } = material.ssh;
    if (!/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(privateKey.toString('utf8'))) {
      throw new EndpointProblem(
        'ssh.privateKey',
        'expected a private key in OpenSSH or PEM form (-----BEGIN … PRIVATE KEY-----)',
      );
    }
    let fingerprint: string | undefined;
    if (hostKeySha256 !== undefined) {
      fingerprint = normalizeHostKeySha256(hostKeySha256);
      if (fingerprint === undefined) {
        throw new EndpointProblem(
          'ssh.hostKeySha256',
          'expected a fingerprint as `ssh-keygen -lf` prints it (SHA256:…)',
        );
      }
    }
    return {
      endpoint: `ssh://${username}@${hostPart(host)}:${port}`,
      connection: {
        kind: 'ssh',
        host,
        port,
        username,
        privateKey,
        ...(passphrase !== undefined && passphrase !== '' && { passphrase }),
        ...(fingerprint !== undefined && { hostKeySha256: fingerprint }),
      },
    };
  }
  throw new EndpointProblem('endpoint', `expected ${ENDPOINT_FORMS}`);
}

/** The client certificate and its key must belong together, and the CA must be a certificate. */
function checkTls(tls: { ca: Buffer; cert: Buffer; key: Buffer }): { ca: Buffer; cert: Buffer; key: Buffer } {
  const certificate = (field: string, pem: Buffer) => {
    try {
      return new X509Certificate(pem);
    } catch {
      throw new EndpointProblem(field, 'expected a PEM certificate (-----BEGIN CERTIFICATE-----)');
    }
  };
  certificate('tls.ca', tls.ca);
  const cert = certificate('tls.cert', tls.cert);
  let key: KeyObject;
  try {
    key = createPrivateKey(tls.key);
  } catch {
    throw new EndpointProblem(
      'tls.key',
      'expected an unencrypted PEM private key (-----BEGIN … PRIVATE KEY-----)',
    );
  }
  if (!cert.checkPrivateKey(key)) throw new EndpointProblem('tls.key', 'is not the key of tls.cert');
  return tls;
}

const declaredEnvironmentSchema = z
  .object({
    name: z.string(),
    endpoint: z.string(),
    /** Paths of PEM files, relative to the file's directory or absolute. */
    tls: z
      .object({ ca: z.string().min(1), cert: z.string().min(1), key: z.string().min(1) })
      .strict()
      .optional(),
    ssh: z
      .object({
        privateKey: z.string().min(1),
        passphraseFile: z.string().min(1).optional(),
        hostKeySha256: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

const environmentsFileSchema = z.union([
  z.array(declaredEnvironmentSchema),
  z.object({ environments: z.array(declaredEnvironmentSchema) }).strict(),
]);

/**
 * BERTH_ENVIRONMENTS_FILE: the environments declared at start, as YAML (or JSON, which YAML reads
 * too): a list, or `environments:` holding it, of `name`, `endpoint` and the paths of the files with
 * their key material (`tls: {ca, cert, key}`, `ssh: {privateKey, passphraseFile, hostKeySha256}`),
 * never the secrets themselves. Anything wrong is a ConfigError naming the entry and its field.
 */
export function parseEnvironmentsFile(
  path: string,
  readFile: (path: string) => Buffer = (file) => readFileSync(file),
): DeclaredEnvironment[] {
  const where = `BERTH_ENVIRONMENTS_FILE (${path})`;
  let document: unknown;
  try {
    document = parseYaml(readFile(path).toString('utf8'));
  } catch (error) {
    throw new ConfigError(`${where}: cannot read it as YAML or JSON: ${(error as Error).message}`);
  }
  const parsed = environmentsFileSchema.safeParse(document ?? []);
  if (!parsed.success) {
    // The entries' own issues, not the union's "expected an array": they say what to fix.
    const issues = parsed.error.issues.flatMap((issue) =>
      issue.code === 'invalid_union' ? issue.errors.flat() : [issue],
    );
    const lines = issues.map((issue) => `  ${issue.path.join('.') || '(top)'}: ${issue.message}`);
    throw new ConfigError(
      `${where}: expected a list of environments (name, endpoint, tls or ssh):\n${[...new Set(lines)].join('\n')}`,
    );
  }
  const entries = Array.isArray(parsed.data) ? parsed.data : parsed.data.environments;
  const base = dirname(resolve(path));
  const names = new Set<string>();
  return entries.map((entry, index) => {
    const at = `${where}: environment ${index + 1}${ENVIRONMENT_NAME_PATTERN.test(entry.name) ? ` ("${entry.name}")` : ''}`;
    const nameProblem = environmentNameProblem(entry.name);
    if (nameProblem !== null) throw new ConfigError(`${at}: name: ${nameProblem}`);
    if (entry.name === 'local') throw new ConfigError(`${at}: name: "local" is DOCKER_HOST's engine`);
    if (names.has(entry.name)) throw new ConfigError(`${at}: name: declared twice`);
    names.add(entry.name);
    const read = (field: string, file: string) => {
      const full = resolve(base, file);
      try {
        return readFile(full);
      } catch (error) {
        throw new ConfigError(`${at}: ${field}: cannot read ${full}: ${(error as Error).message}`);
      }
    };
    const { tls, ssh } = entry;
    try {
      return {
        name: entry.name,
        ...parseEnvironmentEndpoint(entry.endpoint, {
          tls: tls && {
            ca: read('tls.ca', tls.ca),
            cert: read('tls.cert', tls.cert),
            key: read('tls.key', tls.key),
          },
          ssh: ssh && {
            privateKey: read('ssh.privateKey', ssh.privateKey),
            passphrase:
              ssh.passphraseFile === undefined
                ? undefined
                : read('ssh.passphraseFile', ssh.passphraseFile)
                    .toString('utf8')
                    .replace(/\r?\n$/, ''),
            hostKeySha256: ssh.hostKeySha256,
          },
        }),
      };
    } catch (error) {
      if (error instanceof EndpointProblem) throw new ConfigError(`${at}: ${error.field}: ${error.message}`);
      throw error;
    }
  });
}

function readTls(
  certPath: string | undefined,
  keyPath: string | undefined,
  clientCaPath: string | undefined,
): Config['tls'] {
  if (!certPath && !keyPath) {
    if (clientCaPath) throw new ConfigError('BERTH_TLS_CLIENT_CA needs BERTH_TLS_CERT and BERTH_TLS_KEY too');
    return undefined;
  }
  if (!certPath || !keyPath)
    throw new ConfigError('BERTH_TLS_CERT and BERTH_TLS_KEY go together: give both or neither');
  const read = (variable: string, path: string) => {
    try {
      return readFileSync(path);
    } catch (error) {
      throw new ConfigError(`${variable}: cannot read ${path}: ${(error as Error).message}`);
    }
  };
  return {
    cert: read('BERTH_TLS_CERT', certPath),
    key: read('BERTH_TLS_KEY', keyPath),
    ...(clientCaPath && { clientCa: read('BERTH_TLS_CLIENT_CA', clientCaPath) }),
  };
}

// Whole-minute steps read the minute aggregates: they must cover whatever the samples do.
function readHistoryRetention(rawRetentionSeconds: number, retentionSeconds: number): Config['history'] {
  if (retentionSeconds < rawRetentionSeconds) {
    throw new ConfigError(
      'BERTH_HISTORY_RETENTION_SECONDS must be at least BERTH_HISTORY_RAW_RETENTION_SECONDS',
    );
  }
  return { rawRetentionSeconds, retentionSeconds };
}

/** `https://ops.example.com, http://localhost:3000`: each an origin as browsers send it, no path. */
function readCorsOrigins(list: string): string[] {
  return commaList(list).map((entry) => {
    const url = URL.canParse(entry) ? new URL(entry) : undefined;
    if (!url || !/^https?:$/.test(url.protocol) || url.origin !== entry.replace(/\/$/, '').toLowerCase()) {
      throw new ConfigError(
        `BERTH_CORS_ORIGINS: "${entry}" is not an origin such as https://ops.example.com`,
      );
    }
    return url.origin;
  });
}

/** Host names without a port (`berth.internal`, `10.0.0.5`, `[fd00::5]`), compared in lowercase. */
function readAllowedHosts(list: string): string[] {
  return commaList(list).map((entry) => {
    if (!/^([a-z0-9-]+\.)*[a-z0-9-]+$|^\[[0-9a-f:.]+\]$/i.test(entry))
      throw new ConfigError(`BERTH_ALLOWED_HOSTS: "${entry}" is not a host name (no scheme, no port)`);
    return entry.toLowerCase();
  });
}

/**
 * `127.0.0.1/32, 10.0.0.0/8, ::1/128`: networks as CIDRs, or single addresses (a /32 or /128).
 * Only checked and split here; src/api/http/client-address.ts matches addresses against them.
 */
function readTrustedProxies(list: string): TrustedNetwork[] {
  return commaList(list).map((entry) => {
    const [address = '', prefixText, ...rest] = entry.split('/');
    const version = isIP(address);
    const bits = version === 6 ? 128 : 32;
    const prefix = prefixText === undefined ? bits : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
    if (version === 0 || rest.length > 0 || !(prefix >= 0 && prefix <= bits)) {
      throw new ConfigError(
        `BERTH_TRUSTED_PROXIES: "${entry}" is not an address or a CIDR such as 10.0.0.0/8 or ::1/128`,
      );
    }
    return { address, prefix, family: version === 6 ? 'ipv6' : 'ipv4' };
  });
}

/**
 * `/berth` (a trailing slash is dropped, `/` is no prefix): plain path segments, so the prefix
 * compares as written and never needs decoding.
 */
function readBasePath(value: string): string {
  const path = value.trim().replace(/\/+$/, '');
  if (path === '') return '';
  if (!/^(\/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)+$/.test(path)) {
    throw new ConfigError(
      `BERTH_BASE_PATH: "${value}" is not a path such as /berth (segments of letters, digits, ".", "_", "~" and "-")`,
    );
  }
  return path;
}

/** BERTH_SSH_KEY_FILE's key, read once at start: an unreadable file stops berth, naming it. */
function readSshKey(keyFile: string | undefined, passphrase: string | undefined): Config['sshKey'] {
  if (keyFile === undefined) return undefined;
  let privateKey: Buffer;
  try {
    privateKey = readFileSync(keyFile);
  } catch (error) {
    throw new ConfigError(`BERTH_SSH_KEY_FILE: cannot read ${keyFile}: ${(error as Error).message}`);
  }
  return { privateKey, ...(passphrase !== undefined && { passphrase }) };
}

function commaList(list: string): string[] {
  return list
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

/**
 * The settings whose value is itself a secret, so each may instead come from a file named by
 * `<NAME>_FILE`, as Docker and Compose secrets are mounted (`/run/secrets/<name>`):
 * - BERTH_ADMIN_TOKEN: a whole admin token.
 * - BERTH_SECRET_KEY: the key that seals stored secrets (registry passwords).
 * - BERTH_SSH_KEY_PASSPHRASE: what opens BERTH_SSH_KEY_FILE's key, for an ssh:// DOCKER_HOST.
 * Not here: BERTH_TLS_KEY, BERTH_TLS_CERT, BERTH_TLS_CLIENT_CA, BERTH_SSH_KEY_FILE and DOCKER_CERT_PATH already name
 * files (a secret's mount path goes in them as it is), and their paths reveal nothing. Webhook
 * secrets are not environment settings: they are given through the API and kept in the database.
 * A new secret setting is added here, and its `_FILE` row in docs/configuration.md.
 */
export const SECRET_VARIABLES = [
  'BERTH_ADMIN_TOKEN',
  'BERTH_SECRET_KEY',
  'BERTH_SSH_KEY_PASSPHRASE',
] as const;

/**
 * The environment with each `<NAME>_FILE` of SECRET_VARIABLES replaced by `<NAME>` set to the
 * file's contents, one trailing newline trimmed (as `echo value > file` writes it).
 *
 * loadConfig already reads files it is pointed at (the TLS certificates), so this is not what would
 * make it impure; `readFile` is a parameter, as in parseDockerHost, so tests hand it a fake and
 * `loadConfig(env)` alone still reads nothing but the files the environment names.
 */
export function resolveSecretFiles(
  env: NodeJS.ProcessEnv,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): NodeJS.ProcessEnv {
  // `env` itself unless a file is named: docs.test.ts records what loadConfig reads through it.
  let resolved = env;
  for (const name of SECRET_VARIABLES) {
    const fileVariable = `${name}_FILE`;
    const path = env[fileVariable];
    if (path === undefined || path === '') continue;
    if (env[name] !== undefined && env[name] !== '') {
      throw new ConfigError(`${name} and ${fileVariable} are both set: give one or the other`);
    }
    let contents: string;
    try {
      contents = readFile(path);
    } catch (error) {
      throw new ConfigError(`${fileVariable}: cannot read ${path}: ${(error as Error).message}`);
    }
    resolved = { ...resolved, [name]: contents.replace(/\r?\n$/, '') };
  }
  return resolved;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  readFile?: (path: string) => string,
): Config {
  const parsed = envSchema.safeParse(resolveSecretFiles(env, readFile));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const values = parsed.data;
  return {
    // Without authentication whoever reaches berth controls the host: only this machine may.
    host: values.BERTH_AUTH === 'off' && !isLoopback(values.HOST) ? '127.0.0.1' : values.HOST,
    port: values.PORT,
    dockerHost: values.DOCKER_HOST,
    engine: parseDockerHost(
      values.DOCKER_HOST,
      values.DOCKER_TLS_VERIFY,
      // As the Docker CLI: ~/.docker unless DOCKER_CERT_PATH says otherwise, HOME from `env` too.
      values.DOCKER_CERT_PATH ?? join(env['HOME'] ?? homedir(), '.docker'),
      undefined,
      {
        keyFile: values.BERTH_SSH_KEY_FILE,
        passphrase: values.BERTH_SSH_KEY_PASSPHRASE,
        hostKeySha256: values.BERTH_SSH_HOST_KEY_SHA256,
      },
    ),
    logLevel: values.LOG_LEVEL,
    logFormat: values.LOG_FORMAT,
    websocket: { maxBufferedBytes: values.BERTH_WS_MAX_BUFFERED_BYTES },
    exec: { maxOutputBytes: values.BERTH_EXEC_MAX_OUTPUT_BYTES },
    terminal: { enabled: values.BERTH_TERMINAL === 'on' },
    stats: {
      source: values.BERTH_STATS_SOURCE,
      sample: values.BERTH_STATS_SAMPLE,
      cgroupRoot: values.BERTH_CGROUP_ROOT,
      procRoot: values.BERTH_PROC_ROOT,
    },
    history: readHistoryRetention(
      values.BERTH_HISTORY_RAW_RETENTION_SECONDS,
      values.BERTH_HISTORY_RETENTION_SECONDS,
    ),
    audit: { retentionDays: values.BERTH_AUDIT_RETENTION_DAYS, maxRows: values.BERTH_AUDIT_MAX_ROWS },
    imageUpdates: { checkIntervalMinutes: values.BERTH_IMAGE_UPDATE_CHECK_MINUTES },
    git: { pollMinutes: values.BERTH_GIT_POLL_MINUTES },
    environments:
      values.BERTH_ENVIRONMENTS_FILE === undefined
        ? []
        : parseEnvironmentsFile(values.BERTH_ENVIRONMENTS_FILE),
    // As the Docker CLI finds its contexts.
    dockerConfigDir: resolve(values.DOCKER_CONFIG ?? join(env['HOME'] ?? homedir(), '.docker')),
    sshKey: readSshKey(values.BERTH_SSH_KEY_FILE, values.BERTH_SSH_KEY_PASSPHRASE),
    dataDir: resolve(values.BERTH_DATA_DIR),
    tls: readTls(values.BERTH_TLS_CERT, values.BERTH_TLS_KEY, values.BERTH_TLS_CLIENT_CA),
    graphql: {
      introspection:
        (values.BERTH_INTROSPECTION ?? (values.NODE_ENV === 'production' ? 'off' : 'on')) === 'on',
      graphiql: (values.BERTH_GRAPHIQL ?? (values.NODE_ENV === 'production' ? 'off' : 'on')) === 'on',
    },
    auth: {
      enabled: values.BERTH_AUTH === 'on',
      requestsPerMinute: values.BERTH_RATE_LIMIT_PER_MINUTE,
      failuresPerMinute: values.BERTH_AUTH_FAILURES_PER_MINUTE,
    },
    http: {
      corsOrigins: readCorsOrigins(values.BERTH_CORS_ORIGINS),
      allowedHosts: readAllowedHosts(values.BERTH_ALLOWED_HOSTS),
      requestTimeoutSeconds: values.BERTH_REQUEST_TIMEOUT_SECONDS,
      trustedProxies: readTrustedProxies(values.BERTH_TRUSTED_PROXIES),
      basePath: readBasePath(values.BERTH_BASE_PATH),
    },
    adminToken: values.BERTH_ADMIN_TOKEN,
    secretKey: values.BERTH_SECRET_KEY,
  };
}

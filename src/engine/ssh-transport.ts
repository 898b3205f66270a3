import { createHash } from 'node:crypto';
import http from 'node:http';
import { inspect } from 'node:util';
import type { Duplex } from 'node:stream';
import { Client, type ClientChannel } from 'ssh2';
import type { EngineConnection } from '../platform/config.js';

/** Where and as whom: an `ssh://` engine connection. */
export type SshEndpoint = Omit<Extract<EngineConnection, { kind: 'ssh' }>, 'kind'>;

/** What the Docker CLI runs on the remote: the engine's API on the command's stdin and stdout. */
const DIAL_STDIO = 'docker system dial-stdio';

/**
 * OpenSSH's default MaxSessions: exec channels one connection may carry at once. A server set
 * lower is found out when it refuses a channel (see SshTransport.openChannel).
 */
const DEFAULT_CHANNELS_PER_CONNECTION = 10;

/** Of the stderr of `docker system dial-stdio`, what a failure quotes. */
const MAX_STDERR = 2048;

/**
 * Why the SSH path to an engine failed, as a socket error would say it: `code` (the engine
 * gateway's errors.ts knows these as connection failures), `address` and `port` for its message.
 */
export class SshTransportError extends Error {
  override name = 'SshTransportError';
  constructor(
    readonly code:
      | 'ESSHHOSTKEY'
      | 'ESSHAUTH'
      | 'ESSHKEY'
      | 'ESSHDIALSTDIO'
      | 'ESSHCLOSED'
      | 'ESSHCHANNEL'
      | 'ESSHPROTOCOL',
    message: string,
    readonly address: string,
    readonly port: number,
  ) {
    super(message);
  }
}

/** The fingerprint `ssh-keygen -lf` prints for a public key blob (SSH wire format). */
export function hostKeySha256Of(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/**
 * Brief requests in flight at once, each on its own channel; more wait for one to finish. A burst
 * (the container index inspects every container at once) then reuses a few channels instead of
 * opening one per request, each a session and a `docker` process on the remote.
 */
const DEFAULT_REQUEST_CHANNELS = 4;
/** Finished channels kept open for the next request, and for how long. */
const DEFAULT_IDLE_CHANNELS = 4;
const DEFAULT_IDLE_CHANNEL_MS = 15_000;

/**
 * A read that answers at once: what may wait behind the cap. Everything else gets a channel of its
 * own at once: streams (events, a followed log, stats, an attach, an export), and every change,
 * since one can take as long as the engine takes (a stop waits out its grace period, a pull or a
 * prune its work), and four of them would otherwise hold every other request up.
 */
function isBrief(options: http.ClientRequestArgs): boolean {
  const method = (options.method ?? 'GET').toUpperCase();
  if (method !== 'GET' && method !== 'HEAD') return false;
  const headers = (options.headers ?? {}) as Record<string, unknown>;
  if (headers['Upgrade'] !== undefined || headers['upgrade'] !== undefined) return false;
  const path = options.path ?? '';
  if (/[?&](follow|stream)=(1|true)(&|$)/.test(path)) return false;
  // A stats request without stream=false streams, as do the others named here.
  if (/\/stats(\?|$)/.test(path) && !/[?&]stream=(0|false)(&|$)/.test(path)) return false;
  return !/^(\/v[\d.]+)?\/(events|containers\/[^/?]+\/(attach|export|archive)|images\/(get|[^?]+\/get)|system\/df)(\/|\?|$)/.test(
    path,
  );
}

export interface SshTransportOptions {
  /** Told the server's host key fingerprint when, with none to check, the first one seen is trusted (trust on first use). */
  onHostKey?: (sha256: string) => void;
  /** How many exec channels one SSH connection carries before another connection is opened. */
  channelsPerConnection?: number;
  /** How long a new SSH connection may take up to authentication (ms). */
  readyTimeoutMs?: number;
  /** Brief reads in flight at once (see isBrief); more wait for a channel. */
  requestChannels?: number;
  /**
   * Finished channels kept for the next request (HTTP keep-alive through dial-stdio; 0: none), and
   * how long one may wait unused (ms). Each holds a session and a `docker` process on the remote.
   */
  idleChannels?: number;
  idleChannelMs?: number;
}

interface RequestTaker {
  addRequest(request: http.ClientRequest, options: http.ClientRequestArgs): void;
}

/** http.Agent's pools, per connection name, as Node keeps them. */
interface Pools {
  sockets: Record<string, Duplex[] | undefined>;
  freeSockets: Record<string, Duplex[] | undefined>;
  requests: Record<string, http.ClientRequest[] | undefined>;
}

/**
 * An http.Agent whose connections are channels. A finished one is kept (up to `maxFreeSockets`)
 * for the next request: a new channel costs a round trip and a `docker system dial-stdio` process
 * started on the remote, a kept one nothing. An idle one is closed after `idleMs`, and leaves the
 * agent's pool ('agentRemove') so it is never handed out while closing.
 */
class DialStdioAgent extends http.Agent {
  readonly #open: () => Promise<Duplex>;
  readonly #idleMs: number;
  readonly #idle = new Map<Duplex, NodeJS.Timeout>();
  readonly #watched = new WeakSet<Duplex>();
  /** Channels asked for and not yet open. */
  #opening = 0;

  /** Where all but brief reads go: uncapped, each channel closed when its request ends. */
  readonly #streams: http.Agent | undefined;

  constructor(
    open: () => Promise<Duplex>,
    limits: { requestChannels: number; idleChannels: number; idleMs: number } | undefined,
  ) {
    super(
      limits === undefined
        ? { keepAlive: false }
        : {
            keepAlive: limits.idleChannels > 0,
            maxSockets: limits.requestChannels,
            maxFreeSockets: Math.max(limits.idleChannels, 1),
          },
    );
    this.#open = open;
    this.#idleMs = limits?.idleMs ?? 0;
    this.#streams = limits === undefined ? undefined : new DialStdioAgent(open, undefined);
  }

  /**
   * Node's ClientRequest hands every request to its agent here (public, though not in @types/node).
   * Node counts a connection against maxSockets only once it exists, and a channel opens
   * asynchronously: without counting those still opening, a burst would open one per request.
   */
  addRequest(request: http.ClientRequest, options: http.ClientRequestArgs): void {
    if (this.#streams !== undefined && !isBrief(options)) {
      (http.Agent.prototype as unknown as RequestTaker).addRequest.call(this.#streams, request, options);
      return;
    }
    const name = this.getName(options);
    const pools = this as unknown as Pools;
    const free = pools.freeSockets[name]?.length ?? 0;
    const busy = (pools.sockets[name]?.length ?? 0) + this.#opening;
    if (free === 0 && busy >= this.maxSockets) {
      // The agent hands a finished channel to its first waiting request, and opens a new one for it
      // when a channel closes.
      (pools.requests[name] ??= []).push(request);
      return;
    }
    (http.Agent.prototype as unknown as RequestTaker).addRequest.call(this, request, options);
  }

  override createConnection(
    options: http.ClientRequestArgs,
    callback?: (error: Error | null, stream: Duplex) => void,
  ): undefined {
    this.#opening += 1;
    this.#open().then(
      (channel) => {
        this.#opening -= 1;
        callback?.(null, channel);
      },
      (error: Error) => {
        this.#opening -= 1;
        callback?.(error, undefined as unknown as Duplex);
        // A request waiting for this channel would wait for ever (Node serves its queue only from
        // channels that opened and then freed or closed): the next one tries for itself.
        const next = (this as unknown as Pools).requests[this.getName(options)]?.shift();
        if (next) this.addRequest(next, options);
      },
    );
    return undefined;
  }

  override keepSocketAlive(socket: Duplex): boolean {
    const timer = setTimeout(() => {
      this.#idle.delete(socket);
      // Ended first: the agent drops a free socket from its pool only once it is no longer writable.
      socket.destroy();
      socket.emit('agentRemove');
    }, this.#idleMs);
    timer.unref();
    this.#idle.set(socket, timer);
    if (!this.#watched.has(socket)) {
      this.#watched.add(socket);
      socket.once('close', () => {
        clearTimeout(this.#idle.get(socket));
        this.#idle.delete(socket);
      });
    }
    return true;
  }

  override reuseSocket(socket: Duplex, request: http.ClientRequest): void {
    clearTimeout(this.#idle.get(socket));
    this.#idle.delete(socket);
    super.reuseSocket(socket, request);
  }

  /**
   * docker-modem logs every request's options through util.inspect (showHidden, unlimited depth),
   * evaluated even when its debug log is off; the agent, with its pools of channels and waiting
   * requests, would make that cost grow with every request in flight.
   */
  [inspect.custom](): string {
    return 'DialStdioAgent';
  }

  override destroy(): void {
    for (const timer of this.#idle.values()) clearTimeout(timer);
    this.#idle.clear();
    this.#streams?.destroy();
    super.destroy();
  }
}

/** One SSH connection and the channels it carries. */
interface Link {
  readonly client: Client;
  readonly ready: Promise<void>;
  /** Channels open or being opened on it. */
  channels: number;
  /** Channels it may carry: the default, or fewer once the server refused one. */
  limit: number;
  alive: boolean;
}

/**
 * The way to an `ssh://` engine, as the Docker CLI goes: every HTTP connection dockerode makes is
 * an exec channel running `docker system dial-stdio` on the remote.
 *
 * docker-modem's own ssh agent opens a new SSH connection (TCP, key exchange, authentication:
 * several round trips and a sshd process on the remote) for every request and ends it after. Here
 * one connection is kept and each HTTP connection is a channel on it (kept between requests, see
 * DialStdioAgent); a followed log, the event stream and a stats stream are channels too. Only when
 * the connection already carries as many channels as the server allows (OpenSSH's MaxSessions, 10
 * by default) does another connection open, and it closes again once its last channel does.
 *
 * A dropped connection is not re-dialled at once: the next request opens a new one. Requests in
 * flight on it fail as they would on a dropped socket (ECONNRESET, "socket hang up").
 */
export class SshTransport {
  /** The http.Agent dockerode sends every request through. */
  readonly agent: http.Agent;
  readonly #endpoint: SshEndpoint;
  readonly #options: SshTransportOptions;
  readonly #links: Link[] = [];
  #hostKeySha256: string | undefined;
  /**
   * Without a fingerprint to check, the first key seen is trusted and every later connection must
   * offer the same one: a reconnect is where a man in the middle would step in.
   */
  #pinned: string | undefined;
  #closed = false;

  constructor(endpoint: SshEndpoint, options: SshTransportOptions = {}) {
    this.#endpoint = endpoint;
    this.#options = options;
    this.agent = new DialStdioAgent(() => this.openChannel(), {
      requestChannels: options.requestChannels ?? DEFAULT_REQUEST_CHANNELS,
      idleChannels: options.idleChannels ?? DEFAULT_IDLE_CHANNELS,
      idleMs: options.idleChannelMs ?? DEFAULT_IDLE_CHANNEL_MS,
    });
  }

  /** The host key fingerprint (`SHA256:…`) the last connection was offered; undefined before one. */
  get hostKeySha256(): string | undefined {
    return this.#hostKeySha256;
  }

  /** SSH connections open now. */
  get connections(): number {
    return this.#links.filter((link) => link.alive).length;
  }

  /** A `docker system dial-stdio` channel: one HTTP connection's worth of the engine's API. */
  async openChannel(): Promise<Duplex> {
    for (;;) {
      if (this.#closed)
        throw this.#error('ESSHCLOSED', 'the SSH connection to the engine was closed by berth');
      // The channel is counted before the connection is ready, so requests made together share it.
      const link = this.#links.find((each) => each.alive && each.channels < each.limit) ?? this.#connect();
      link.channels += 1;
      try {
        await link.ready;
        return await this.#exec(link);
      } catch (error) {
        link.channels -= 1;
        // The server allows fewer sessions per connection than assumed: this one is full.
        if (isChannelRefusal(error) && link.channels > 0) {
          link.limit = link.channels;
          continue;
        }
        this.#releaseIfIdle(link);
        throw error;
      }
    }
  }

  /** Ends every SSH connection; requests after this fail (ESSHCLOSED). */
  close(): void {
    this.#closed = true;
    for (const link of this.#links.splice(0)) {
      link.alive = false;
      link.client.end();
    }
    this.agent.destroy();
  }

  #connect(): Link {
    const { host, port, username, privateKey, passphrase } = this.#endpoint;
    const expected = this.#endpoint.hostKeySha256 ?? this.#pinned;
    const client = new Client();
    let refusedKey: string | undefined;
    let settled = false;
    const link: Link = {
      client,
      channels: 0,
      limit: this.#options.channelsPerConnection ?? DEFAULT_CHANNELS_PER_CONNECTION,
      alive: true,
      ready: new Promise<void>((resolve, reject) => {
        client.once('ready', () => {
          settled = true;
          // Many small request-answer exchanges share the connection: Nagle's algorithm would hold
          // each request back until the last packet is acknowledged (tens of ms per request).
          client.setNoDelay(true);
          resolve();
        });
        client.on('error', (error: Error & { level?: string }) => {
          if (settled) return; // after `ready`: the channels on it fail, and `close` follows
          settled = true;
          reject(this.#translate(error, refusedKey));
        });
        client.once('close', () => {
          link.alive = false;
          const at = this.#links.indexOf(link);
          if (at >= 0) this.#links.splice(at, 1);
          if (!settled) {
            settled = true;
            reject(this.#error('ESSHPROTOCOL', 'the SSH server closed the connection before it was ready'));
          }
        });
      }),
    };
    // Nobody may be waiting on `ready` when it fails (the request that opened it gave up).
    link.ready.catch(() => undefined);
    this.#links.push(link);
    try {
      client.connect({
        host,
        port,
        username,
        privateKey,
        ...(passphrase !== undefined && { passphrase }),
        readyTimeout: this.#options.readyTimeoutMs ?? 20_000,
        // A connection that silently died (a host gone, a NAT that forgot it) is found within ~45 s.
        keepaliveInterval: 15_000,
        keepaliveCountMax: 3,
        hostVerifier: (key: Buffer) => {
          const seen = hostKeySha256Of(key);
          this.#hostKeySha256 = seen;
          if (expected !== undefined && seen !== expected) {
            refusedKey = seen;
            return false;
          }
          if (expected === undefined) {
            this.#pinned = seen;
            this.#options.onHostKey?.(seen);
          }
          return true;
        },
      });
    } catch (error) {
      // ssh2 checks the key before dialling: a key it cannot read (or open) throws here.
      settled = true;
      link.alive = false;
      this.#links.splice(this.#links.indexOf(link), 1);
      const message = (error as Error).message.replace(/privateKey/g, 'private key');
      return {
        ...link,
        ready: Promise.reject(this.#error('ESSHKEY', `the SSH key cannot be used: ${message}`)),
      };
    }
    return link;
  }

  #exec(link: Link): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      link.client.exec(DIAL_STDIO, (error, channel) => {
        if (error) {
          reject(
            isChannelRefusal(error)
              ? Object.assign(
                  this.#error('ESSHCHANNEL', `the SSH server refused a channel: ${error.message}`),
                  {
                    reason: (error as Error & { reason?: number }).reason,
                  },
                )
              : error,
          );
          return;
        }
        let released = false;
        channel.once('close', () => {
          // The agent drops a closed socket from its pool of free ones only when it is not writable.
          if (channel.writable) channel.end();
          if (released) return;
          released = true;
          link.channels -= 1;
          this.#releaseIfIdle(link);
        });
        this.#watchDialStdio(channel);
        resolve(asSocket(channel));
      });
    });
  }

  /** `docker` missing or failing on the remote: its stderr, not a bare "socket hang up". */
  #watchDialStdio(channel: ClientChannel): void {
    let stderr = '';
    channel.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < MAX_STDERR) stderr += chunk.toString('utf8').slice(0, MAX_STDERR - stderr.length);
    });
    channel.once('exit', (code: number | null) => {
      // Nobody listening: the HTTP exchange on it is over, and what it said no longer matters.
      if (code === 0 || code === null || channel.listenerCount('error') === 0) return;
      const said = stderr.trim() || 'nothing on stderr';
      channel.emit(
        'error',
        this.#error('ESSHDIALSTDIO', `\`${DIAL_STDIO}\` on the remote exited with ${code}: ${said}`),
      );
      channel.destroy();
    });
  }

  /** A second connection is ended once idle; the first stays for the next request. */
  #releaseIfIdle(link: Link): void {
    if (link.channels > 0 || !link.alive) return;
    const first = this.#links.find((each) => each.alive);
    if (first === link) return;
    link.alive = false;
    const at = this.#links.indexOf(link);
    if (at >= 0) this.#links.splice(at, 1);
    link.client.end();
  }

  #translate(error: Error & { level?: string; code?: string }, refusedKey: string | undefined): Error {
    const { host, port, username } = this.#endpoint;
    const hostKeySha256 = this.#endpoint.hostKeySha256 ?? this.#pinned;
    if (refusedKey !== undefined) {
      return this.#error(
        'ESSHHOSTKEY',
        `the SSH server's host key is ${refusedKey}, not the expected ${String(hostKeySha256)}: refused ` +
          '(another server answers at that address, or its key was changed)',
      );
    }
    if (error.level === 'client-authentication') {
      return this.#error('ESSHAUTH', `the SSH server refused the key for user "${username}"`);
    }
    if (error.level === 'client-timeout') {
      return Object.assign(this.#error('ESSHPROTOCOL', `the SSH handshake did not finish in time`), {
        code: 'ETIMEDOUT',
      });
    }
    // A socket error (ECONNREFUSED, ETIMEDOUT, ENOTFOUND...): kept as it is, with where it went.
    if (error.code !== undefined) return Object.assign(error, { address: host, port });
    return this.#error('ESSHPROTOCOL', `SSH: ${error.message}`);
  }

  #error(code: SshTransportError['code'], message: string): SshTransportError {
    return new SshTransportError(code, message, this.#endpoint.host, this.#endpoint.port);
  }
}

/**
 * A channel the server would not open. OpenSSH says so for a session over MaxSessions as
 * "open failed" (SSH2_OPEN_CONNECT_FAILED, 2; other servers use ADMINISTRATIVELY_PROHIBITED, 1).
 */
function isChannelRefusal(error: unknown): boolean {
  const reason = (error as { reason?: unknown }).reason;
  return reason === 1 || reason === 2;
}

/**
 * Node's HTTP client treats its connection as a net.Socket and may call these (a request's
 * timeout, the agent's bookkeeping); a channel has no such knobs, so they do nothing.
 */
function asSocket(channel: ClientChannel): Duplex {
  const socketLike = channel as ClientChannel & Record<string, unknown>;
  for (const method of ['setTimeout', 'setNoDelay', 'setKeepAlive', 'ref', 'unref']) {
    if (typeof socketLike[method] !== 'function') socketLike[method] = () => channel;
  }
  return channel;
}

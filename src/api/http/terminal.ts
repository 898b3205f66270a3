import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { YogaLogger } from 'graphql-yoga';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { Environments } from '../../domain/environments/environments.js';
import { LOCAL_ENVIRONMENT } from '../../domain/environments/model.js';
import { validateContainerRef } from '../../domain/lifecycle/validation.js';
import type { TerminalEnd, TerminalSession } from '../../domain/terminal/service.js';
import type { AuditLog } from '../../platform/audit/log.js';
import type { AuthGuard } from '../../platform/auth/guard.js';
import { forbiddenFor, hasRole, type Principal } from '../../platform/auth/principal.js';
import {
  BerthError,
  ERROR_CODES,
  ForbiddenError,
  InvalidInputError,
  RateLimitedError,
  TerminalDisabledError,
} from '../../shared/errors.js';
import type { ClientAddressOf } from './client-address.js';
import type { CrossSitePolicy } from './cross-site.js';
import { TRY_AGAIN_LATER } from './websocket.js';
import { verifyUpgrade } from './upgrades.js';

/** Where terminal sessions are served (under BERTH_BASE_PATH when one is set). */
export const TERMINAL_PATH = '/terminal';

/** The action terminal sessions and their refusals are audited under. */
export const TERMINAL_ACTION = 'openTerminal';

/**
 * Close codes (docs/terminal.md has the table): the shell's exit code N as 4000 + N (0 to 255);
 * a typed failure as 4000 + its HTTP status (4400, 4401, 4403, 4404, 4409, 4422, 4503), its code
 * first in the reason; a rate passed as 1013, as graphql-ws's connections do.
 */
export const TERMINAL_CLOSE = {
  EXIT_BASE: 4000,
  NO_OPEN_MESSAGE: 4408,
  INTERNAL: 4500,
  GOING_AWAY: 1001,
} as const;

/** No `open` message within this long closes the connection (4408), as graphql-ws's connection_init. */
const OPEN_TIMEOUT_MS = 3000;
/** Output is no longer read from the terminal while this much is unsent to the client. */
const OUTPUT_HIGH_WATER = 64 * 1024;
const OUTPUT_LOW_WATER = 16 * 1024;
/** Messages kept while a session opens (typed ahead, a resize). */
const MAX_EARLY_MESSAGES = 256;
/** A client that answers no ping within this long is cut off (its session ended). */
const HEARTBEAT_MS = 30_000;

/** The first message, as text: the token and what to open. */
interface OpenMessage {
  type: 'open';
  authorization?: unknown;
  container?: unknown;
  environment?: unknown;
  shell?: unknown;
  user?: unknown;
  workingDir?: unknown;
  cols?: unknown;
  rows?: unknown;
}

/** A close reason is at most 123 bytes (RFC 6455); cut at a character, never inside one. */
function reasonOf(text: string): string {
  if (Buffer.byteLength(text) <= 123) return text;
  let cut = text.slice(0, 122);
  while (Buffer.byteLength(`${cut}…`) > 123) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/** The close code and reason for a failure: typed ones by their HTTP status, anything else 4500. */
export function closeFor(error: unknown): { code: number; reason: string } {
  if (error instanceof RateLimitedError)
    return { code: TRY_AGAIN_LATER, reason: reasonOf(`RATE_LIMITED: ${error.message}`) };
  if (error instanceof BerthError) {
    return {
      code: TERMINAL_CLOSE.EXIT_BASE + ERROR_CODES[error.code].httpStatus,
      reason: reasonOf(`${error.code}: ${error.message}`),
    };
  }
  return { code: TERMINAL_CLOSE.INTERNAL, reason: 'INTERNAL: the server log has the story' };
}

/** How a session that ended closes its socket. */
function closeForEnd(end: TerminalEnd, container: string): { code: number; reason: string } {
  if (end.reason === 'container-stopped') {
    return { code: 4409, reason: reasonOf(`INVALID_STATE: container "${container}" stopped`) };
  }
  if (end.reason === 'exited' && end.exitCode !== null && end.exitCode >= 0 && end.exitCode <= 255) {
    return { code: TERMINAL_CLOSE.EXIT_BASE + end.exitCode, reason: `EXIT: ${end.exitCode}` };
  }
  if (end.reason === 'exited') return { code: 1000, reason: 'EXIT: unknown' };
  return { code: TERMINAL_CLOSE.GOING_AWAY, reason: 'the session was ended by berth' };
}

function parseJson(data: RawData): unknown {
  try {
    return JSON.parse(
      Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data as Buffer[]).toString('utf8'),
    );
  } catch {
    return undefined;
  }
}

function asBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(value: unknown, field: string): string | undefined {
  if (value == null) return undefined;
  if (typeof value !== 'string') throw new InvalidInputError(field, 'must be a string');
  return value;
}

/**
 * Interactive shells in containers over a WebSocket at `/terminal`: the first message (text)
 * carries the token and what to open, as graphql-ws's connection_init does (never the URL); then
 * binary frames carry keystrokes in and the terminal's output out, and text messages resize it.
 * Authentication, its rate limits, the cross-site check and the token-in-URL refusal are the
 * graphql-ws connection's own. Operators and admins only; every session and every failure to open
 * one is in the audit log.
 */
export function attachTerminalWebSocket(options: {
  environments: Environments;
  audit: AuditLog;
  guard: AuthGuard;
  crossSite: CrossSitePolicy;
  clientAddress: ClientAddressOf;
  log: YogaLogger;
}): {
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): Promise<void>;
  clients(): number;
} {
  const { guard, audit, log } = options;
  const wss = new WebSocketServer({
    noServer: true,
    path: TERMINAL_PATH,
    // Keystrokes and pastes, not files: a bigger frame closes the connection (1009).
    maxPayload: 1024 * 1024,
    verifyClient: verifyUpgrade({ ...options, action: TERMINAL_ACTION, where: 'the open message' }),
  });

  /** Open sessions, with who opened them: revoking a token ends its sessions. */
  const open = new Map<WebSocket, { principal: Principal; session: TerminalSession }>();
  const closeWith = (socket: WebSocket, code: number, reason: string) => {
    if (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING) {
      socket.close(code, reason);
    }
  };
  const offRevoked = guard.onRevoked((tokenId) => {
    for (const [socket, { principal }] of open) {
      if (principal.tokenId === tokenId) closeWith(socket, 4401, 'UNAUTHENTICATED: token revoked');
    }
  });

  const alive = new WeakSet<WebSocket>();
  const heartbeat = setInterval(() => {
    for (const client of wss.clients) {
      if (!alive.has(client)) {
        client.terminate();
        continue;
      }
      alive.delete(client);
      client.ping();
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();

  wss.on('connection', (socket: WebSocket, request: IncomingMessage) => {
    const address = options.clientAddress(request);
    alive.add(socket);
    socket.on('pong', () => alive.add(socket));
    socket.on('error', (error) => log.debug(`terminal WebSocket: ${error.message}`));
    let state: 'awaiting-open' | 'opening' | 'open' | 'gone' = 'awaiting-open';
    /** Messages that came while the session was being opened, replayed once it is. */
    const early: { data: RawData; isBinary: boolean }[] = [];
    let session: TerminalSession | undefined;
    const timer = setTimeout(
      () => closeWith(socket, TERMINAL_CLOSE.NO_OPEN_MESSAGE, 'no open message within 3 s'),
      OPEN_TIMEOUT_MS,
    );

    const fail = (error: unknown) => {
      const { code, reason } = closeFor(error);
      if (code === TERMINAL_CLOSE.INTERNAL) log.error('a terminal session failed', error);
      closeWith(socket, code, reason);
    };

    /**
     * One message of an open session: binary is typed, text is a resize. In the order sent: what
     * is typed after a resize reaches the shell once the terminal has its new size (`stty size`).
     */
    let order = Promise.resolve();
    const handle = (active: TerminalSession, data: RawData, isBinary: boolean) => {
      order = order
        .then(async () => {
          if (isBinary) {
            if (!active.write(asBuffer(data))) {
              socket.pause();
              active.onceDrained(() => socket.resume());
            }
            return;
          }
          const message = parseJson(data);
          if (!isRecord(message) || message['type'] !== 'resize') {
            throw new InvalidInputError(
              'message',
              'expected binary input or {"type":"resize","cols":…,"rows":…}',
            );
          }
          await active.resize(message['cols'] as number, message['rows'] as number);
        })
        .catch(fail);
    };

    socket.on('message', (data: RawData, isBinary: boolean) => {
      if (state === 'open' && session) handle(session, data, isBinary);
      else if (state === 'opening') {
        // Kept only while the shell starts, and only so many: a client may not pile up memory unauthenticated.
        if (early.length >= MAX_EARLY_MESSAGES) {
          fail(new InvalidInputError('message', 'too many messages before the session opened'));
        } else early.push({ data, isBinary });
      } else if (state === 'awaiting-open') {
        state = 'opening';
        clearTimeout(timer);
        const message = isBinary ? undefined : parseJson(data);
        if (!isRecord(message) || message['type'] !== 'open') {
          fail(new InvalidInputError('message', 'the first message must be {"type":"open",…} as text'));
          return;
        }
        void openSession(message as unknown as OpenMessage).then(
          (opened) => {
            if (!opened) return;
            session = opened;
            if (state === 'gone') {
              void opened.close();
              return;
            }
            state = 'open';
            for (const { data: queued, isBinary: binary } of early.splice(0)) handle(opened, queued, binary);
          },
          (error: unknown) => fail(error),
        );
      }
    });

    socket.once('close', () => {
      clearTimeout(timer);
      state = 'gone';
      open.delete(socket);
      // The client left: the shell and everything it started go too.
      void session?.close();
    });

    /** Authenticates, checks, opens; audited whatever the outcome. Undefined when the socket went meanwhile. */
    async function openSession(message: OpenMessage): Promise<TerminalSession | undefined> {
      const principal = await guard.authenticate({
        authorization: message.authorization,
        address,
        action: TERMINAL_ACTION,
      });
      const deny = (error: BerthError) => guard.deny({ action: TERMINAL_ACTION, address }, principal, error);
      // A deploy token has no role: hasRole refuses it, and forbiddenFor says what it may do instead.
      if (!hasRole(principal, 'operator')) throw deny(forbiddenFor(principal, 'operator'));
      let target: string | null =
        typeof message.container === 'string' ? message.container.slice(0, 300) : null;
      const record = (result: `error:${string}` | 'started' | 'ok', detail: string | null) =>
        audit.record({
          tokenId: principal.tokenId,
          tokenName: principal.name,
          action: TERMINAL_ACTION,
          target,
          result,
          detail,
        });
      try {
        const environmentName = optionalString(message.environment, 'environment') ?? LOCAL_ENVIRONMENT;
        const environment = options.environments.get(environmentName, principal);
        if (!environment.terminal.enabled) throw new TerminalDisabledError();
        const container = environment.containers.get(validateContainerRef(message.container, 'container'));
        target = container.name;
        const opened = await environment.terminal.open(container, {
          shell: optionalString(message.shell, 'shell'),
          user: optionalString(message.user, 'user'),
          workingDir: optionalString(message.workingDir, 'workingDir'),
          cols: message.cols as number | undefined,
          rows: message.rows as number | undefined,
        });
        const where = `${opened.shell}${opened.user ? ` as ${opened.user}` : ''} in environment ${environment.name}`;
        record('started', `session ${opened.id}: ${where}`);
        void opened.ended.then((end) => {
          record(
            'ok',
            `session ${opened.id}: ${where}; started ${opened.startedAt.toISOString()}, ended ` +
              `${end.endedAt.toISOString()} (${end.reason}), exit code ${end.exitCode ?? 'unknown'}` +
              (end.cleanedUp ? '' : '; some of its processes may still run in the container'),
          );
          open.delete(socket);
          const { code, reason } = closeForEnd(end, container.name);
          closeWith(socket, code, reason);
        });
        if (socket.readyState !== WebSocket.OPEN) {
          void opened.close();
          return undefined;
        }
        open.set(socket, { principal, session: opened });
        opened.onOutput((chunk) => {
          socket.send(chunk, { binary: true }, () => {
            if (socket.bufferedAmount < OUTPUT_LOW_WATER) opened.resumeOutput();
          });
          if (socket.bufferedAmount > OUTPUT_HIGH_WATER) opened.pauseOutput();
        });
        socket.send(JSON.stringify({ type: 'opened', session: opened.id, shell: opened.shell }));
        return opened;
      } catch (error) {
        if (error instanceof ForbiddenError || error instanceof TerminalDisabledError) throw deny(error);
        if (error instanceof BerthError) record(`error:${error.code}`, error.message);
        else record('error:INTERNAL', null);
        throw error;
      }
    }
  });

  return {
    handleUpgrade: (request, socket, head) =>
      wss.handleUpgrade(request, socket, head, (client) => wss.emit('connection', client, request)),
    clients: () => wss.clients.size,
    async close() {
      clearInterval(heartbeat);
      offRevoked();
      const sessions = [...open.values()].map(({ session }) => session.close());
      for (const client of wss.clients) closeWith(client, TERMINAL_CLOSE.GOING_AWAY, 'berth is stopping');
      // Each shell's processes are killed before berth lets go of the engine.
      await Promise.all(sessions);
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

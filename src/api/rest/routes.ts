import type { Plugin, YogaLogger } from 'graphql-yoga';
import type { Container } from '../../domain/containers/model.js';
import { isJournaled } from '../../domain/lifecycle/journal.js';
import type { Environments } from '../../domain/environments/environments.js';
import type { LogLine, LogService } from '../../domain/logs/service.js';
import type { AuditLog, AuditResult } from '../../platform/audit/log.js';
import { LOCAL_ENVIRONMENT } from '../../domain/environments/model.js';
import { hasRole, mayUseEnvironment } from '../../platform/auth/principal.js';
import { principalOf } from '../http/authentication.js';
import { validateContainerRef, validateCreateSpec } from '../../domain/lifecycle/validation.js';
import {
  BerthError,
  ERROR_CODES,
  HTTP_ERROR_CODES,
  ForbiddenError,
  InvalidInputError,
  PolicyViolationError,
  type ErrorCode,
  type HttpErrorCode,
} from '../../shared/errors.js';
import { BodyReadError, readBody } from '../http/body.js';
import { eventStream, type ServerSentEvent } from '../http/event-stream.js';
import { fromSeedRequest, toSeedContainer } from './seed-json.js';

/**
 * The original Go tool's endpoints, kept so its clients keep working. Each route translates the
 * seed's JSON to the calls the GraphQL resolvers make, and their typed errors back to HTTP.
 */

/** Answers to creates whose outcome the create journal recorded (src/domain/lifecycle/journal.ts). */
const journaledResponses = new WeakSet<Response>();

class HttpError extends Error {
  constructor(
    readonly code: HttpErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

type Respond = (status: number, body?: unknown, headers?: Record<string, string>) => Response;

/** Keeps at most MAX_BODY_BYTES, refusing early when Content-Length already says more. */
async function readJson(request: Request): Promise<unknown> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(type)) {
    throw new HttpError('UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json');
  }
  let body: Buffer;
  try {
    body = await readBody(request);
  } catch (error) {
    if (error instanceof BodyReadError) throw new HttpError(error.code, error.message);
    throw error;
  }
  const text = body.toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new HttpError('MALFORMED_JSON', `the body is not valid JSON: ${(error as Error).message}`);
  }
}

/** `%` not followed by two hex digits, or escapes that are not UTF-8, are the client's mistake. */
function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new InvalidInputError('id', 'is not a valid percent-encoded path segment');
  }
}

function decodeURIComponentSafe(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function methodNotAllowed(allowed: string[]): never {
  throw new HttpError('METHOD_NOT_ALLOWED', `use ${allowed.join(' or ')}`, { allow: allowed.join(', ') });
}

export interface RestServices {
  /** The shim speaks for the local environment only (the seed's API knew one engine). */
  environments: Environments;
  audit: AuditLog;
}

/** A query parameter as a boolean the way curl users write one: 1/0, true/false. */
function flag(params: URLSearchParams, name: string): boolean | undefined {
  const value = params.get(name);
  if (value === null) return undefined;
  if (/^(1|true|yes)$/i.test(value)) return true;
  if (/^(0|false|no)$/i.test(value)) return false;
  throw new InvalidInputError(name, 'must be 1, 0, true or false');
}

/** RFC 3339, or Unix seconds as `docker logs --since` also takes. */
function time(params: URLSearchParams, name: string): Date | undefined {
  const value = params.get(name);
  if (value === null) return undefined;
  const date = /^\d+(\.\d+)?$/.test(value) ? new Date(Number(value) * 1000) : new Date(value);
  if (Number.isNaN(date.getTime()))
    throw new InvalidInputError(name, 'must be an RFC 3339 time or Unix seconds');
  return date;
}

function whole(params: URLSearchParams, name: string): number | undefined {
  const value = params.get(name);
  if (value === null) return undefined;
  if (!/^-?\d+$/.test(value)) throw new InvalidInputError(name, 'must be a whole number');
  return Number(value);
}

/** `GET /containers/{id}/logs`: lines as JSON, or with `follow=1` as Server-Sent Events until the container stops. */
async function logsRoute(
  request: Request,
  url: URL,
  container: Container,
  logs: LogService,
  respond: Respond,
) {
  if (request.method !== 'GET') return methodNotAllowed(['GET']);
  const params = url.searchParams;
  const query = {
    tail: whole(params, 'tail'),
    since: time(params, 'since'),
    until: time(params, 'until'),
    stdout: flag(params, 'stdout'),
    stderr: flag(params, 'stderr'),
  };
  const seedLine = (line: LogLine) => ({
    stream: line.stream.toLowerCase(),
    at: line.at.toISOString(),
    text: line.text,
  });
  if (!flag(params, 'follow')) return respond(200, (await logs.lines(container, query)).map(seedLine));

  // A client resuming (an EventSource reconnecting sends the last id it saw) gets the lines after
  // that one: read again from its millisecond, those of the millisecond already sent left out.
  const resume = lastEventId(request.headers.get('last-event-id'));
  const ids = new LogEventIds();
  const lines = await logs.follow(
    container,
    resume ? { ...query, tail: undefined, since: new Date(resume.ms) } : query,
  );
  // A plain iterator, not a generator: a generator's return() would wait for the pending next(),
  // which a silent container never answers, and the engine's stream would stay open.
  const events: AsyncIterator<ServerSentEvent> = {
    async next() {
      for (;;) {
        const { value: line, done } = await lines.next();
        if (done) return { value: undefined, done: true };
        const data = JSON.stringify(seedLine(line));
        // berth's own notes (lines dropped for a slow reader) mark no place in the log.
        if (line.stream === 'SYSTEM') return { value: { data }, done: false };
        const id = ids.next(line.at);
        if (resume && LogEventIds.compare(id, resume) <= 0) continue;
        return { value: { id: LogEventIds.format(id), data }, done: false };
      }
    },
    // The client went away: release the engine's stream.
    async return() {
      await lines.return?.();
      return { value: undefined, done: true };
    },
  };
  return new Response(eventStream(events), {
    status: 200,
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' },
  });
}

interface LogEventId {
  ms: number;
  seq: number;
}

/**
 * A followed log line's event id, `<ms>-<n>`: its time in milliseconds since the epoch, and how
 * many lines of that millisecond the stream sent before it (as Redis names stream entries). The
 * engine stamps each line when it reads it, and a stdout line may carry a time a hair before the
 * stderr line sent ahead of it: ids never go back, a line earlier than the last takes the last's
 * millisecond.
 */
class LogEventIds {
  #last: LogEventId = { ms: -1, seq: 0 };

  next(at: Date): LogEventId {
    const ms = Math.max(at.getTime(), this.#last.ms);
    this.#last = { ms, seq: ms === this.#last.ms ? this.#last.seq + 1 : 0 };
    return this.#last;
  }

  static format(id: LogEventId): string {
    return `${id.ms}-${id.seq}`;
  }

  static compare(a: LogEventId, b: LogEventId): number {
    return a.ms - b.ms || a.seq - b.seq;
  }
}

/** `Last-Event-ID` as LogEventIds writes it; anything else is the client's mistake. */
function lastEventId(header: string | null): LogEventId | null {
  if (header === null || header.trim() === '') return null;
  const match = /^(\d{1,15})-(\d{1,9})$/.exec(header.trim());
  if (!match)
    throw new InvalidInputError('Last-Event-ID', 'must be an id this stream sent, such as 1733250000000-0');
  return { ms: Number(match[1]), seq: Number(match[2]) };
}

async function route(request: Request, url: URL, path: string, services: RestServices, respond: Respond) {
  // The local environment's: a token limited to others was refused before the route.
  const { containers, stats, logs } = services.environments.local;
  // The seed's CPU and Memory, from the newest sample (no engine call); null before one exists.
  const render = (container: Container) => {
    const sample = container.status === 'RUNNING' ? stats.look(container.id) : null;
    return toSeedContainer(
      container,
      sample ? { cpu: sample.cpuPercent, memory: sample.memoryUsageBytes } : undefined,
    );
  };
  if (path === '/containers') {
    if (request.method === 'GET') {
      const list = await containers.list();
      return respond(200, list.map(render));
    }
    if (request.method === 'POST') {
      const seed = fromSeedRequest(await readJson(request));
      let spec;
      try {
        spec = validateCreateSpec(seed.input);
      } catch (error) {
        if (!(error instanceof InvalidInputError)) throw error;
        const field = seed.fieldOf(error.field.split('.'));
        throw new InvalidInputError(field, error.message.slice(error.field.length + 2));
      }
      const principal = principalOf(request);
      const created = await containers.create(spec, {
        actor: {
          tokenId: principal?.tokenId ?? null,
          tokenName: principal?.name ?? null,
          action: 'POST /containers',
        },
      });
      // Its intent and outcome are in the audit log already (src/domain/lifecycle/journal.ts).
      const response = respond(201, render(created));
      journaledResponses.add(response);
      return response;
    }
    return methodNotAllowed(['GET', 'POST']);
  }
  const [, , segment = '', sub] = path.split('/');
  const id = validateContainerRef(decodePathSegment(segment));
  if (sub === 'logs') return logsRoute(request, url, containers.get(id), logs, respond);
  if (sub !== undefined) throw new HttpError('ROUTE_NOT_FOUND', `no endpoint ${url.pathname}`);
  switch (request.method) {
    case 'GET':
      return respond(200, render(containers.get(id)));
    case 'POST':
      return respond(200, render(await containers.stop(id)));
    case 'DELETE':
      // As the seed did: a running container is removed too (killed first).
      await containers.remove(id, { force: true, removeVolumes: false });
      return respond(204);
    default:
      return methodNotAllowed(['GET', 'POST', 'DELETE']);
  }
}

export function useRestShim(services: RestServices, log: YogaLogger): Plugin {
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      const path = url.pathname.replace(/\/+$/, '') || '/';
      if (path !== '/containers' && !path.startsWith('/containers/')) return;

      const respond: Respond = (status, body, headers = {}) =>
        body === undefined
          ? new fetchAPI.Response(null, { status, headers })
          : new fetchAPI.Response(JSON.stringify(body), {
              status,
              headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
            });
      const fail = (
        code: ErrorCode | HttpErrorCode,
        message: string,
        extra: { field?: string; headers?: Record<string, string> } = {},
      ) => {
        const status = (
          code in ERROR_CODES ? ERROR_CODES[code as ErrorCode] : HTTP_ERROR_CODES[code as HttpErrorCode]
        ).httpStatus;
        const body = { error: { code, message, ...(extra.field !== undefined && { field: extra.field }) } };
        return respond(status, body, extra.headers);
      };

      // Reading needs viewer, changing needs operator; authentication already ran (useAuthentication).
      const principal = principalOf(request);
      const changes = request.method !== 'GET' && request.method !== 'HEAD';
      const action = `${request.method} ${path.replace(/^\/containers\/[^/]+/, '/containers/{id}')}`;
      const target = path.split('/')[2] ?? null;
      const record = (result: AuditResult) =>
        services.audit.record({
          tokenId: principal?.tokenId ?? null,
          tokenName: principal?.name ?? null,
          action,
          target: target && decodeURIComponentSafe(target),
          result,
        });
      try {
        if (!hasRole(principal, changes ? 'operator' : 'viewer')) {
          record('denied');
          return endResponse(fail('FORBIDDEN', new ForbiddenError(changes ? 'operator' : 'viewer').message));
        }
        // The shim drives the local engine alone: a token limited to other environments may not.
        if (!mayUseEnvironment(principal, LOCAL_ENVIRONMENT)) {
          record('denied');
          const refusal = new ForbiddenError(
            `environment "${LOCAL_ENVIRONMENT}"`,
            'this token is limited to other environments',
          );
          return endResponse(fail('FORBIDDEN', refusal.message));
        }
        if (path.split('/').length > 4) throw new HttpError('ROUTE_NOT_FOUND', `no endpoint ${url.pathname}`);
        const response = await route(request, url, path, services, respond);
        if (changes && !journaledResponses.has(response)) record('ok');
        endResponse(response);
      } catch (error) {
        // A create's failure past its checks is in the audit log already, recorded by the journal.
        const journaled = action === 'POST /containers' && isJournaled(error);
        if (changes && !journaled)
          record(
            `error:${error instanceof BerthError || error instanceof HttpError ? error.code : 'INTERNAL'}`,
          );
        if (error instanceof HttpError) {
          return endResponse(fail(error.code, error.message, { headers: error.headers }));
        }
        if (error instanceof InvalidInputError || error instanceof PolicyViolationError) {
          return endResponse(fail(error.code, error.message, { field: error.field }));
        }
        if (error instanceof BerthError) return endResponse(fail(error.code, error.message));
        log.error(`${request.method} ${url.pathname} failed`, error);
        return endResponse(fail('INTERNAL', 'unexpected error; the server log has the details'));
      }
    },
  };
}

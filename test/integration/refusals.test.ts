import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { ERROR_CODES, HTTP_ERROR_CODES } from '../../src/shared/errors.js';
import { startBerth, type RunningBerth } from '../support/berth.js';
import { recordingLogger } from '../support/log.js';

/**
 * Every refusal of a GraphQL document carries a code from the error catalog, whichever limit or
 * rule it broke; the documented maxima (depth 8, 15 aliases, 20 directives, 2000 tokens, a full
 * auditLog page of 200) pass.
 */

let berth: RunningBerth;
const log = recordingLogger();

beforeAll(async () => {
  berth = await startBerth({}, { logger: log.logger, label: 'refusals' });
});

afterEach(() => {
  // A client's mistake is no fault of berth's: nothing of it reaches the log as an error.
  expect(log.errors()).toEqual([]);
});

afterAll(async () => {
  await berth?.stop();
});

interface Answer {
  status: number;
  body: {
    data?: unknown;
    errors?: { message: string; extensions?: { code?: string } }[];
  };
}

async function post(
  query: string,
  variables?: Record<string, unknown>,
  operationName?: string,
): Promise<Answer> {
  const response = await fetch(`${berth.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query, variables, operationName }),
  });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

function codes(answer: Answer): (string | undefined)[] {
  return (answer.body.errors ?? []).map((error) => error.extensions?.code);
}

/** `{ system { ... on System { ... on System { statsSource } } } }`: `depth` levels, all valid. */
function deepQuery(depth: number): string {
  let selection = 'statsSource';
  for (let level = 2; level < depth; level += 1) selection = `... on System { ${selection} }`;
  return `{ system { ${selection} } }`;
}

/**
 * `operations` operations of 8 tokens each (`query A0 { system { statsSource } }`); the first runs.
 * Distinct operations, as graphql's own budget refuses thousands of copies of one field.
 */
function manyTokens(operations: number): string {
  return Array.from({ length: operations }, (_, i) => `query A${i} { system { statsSource } }`).join('\n');
}

const CATALOG = new Set([...Object.keys(ERROR_CODES), ...Object.keys(HTTP_ERROR_CODES)]);

describe('limits on a document', () => {
  it.each([
    ['depth 9', deepQuery(9)],
    ['16 aliases', `{ ${Array.from({ length: 16 }, (_, i) => `a${i}: system { statsSource }`).join(' ')} }`],
    ['21 directives', `{ system { ${'statsSource @include(if: true) '.repeat(21)} } }`],
    ['2008 tokens', manyTokens(251)],
    [
      'cost over the limit',
      `{ ${Array.from({ length: 3 }, (_, i) => `a${i}: auditLog(first: 200) { entries { action at cursor detail result target tokenId tokenName } endCursor hasNextPage }`).join(' ')} }`,
    ],
  ])('refuses %s with 400 QUERY_TOO_COMPLEX', async (_, query) => {
    const answer = await post(query, {}, query.startsWith('query A0') ? 'A0' : undefined);
    expect(answer.status).toBe(400);
    expect(codes(answer)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(answer.body.errors?.[0]?.message).not.toMatch(/Syntax Error/);
    expect(answer.body.data).toBeUndefined();
  });

  it.each([
    ['depth 8', deepQuery(8)],
    ['15 aliases', `{ ${Array.from({ length: 15 }, (_, i) => `a${i}: system { statsSource }`).join(' ')} }`],
    ['20 directives', `{ system { ${'statsSource @include(if: true) '.repeat(20)} } }`],
    ['2000 tokens', manyTokens(250)],
    [
      'a full auditLog page (first: 200) with every field',
      '{ auditLog(first: 200, filter: { result: "ok" }) { entries { action at cursor detail result target tokenId tokenName } endCursor hasNextPage } }',
    ],
  ])('runs %s, the documented maximum', async (_, query) => {
    const answer = await post(query, {}, query.startsWith('query A0') ? 'A0' : undefined);
    expect(answer.body.errors).toBeUndefined();
    expect(answer.status).toBe(200);
  });
});

describe('other refusals of a document', () => {
  it('reports an Int out of range as what it is (GRAPHQL_VALIDATION_FAILED), not as cost', async () => {
    const answer = await post('{ auditLog(first: 99999999999) { entries { action } } }');
    expect(codes(answer)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(answer.body.errors?.[0]?.message).toMatch(/Int cannot represent/);
  });

  it('carries INVALID_VARIABLES for variables that do not fit their types', async () => {
    for (const variables of [{ n: 'abc' }, { n: 99999999999 }, {}]) {
      const answer = await post('query($n: Int!) { auditLog(first: $n) { entries { action } } }', variables);
      expect(codes(answer), JSON.stringify(variables)).toEqual(['INVALID_VARIABLES']);
      expect(answer.body.data).toBeUndefined();
    }
  });

  it('carries catalog codes for syntax errors, unknown fields and unknown operations', async () => {
    const answers = await Promise.all([
      post('{ system { '),
      post('{ nope }'),
      post('query A { system { statsSource } } query B { system { statsSource } }'),
    ]);
    expect(answers.map(codes)).toEqual([
      ['GRAPHQL_PARSE_FAILED'],
      ['GRAPHQL_VALIDATION_FAILED'],
      ['OPERATION_RESOLUTION_FAILURE'],
    ]);
    for (const answer of answers) {
      for (const code of codes(answer)) expect(CATALOG).toContain(code);
    }
  });
});

describe('subscriptions refused over Server-Sent Events', () => {
  it('carries INVALID_VARIABLES for variables that do not fit, as queries do', async () => {
    const response = await fetch(`${berth.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({
        query: 'subscription($id: String!) { containerStats(id: $id) { cpuPercent } }',
        variables: { id: 5 },
      }),
    });
    const text = await response.text();
    expect(response.status).toBeLessThan(500);
    expect(text).toMatch(/"code":"INVALID_VARIABLES"/);
  });

  it.each([
    ['containerStats', 'subscription { containerStats(id: "berth-no-such-container") { cpuPercent } }'],
    ['containerLogs', 'subscription { containerLogs(id: "berth-no-such-container") { text } }'],
  ])(
    'answers %s of an unknown container with the typed NOT_FOUND in a 2xx stream, as over WebSocket',
    async (_, query) => {
      const response = await fetch(`${berth.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ query }),
      });
      const text = await response.text();
      expect(response.status, text).toBe(200);
      const events = text
        .split('\n')
        .filter((line) => line.startsWith('data: {'))
        .map((line) => JSON.parse(line.slice('data: '.length)) as Answer['body']);
      expect(events).toEqual([
        expect.objectContaining({ errors: [expect.objectContaining({ extensions: { code: 'NOT_FOUND' } })] }),
      ]);
      expect(text).toMatch(/^event: complete$/m);
    },
  );
});

/** A graphql-transport-ws session spoken by hand, to see every message and how the socket ends. */
interface Session {
  send(message: Record<string, unknown>): void;
  /** The next message for operation `id` (or of `type`), within 10 s. */
  next(id: string): Promise<{ id?: string; type: string; payload?: unknown }>;
  closed: { code: number; reason: string } | null;
  close(): void;
}

async function openSession(): Promise<Session> {
  const socket = new WebSocket(`${berth.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
  const inbox: { id?: string; type: string; payload?: unknown }[] = [];
  const waiters: { id: string; resolve: (message: (typeof inbox)[number]) => void }[] = [];
  const session: Session = {
    closed: null,
    send: (message) => socket.send(JSON.stringify(message)),
    next(id) {
      const at = inbox.findIndex((message) => (message.id ?? message.type) === id);
      if (at >= 0) return Promise.resolve(inbox.splice(at, 1)[0]!);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no message for ${id} within 10 s`)), 10_000);
        waiters.push({
          id,
          resolve: (message) => {
            clearTimeout(timer);
            resolve(message);
          },
        });
      });
    },
    close: () => socket.close(),
  };
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as (typeof inbox)[number];
    const at = waiters.findIndex((waiter) => waiter.id === (message.id ?? message.type));
    if (at >= 0) waiters.splice(at, 1)[0]!.resolve(message);
    else inbox.push(message);
  });
  socket.on('close', (code, reason) => (session.closed = { code, reason: String(reason) }));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  session.send({ type: 'connection_init' });
  expect((await session.next('connection_ack')).type).toBe('connection_ack');
  return session;
}

describe('a malformed subscribe over WebSocket', () => {
  it.each([
    ['a syntax error', { query: 'subscription { containerEvents { ' }, 'GRAPHQL_PARSE_FAILED'],
    ['an unknown field', { query: 'subscription { nope }' }, 'GRAPHQL_VALIDATION_FAILED'],
    [
      'too deep',
      {
        query: `subscription { containerEvents { ${'... on ContainerEvent { '.repeat(9)}cursor${' }'.repeat(9)} } }`,
      },
      'QUERY_TOO_COMPLEX',
    ],
    ['too many tokens', { query: manyTokens(251), operationName: 'A0' }, 'QUERY_TOO_COMPLEX'],
    [
      'two operations and no operationName',
      { query: 'query A { system { statsSource } } query B { system { statsSource } }' },
      'OPERATION_RESOLUTION_FAILURE',
    ],
    [
      'an operationName the document lacks',
      { query: 'query A { system { statsSource } }', operationName: 'Nope' },
      'OPERATION_RESOLUTION_FAILURE',
    ],
    [
      'a variable of the wrong type',
      {
        query: 'subscription($id: String!) { containerStats(id: $id) { cpuPercent } }',
        variables: { id: 5 },
      },
      'INVALID_VARIABLES',
    ],
    [
      'a required variable missing',
      { query: 'subscription($id: String!) { containerStats(id: $id) { cpuPercent } }', variables: {} },
      'INVALID_VARIABLES',
    ],
  ])(
    'gets an error message for that operation alone (%s); the connection and its other subscriptions go on',
    async (_, payload, code) => {
      const consoleError = vi.spyOn(console, 'error');
      const session = await openSession();
      try {
        session.send({
          id: 'events',
          type: 'subscribe',
          payload: {
            query: 'subscription { containerEvents(filter: { types: [CREATE] }) { type containerId } }',
          },
        });
        session.send({ id: 'bad', type: 'subscribe', payload });
        const answer = await session.next('bad');
        expect(answer).toMatchObject({ type: 'error', payload: [{ extensions: { code } }] });
        expect(JSON.stringify(answer.payload)).not.toMatch(/"http"|Syntax Error: (Query|Token|Aliases)/);

        // The same connection still answers, and the events subscription still delivers.
        session.send({ id: 'query', type: 'subscribe', payload: { query: '{ system { statsSource } }' } });
        expect(await session.next('query')).toMatchObject({
          type: 'next',
          payload: { data: { system: {} } },
        });
        // Other test files share the engine: their containers' events come through too.
        const created = await berth.create({ command: ['true'], start: false });
        try {
          let event: { payload?: unknown };
          do event = await session.next('events');
          while (
            (event.payload as { data?: { containerEvents?: { containerId?: string } } }).data?.containerEvents
              ?.containerId !== created.id
          );
          expect(event).toMatchObject({
            type: 'next',
            payload: { data: { containerEvents: { type: 'CREATE' } } },
          });
        } finally {
          await fetch(`${berth.url}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              query: 'mutation($id: String!) { removeContainer(id: $id, force: true) { __typename } }',
              variables: { id: created.id },
            }),
          });
        }
        expect(session.closed).toBeNull();
        expect(consoleError).not.toHaveBeenCalled();
      } finally {
        session.close();
        consoleError.mockRestore();
      }
    },
  );
});

import { print } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import WebSocket from 'ws';
import { startBerth, uniqueName, type RunningBerth } from '../support/berth.js';
import {
  ContainerStatsSubscription,
  CreateContainer,
  ListContainers,
  RemoveContainer,
} from '../support/operations/index.js';

let berth: RunningBerth;
let client: Client;

beforeAll(async () => {
  berth = await startBerth();
  client = createClient({
    url: `${berth.url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
  });
});

afterAll(async () => {
  await client?.dispose();
  await berth?.stop();
});

describe('GraphQL over WebSocket (graphql-ws)', () => {
  it('answers queries and mutations with the same schema, errors and masking as HTTP', async () => {
    const name = uniqueName('ws');
    const invalid = await client
      .iterate({
        query: print(CreateContainer),
        variables: { input: { name: '-bad', image: inject('testImage') } },
      })
      .next();
    expect(invalid.value).toMatchObject({
      data: {
        createContainer: { __typename: 'InvalidInputError', code: 'INVALID_INPUT', field: 'input.name' },
      },
    });

    const listed = await client
      .iterate({ query: print(ListContainers), variables: { filter: { name } } })
      .next();
    expect(listed.value).toEqual({ data: { containers: [] } });
  });
});

describe('subscriptions over Server-Sent Events (as Yoga serves them)', () => {
  it('streams containerStats samples as text/event-stream', async () => {
    const { createContainer } = await berth.query(CreateContainer, {
      input: {
        name: uniqueName('sse'),
        image: inject('testImage'),
        command: ['sleep', '300'],
        labels: [{ name: 'berth.test', value: 'transports' }],
      },
    });
    if (createContainer.__typename !== 'CreateContainerSuccess')
      throw new Error(JSON.stringify(createContainer));
    const id = createContainer.container.id;
    const abort = new AbortController();
    try {
      const response = await fetch(`${berth.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ query: print(ContainerStatsSubscription), variables: { id } }),
        signal: abort.signal,
      });
      expect(response.headers.get('content-type')).toContain('text/event-stream');
      const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
      let text = '';
      while (!/^data: .*"containerStats"/m.test(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended: ${text}`);
        text += value;
      }
      const line = text.split('\n').find((l) => l.startsWith('data: ') && l.includes('containerStats'))!;
      expect(JSON.parse(line.slice('data: '.length))).toMatchObject({
        data: { containerStats: { containerId: id } },
      });
    } finally {
      abort.abort();
      await berth.graphql(RemoveContainer, { id, force: true });
    }
  });
});

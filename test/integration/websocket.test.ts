import { print } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import WebSocket from 'ws';
import { startBerth, uniqueName, type RunningBerth } from '../support/berth.js';
import { CreateContainer, ListContainers } from '../support/operations.js';

let berth: RunningBerth;
let client: Client;

beforeAll(async () => {
  berth = await startBerth();
  client = createClient({ url: `${berth.url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0 });
});

afterAll(async () => {
  await client?.dispose();
  await berth?.stop();
});

describe('GraphQL over WebSocket (graphql-ws)', () => {
  it('answers queries and mutations with the same schema, errors and masking as HTTP', async () => {
    const name = uniqueName('ws');
    const invalid = await client.iterate({
      query: print(CreateContainer),
      variables: { input: { name: '-bad', image: inject('testImage') } },
    }).next();
    expect(invalid.value).toMatchObject({
      data: { createContainer: { __typename: 'InvalidInputError', code: 'INVALID_INPUT', field: 'input.name' } },
    });

    const listed = await client.iterate({ query: print(ListContainers), variables: { filter: { name } } }).next();
    expect(listed.value).toEqual({ data: { containers: [] } });
  });
});

import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { inject } from 'vitest';
import { startBerth, type BerthClient, type RunningBerth } from '../support/berth.js';
import { ImagePullProgressSubscription } from '../support/operations/images.js';
import { SystemQuery } from '../support/operations/system.js';
import { subscribe } from '../support/subscriptions.js';

/**
 * berth under BERTH_BASE_PATH=/berth, as a reverse proxy that keeps its prefix sees it: every
 * route answers under the prefix (GraphQL over HTTP, graphql-ws and SSE, the REST shim, /healthz,
 * /metrics, GraphiQL's page, the dashboard) and nothing outside it. `berth.url` ends with the prefix.
 */

let berth: RunningBerth;
let viewer: BerthClient;
let origin: string;

beforeAll(async () => {
  berth = await startBerth({ BERTH_AUTH: 'on', BERTH_BASE_PATH: '/berth/' }, { label: 'base-path' });
  viewer = berth.asRole('viewer', 'base-path');
  origin = new URL(berth.url).origin;
});

afterAll(async () => {
  await berth?.stop();
});

/** A WebSocket upgrade to `path`: the status berth answers, or 101 once it opened. */
function upgradeStatus(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${origin.replace(/^http/, 'ws')}${path}`, 'graphql-transport-ws');
    socket.once('open', () => {
      socket.close();
      resolve(101);
    });
    socket.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.once('error', reject);
  });
}

describe('BERTH_BASE_PATH=/berth', () => {
  it('serves GraphQL over HTTP, the REST shim, /healthz and /metrics under the prefix', async () => {
    expect(berth.url).toBe(`${origin}/berth`);
    const { system } = await viewer.query(SystemQuery);
    expect(system.engine.up).toBe(true);

    const list = await viewer.fetch('/containers');
    expect(list.status).toBe(200);
    expect(Array.isArray(await list.json())).toBe(true);

    const health = await fetch(`${origin}/berth/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', engine: 'up' });

    const metrics = await viewer.fetch('/metrics');
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('# TYPE');
  });

  it('runs a subscription over graphql-ws at /berth/graphql', async () => {
    const subscription = subscribe(viewer.ws(), ImagePullProgressSubscription, {
      reference: inject('testImage'),
    });
    // An image the engine has is DONE at once.
    expect((await subscription.next()).imagePullProgress.state).toBe('DONE');
    subscription.unsubscribe();
  });

  it('runs a subscription over SSE at /berth/graphql', async () => {
    const response = await viewer.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({
        query: 'subscription ($r: String!) { imagePullProgress(reference: $r) { state } }',
        variables: { r: inject('testImage') },
      }),
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    // An image the engine has: DONE, and the stream ends.
    expect(await response.text()).toMatch(/id: 1\nevent: next\ndata: .*"state":"DONE"/);
  });

  it('answers 404 outside the prefix, on every route and the WebSocket', async () => {
    for (const path of [
      '/graphql',
      '/healthz',
      '/metrics',
      '/containers',
      '/',
      '/assets/index.js',
      '/berthx/healthz',
    ]) {
      const response = await fetch(`${origin}${path}`, {
        headers: { authorization: `Bearer ${viewer.token}`, accept: 'text/html' },
      });
      expect(response.status, path).toBe(404);
      expect(await response.json(), path).toMatchObject({ error: { code: 'ROUTE_NOT_FOUND' } });
    }
    const post = await fetch(`${origin}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${viewer.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ system { statsSource } }' }),
    });
    expect(post.status).toBe(404);
    expect(await upgradeStatus('/graphql')).not.toBe(101);
    expect(await upgradeStatus('/berth/graphql')).toBe(101);
  });

  it('sends /berth to /berth/, where the dashboard and its relative asset URLs live', async () => {
    const redirect = await new Promise<{ status: number; location: string | undefined }>(
      (resolve, reject) => {
        httpRequest(`${origin}/berth?x=1`, (response) => {
          response.resume();
          resolve({ status: response.statusCode ?? 0, location: response.headers.location });
        })
          .once('error', reject)
          .end();
      },
    );
    expect(redirect).toEqual({ status: 308, location: '/berth/?x=1' });
    const page = await fetch(`${origin}/berth/`);
    // 503 when this checkout's dashboard is not built; the e2e test loads the built one.
    expect([200, 503]).toContain(page.status);
    if (page.status === 200) {
      const html = await page.text();
      expect(html).toMatch(/src="\.\/assets\/[^"]+\.js"/);
      const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)![1]!;
      expect((await fetch(`${origin}/berth/${script}`)).status).toBe(200);
    }
  });
});

describe("GraphiQL's page under the prefix", () => {
  it('points at the prefixed endpoint', async () => {
    const page = await fetch(`${origin}/berth/graphql`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('"endpoint":"/berth/graphql"');
  });

  it('loads again on a reload, with the query GraphiQL wrote into its URL', async () => {
    const query = encodeURIComponent('{ system { statsSource } }');
    // As Chromium asks for a page it reloads.
    const accept = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
    const page = await fetch(`${origin}/berth/graphql?query=${query}&variables=%7B%7D`, {
      headers: { accept },
    });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain('berth GraphiQL');
    expect(html).not.toContain('statsSource":');
  });

  it('runs no GraphQL GET without a token, whatever it accepts', async () => {
    const query = encodeURIComponent('{ __typename system { statsSource } }');
    for (const accept of ['application/json', 'application/graphql-response+json', '*/*']) {
      const response = await fetch(`${origin}/berth/graphql?query=${query}`, {
        headers: { accept, 'x-graphql-yoga-csrf': '1' },
      });
      expect(response.status, accept).toBe(401);
      const body = await response.json();
      expect(body.data, accept).toBeUndefined();
      expect(body.errors[0].extensions.code, accept).toBe('UNAUTHENTICATED');
    }
    // With a token it runs, so the refusal above is the token's.
    const allowed = await viewer.fetch(`/graphql?query=${query}`, {
      headers: { accept: 'application/json', 'x-graphql-yoga-csrf': '1' },
    });
    expect((await allowed.json()).data.system.statsSource).toBeTruthy();
  });

  it('with GraphiQL off, a GET accepting HTML needs a token like any other', async () => {
    const off = await startBerth({ BERTH_AUTH: 'on', BERTH_BASE_PATH: '/berth', BERTH_GRAPHIQL: 'off' });
    try {
      const query = encodeURIComponent('{ __typename }');
      for (const path of ['/berth/graphql', `/berth/graphql?query=${query}`]) {
        const response = await fetch(`${new URL(off.url).origin}${path}`, {
          headers: { accept: 'text/html', 'x-graphql-yoga-csrf': '1' },
        });
        expect(response.status, path).toBe(401);
        expect(await response.text(), path).not.toContain('__typename":');
      }
    } finally {
      await off.stop();
    }
  });
});

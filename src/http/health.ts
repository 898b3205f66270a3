import type { Plugin } from 'graphql-yoga';
import type { DockerEngine } from '../docker/engine.js';

/**
 * `GET /healthz`: berth itself answers, and says whether the engine does. The server is "ok" while
 * the engine is down, because it keeps serving and recovers on its own when the engine returns.
 */
export function useHealthCheck(engine: DockerEngine): Plugin {
  return {
    async onRequest({ url, request, endResponse, fetchAPI }) {
      if (url.pathname !== '/healthz' || request.method !== 'GET') return;
      const up = await engine.ping();
      endResponse(fetchAPI.Response.json({ status: 'ok', engine: up ? 'up' : 'down' }));
    },
  };
}

import type { Plugin } from 'graphql-yoga';
import type { SystemStatus } from '../../domain/system/status.js';

/**
 * `GET /healthz`: berth itself answers, and says whether the engine does and where stats come
 * from. The server is "ok" while the engine is down: it keeps serving and recovers on its own.
 */
export function useHealthCheck(system: SystemStatus): Plugin {
  return {
    async onRequest({ url, request, endResponse, fetchAPI }) {
      if (url.pathname !== '/healthz' || request.method !== 'GET') return;
      const report = await system.report();
      // Open to anyone, so it says up or down and, when down, the reason's name (PERMISSION_DENIED,
      // NOT_FOUND…), never paths or addresses; the `system` query (viewer) tells the rest.
      const { up, reason } = report.engine;
      endResponse(
        fetchAPI.Response.json(
          up ? { status: 'ok', engine: 'up' } : { status: 'ok', engine: 'down', reason },
        ),
      );
    },
  };
}

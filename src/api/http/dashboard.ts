import { open } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'graphql-yoga';
import { tokenInUrl } from './authentication.js';

/** Where `npm run build` (vite, web/vite.config.ts) writes the dashboard. */
export const DASHBOARD_DIR = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json; charset=utf-8',
};

/**
 * The page may talk to berth alone (same origin, the WebSocket included) and load nothing from
 * elsewhere; uPlot sizes its elements with inline styles.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "style-src 'self' 'unsafe-inline'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Vite names each built file after its content (`index-CmlPxgXT.js`), and only such a plain name
 * is looked up: no slash, no leading dot, so nothing outside the assets folder can be reached.
 */
const ASSET_NAME = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/;

/**
 * The web dashboard at `/` (index.html, never cached) and `/assets/*` (content-hashed, cached
 * for a year). Open, like GraphiQL's page: it holds no data, and everything it shows comes from
 * /graphql with the token the user types in. A request whose URL carries a credential falls
 * through, to be refused (TOKEN_IN_URL) and audited by authentication.
 */
export function useDashboard(dir: string = DASHBOARD_DIR): Plugin {
  const assets = join(dir, 'assets');
  return {
    async onRequest({ url, request, endResponse, fetchAPI }) {
      if (request.method !== 'GET' && request.method !== 'HEAD') return;
      let file: string;
      let cacheControl: string;
      const page = url.pathname === '/' || url.pathname === '/index.html';
      if (page) {
        file = join(dir, 'index.html');
        cacheControl = 'no-cache';
      } else if (url.pathname.startsWith('/assets/')) {
        const name = url.pathname.slice('/assets/'.length);
        if (!ASSET_NAME.test(name)) return;
        file = join(assets, name);
        cacheControl = 'public, max-age=31536000, immutable';
      } else {
        return;
      }
      if (tokenInUrl(url)) return;

      const headers: Record<string, string> = {
        'cache-control': cacheControl,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
      };
      const found = await readWhole(file);
      if (!found) {
        if (!page) return; // a name no build made: the ordinary 404
        headers['content-type'] = 'text/plain; charset=utf-8';
        headers['cache-control'] = 'no-store';
        endResponse(
          new fetchAPI.Response(
            'The dashboard is not built: run `npm run build` (npm start does it first).\n',
            {
              status: 503,
              headers,
            },
          ),
        );
        return;
      }
      const { body, modified } = found;
      const type = CONTENT_TYPES[extname(file)] ?? 'application/octet-stream';
      headers['content-type'] = type;
      if (type.startsWith('text/html')) {
        headers['content-security-policy'] = CONTENT_SECURITY_POLICY;
        headers['x-frame-options'] = 'DENY';
      }
      const etag = `W/"${body.length.toString(16)}-${modified.getTime().toString(16)}"`;
      headers['etag'] = etag;
      if (request.headers.get('if-none-match') === etag) {
        endResponse(new fetchAPI.Response(null, { status: 304, headers }));
        return;
      }
      headers['content-length'] = String(body.length);
      endResponse(
        new fetchAPI.Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
          status: 200,
          headers,
        }),
      );
    },
  };
}

/** The file and when it changed, read through one handle; null when there is no such file. */
async function readWhole(file: string): Promise<{ body: Buffer; modified: Date } | null> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) return null;
    return { body: await handle.readFile(), modified: info.mtime };
  } finally {
    await handle.close();
  }
}

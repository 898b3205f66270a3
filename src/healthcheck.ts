// `node dist/healthcheck.js`: the container image's HEALTHCHECK. Asks this berth's own `/healthz`
// over loopback with the same configuration the server read, so a port, TLS or base path
// setting changes both at once. Exit 0 when berth answers 200, 1 otherwise (Docker's contract). Plain
// node with no shell or curl, because the runtime image has neither.

import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { loadConfig } from './platform/config.js';

const config = loadConfig();
// A wildcard listener is reached on loopback; a listener on one address only there.
const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
const request = config.tls ? httpsRequest : httpRequest;

const req = request(
  {
    host,
    port: config.port,
    path: `${config.http.basePath}/healthz`,
    timeout: 5000,
    // Its own certificate, named for the public host rather than loopback.
    rejectUnauthorized: false,
  },
  (response) => {
    response.resume();
    process.exit(response.statusCode === 200 ? 0 : 1);
  },
);
req.on('timeout', () => req.destroy(new Error('no answer within 5 s')));
req.on('error', (error) => {
  console.error(`berth healthcheck: ${error.message}`);
  process.exit(1);
});
req.end();

import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './platform/config.js';
import { createLogger, jsonLine } from './platform/logging.js';

let config;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`berth: ${error.message}`);
  process.exit(2);
}

const log = createLogger({ level: config.logLevel, format: config.logFormat });
const app = buildApp(config, { logger: log });
if (config.auth.enabled) {
  const admin = app.tokens.ensureAdmin({ adminToken: config.adminToken });
  if (admin.outcome === 'created') {
    // Shown once, here, whatever LOG_LEVEL; berth keeps only its hash. With LOG_FORMAT=json as one line.
    if (config.logFormat === 'json') {
      const message = `no admin token existed, so one was made; keep it now, it is not shown again: ${admin.token}`;
      process.stdout.write(jsonLine('info', [message], new Date()));
    } else {
      console.log(
        `\nberth: no admin token existed, so one was made. Keep it now, it is not shown again:\n\n  ${admin.token}\n\n` +
          `Send it as "Authorization: Bearer <token>"; make others with npm run token -- create --name NAME --role viewer|operator|admin\n`,
      );
    }
  }
} else {
  log.warn(
    `authentication is OFF (BERTH_AUTH=off): anyone who can reach berth controls the Docker host, so it listens on ${config.host} only`,
  );
}
const { url } = await app.start();
log.info(`berth listening on ${url} (GraphQL and GraphiQL at ${url}/graphql), engine ${config.dockerHost}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log.info(`${signal}: shutting down`);
    app.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error('shutdown failed', error);
        process.exit(1);
      },
    );
  });
}

import { createLogger } from 'graphql-yoga';
import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';

let config;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`berth: ${error.message}`);
  process.exit(2);
}

const log = createLogger(config.logLevel);
const app = buildApp(config, { logger: log });
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

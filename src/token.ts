// `npm run token -- create|create-deploy|list|revoke|generate`: manages API tokens in the database under
// BERTH_DATA_DIR, with the same configuration and services as the server (which may be running).
// Exit codes: 0 done, 1 it failed (no such token, database error), 2 the command was wrong.

import { parseArgs } from 'node:util';
import {
  DEPLOY_OPERATIONS,
  generateToken,
  ROLES,
  TokenService,
  type DeployOperation,
  type Role,
  type TokenRecord,
} from './platform/auth/tokens.js';
import { EnvironmentStore } from './domain/environments/store.js';
import { LOCAL_ENVIRONMENT } from './domain/environments/model.js';
import { ConfigError, loadConfig, type Config } from './platform/config.js';
import { BerthError, EnvironmentNotFoundError, InvalidInputError } from './shared/errors.js';
import { BerthDatabase } from './platform/store/database.js';

const USAGE = `usage: npm run token -- <command>

  create --name <name> --role <${ROLES.join('|')}> [--environments <name,name>]
      makes a token and prints it, once, on standard output (details on standard error);
      --environments limits it to those environments (Docker hosts), by name
  create-deploy --name <name> --operation <${DEPLOY_OPERATIONS.join('|')}> --target <stack or container name>
                [--environment <name>]
      makes a deploy token, whose only power is that operation on that target; printed once;
      it is limited to the target's environment (default local)
  list [--json]
      every token: id, name, role or deploy scope, created, last used, revoked; never a secret
  revoke <id|name>
      revokes the token with that id, or the active token with that name
  generate
      prints a new token without storing it, for BERTH_ADMIN_TOKEN

The database is berth.db in BERTH_DATA_DIR (default ./data).`;

class UsageError extends Error {}

function main(argv: string[]): number {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    (command === undefined ? console.error : console.log)(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command === 'generate') {
    parse(rest, {});
    console.log(generateToken());
    return 0;
  }
  const run = COMMANDS[command];
  if (!run) throw new UsageError(`unknown command "${command}"`);

  const config = loadConfig();
  const db = BerthDatabase.open({ dataDir: config.dataDir });
  try {
    return run(new TokenService(db), rest, () => environmentNames(config, db));
  } finally {
    db.close();
  }
}

/** The environments berth knows, as the server does: `local`, the file's, the stored ones. */
function environmentNames(config: Config, db: BerthDatabase): Set<string> {
  return new Set([
    LOCAL_ENVIRONMENT,
    ...config.environments.map((environment) => environment.name),
    ...new EnvironmentStore(db).list().map((environment) => environment.name),
  ]);
}

type Command = (tokens: TokenService, args: string[], environments: () => Set<string>) => number;

const COMMANDS: Record<string, Command> = {
  create(tokens, args, knownEnvironments) {
    const { values } = parse(args, {
      name: { type: 'string' },
      role: { type: 'string' },
      environments: { type: 'string' },
    });
    if (values['name'] === undefined) throw new UsageError('create needs --name');
    if (values['role'] === undefined) throw new UsageError(`create needs --role (${ROLES.join(', ')})`);
    const environments =
      values['environments'] === undefined
        ? null
        : String(values['environments'])
            .split(',')
            .map((name) => name.trim())
            .filter((name) => name !== '');
    const known = environments === null ? undefined : knownEnvironments();
    const unknown = environments?.find((name) => !known?.has(name));
    if (unknown !== undefined) throw new EnvironmentNotFoundError(unknown);
    const { token, record } = tokens.create({
      name: String(values['name']),
      role: String(values['role']) as Role,
      environments,
    });
    const limit = record.environments ? `, limited to ${record.environments.join(', ')}` : '';
    console.error(
      `created token ${record.id} "${record.name}" (${record.role}${limit}); this is the only time it is shown:`,
    );
    console.log(token);
    return 0;
  },

  'create-deploy'(tokens, args, knownEnvironments) {
    const { values } = parse(args, {
      name: { type: 'string' },
      operation: { type: 'string' },
      target: { type: 'string' },
      environment: { type: 'string' },
    });
    for (const option of ['name', 'operation', 'target']) {
      if (values[option] === undefined) throw new UsageError(`create-deploy needs --${option}`);
    }
    const environment =
      values['environment'] === undefined ? LOCAL_ENVIRONMENT : String(values['environment']);
    if (!knownEnvironments().has(environment)) throw new EnvironmentNotFoundError(environment);
    const { token, record } = tokens.createDeploy({
      name: String(values['name']),
      operation: String(values['operation']) as DeployOperation,
      target: String(values['target']),
      environment,
    });
    console.error(
      `created deploy token ${record.id} "${record.name}" (${scopeText(record)}); this is the only time it is shown:`,
    );
    console.log(token);
    return 0;
  },

  list(tokens, args) {
    const { values } = parse(args, { json: { type: 'boolean' } });
    const records = tokens.list();
    if (values['json']) {
      console.log(JSON.stringify(records, null, 2));
      return 0;
    }
    if (records.length === 0) {
      console.error('no tokens');
      return 0;
    }
    const rows = [
      ['ID', 'NAME', 'ROLE', 'CREATED', 'LAST USED', 'REVOKED'],
      ...records.map((record) => [
        record.id,
        record.name,
        scopeText(record),
        time(record.createdAt),
        time(record.lastUsedAt),
        time(record.revokedAt),
      ]),
    ];
    const widths =
      rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
    for (const row of rows) {
      console.log(
        row
          .map((cell, column) => cell.padEnd(widths[column] ?? 0))
          .join('  ')
          .trimEnd(),
      );
    }
    return 0;
  },

  revoke(tokens, args) {
    const { positionals } = parse(args, {}, true);
    const [reference, ...extra] = positionals;
    if (reference === undefined || extra.length > 0)
      throw new UsageError('revoke needs one token id or name');
    const record: TokenRecord = tokens.revoke(reference);
    console.log(
      `revoked token ${record.id} "${record.name}" (${scopeText(record)}) at ${time(record.revokedAt)}`,
    );
    return 0;
  },
};

function parse(
  args: string[],
  options: NonNullable<Parameters<typeof parseArgs>[0]>['options'],
  allowPositionals = false,
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    const parsed = parseArgs({ args, options: options ?? {}, allowPositionals, strict: true });
    return {
      values: parsed.values as Record<string, string | boolean | undefined>,
      positionals: parsed.positionals,
    };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** The role (and the environments it is limited to), or a deploy token's scope: `deploy REDEPLOY_STACK shop`. */
function scopeText(record: TokenRecord): string {
  if (record.scope) return `deploy ${record.scope.operation} ${record.scope.target}`;
  return record.environments ? `${record.role} in ${record.environments.join(',')}` : record.role;
}

function time(value: Date | null): string {
  return value === null ? '-' : value.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError) {
    console.error(`token: ${error.message}\n\n${USAGE}`);
    process.exitCode = 2;
  } else if (error instanceof ConfigError || error instanceof InvalidInputError) {
    console.error(`token: ${error.message}`);
    process.exitCode = 2;
  } else if (error instanceof BerthError) {
    console.error(`token: ${error.message}`);
    process.exitCode = 1;
  } else {
    console.error('token: failed:', error);
    process.exitCode = 1;
  }
}

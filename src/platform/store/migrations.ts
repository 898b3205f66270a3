import type Sqlite from 'better-sqlite3';

/**
 * One step of berth's database schema. Steps run once each, in version order, each in its own
 * transaction, and are recorded in `schema_migrations`. A shipped step is never edited: a later
 * change is a new step appended with the next version.
 */
export interface Migration {
  version: number;
  name: string;
  /** SQL to run, or a function for a step that must read data to transform it. */
  up: string | ((db: Sqlite.Database) => void);
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'api tokens',
    // Only the SHA-256 of a token is kept. Names are unique among active tokens, so one can be
    // revoked by name and the name used again afterwards.
    up: `
      CREATE TABLE api_tokens (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
        hash BLOB NOT NULL CHECK (length(hash) = 32),
        source TEXT NOT NULL CHECK (source IN ('created', 'generated', 'environment')),
        created_at INTEGER NOT NULL,
        last_used_at INTEGER,
        revoked_at INTEGER
      ) STRICT;
      CREATE UNIQUE INDEX api_tokens_active_name ON api_tokens (name) WHERE revoked_at IS NULL;
    `,
  },
  {
    version: 2,
    name: 'audit log',
    // Pages run newest first on (at, id); each filter has an index that ends in the same order.
    up: `
      CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        token_id TEXT,
        token_name TEXT,
        action TEXT NOT NULL,
        target TEXT,
        result TEXT NOT NULL,
        detail TEXT
      ) STRICT;
      CREATE INDEX audit_log_at ON audit_log (at, id);
      CREATE INDEX audit_log_token ON audit_log (token_id, at, id);
      CREATE INDEX audit_log_action ON audit_log (action, at, id);
      CREATE INDEX audit_log_result ON audit_log (result, at, id);
    `,
  },
  {
    version: 3,
    name: 'create policy',
    // One row: the admin's create policy as JSON, validated by src/domain/policy on the way in and out.
    up: `
      CREATE TABLE create_policy (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        policy TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 4,
    name: 'stats history',
    // Times are milliseconds since the epoch. Each tick goes to stats_recent, clustered by time so
    // that it fills a few pages at one end; completed minutes move to stats_samples (clustered by
    // container, for range reads) and stats_minutes (sums and counts per minute). Rows name a
    // container by a small series id. Why this layout: src/domain/history/store.ts.
    up: `
      CREATE TABLE stats_series (
        id INTEGER PRIMARY KEY,
        container_id TEXT NOT NULL UNIQUE
      ) STRICT;
      CREATE TABLE stats_recent (
        at INTEGER NOT NULL,
        series INTEGER NOT NULL,
        cpu_percent REAL,
        memory_usage_bytes INTEGER NOT NULL,
        memory_percent REAL NOT NULL,
        memory_limit_bytes INTEGER NOT NULL,
        network_rx_bytes INTEGER NOT NULL,
        network_tx_bytes INTEGER NOT NULL,
        block_read_bytes INTEGER NOT NULL,
        block_write_bytes INTEGER NOT NULL,
        pids INTEGER NOT NULL,
        PRIMARY KEY (at, series)
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE stats_samples (
        series INTEGER NOT NULL,
        at INTEGER NOT NULL,
        cpu_percent REAL,
        memory_usage_bytes INTEGER NOT NULL,
        memory_percent REAL NOT NULL,
        memory_limit_bytes INTEGER NOT NULL,
        network_rx_bytes INTEGER NOT NULL,
        network_tx_bytes INTEGER NOT NULL,
        block_read_bytes INTEGER NOT NULL,
        block_write_bytes INTEGER NOT NULL,
        pids INTEGER NOT NULL,
        PRIMARY KEY (series, at)
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE stats_minutes (
        series INTEGER NOT NULL,
        minute INTEGER NOT NULL,
        samples INTEGER NOT NULL,
        cpu_sum REAL NOT NULL,
        cpu_samples INTEGER NOT NULL,
        memory_usage_sum INTEGER NOT NULL,
        memory_percent_sum REAL NOT NULL,
        last_at INTEGER NOT NULL,
        memory_limit_bytes INTEGER NOT NULL,
        network_rx_bytes INTEGER NOT NULL,
        network_tx_bytes INTEGER NOT NULL,
        block_read_bytes INTEGER NOT NULL,
        block_write_bytes INTEGER NOT NULL,
        pids INTEGER NOT NULL,
        PRIMARY KEY (series, minute)
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    version: 5,
    name: 'alert rules',
    // The webhook secret is kept as given: berth signs with it, so it cannot be a hash. The file
    // is 0600 in a 0700 directory, as for everything else here. Parameters a kind does not take
    // are NULL; src/domain/alerts validates the combination on the way in.
    up: `
      CREATE TABLE alert_rules (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('CPU_ABOVE', 'MEMORY_ABOVE', 'UNHEALTHY', 'RESTART_LOOP', 'OOM_KILLED', 'EXITED_NON_ZERO')),
        threshold_percent REAL,
        for_seconds INTEGER,
        restarts INTEGER,
        window_seconds INTEGER,
        scope_container TEXT,
        scope_label TEXT,
        enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
        webhook_url TEXT,
        webhook_secret TEXT,
        last_delivery TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        CHECK ((webhook_url IS NULL) = (webhook_secret IS NULL))
      ) STRICT;
    `,
  },
  {
    version: 6,
    name: 'container templates',
    // A template's spec is createContainer's input as src/domain/templates validated it, in JSON: fields
    // added to that input later are kept without a new migration.
    up: `
      CREATE TABLE container_templates (
        name TEXT PRIMARY KEY,
        description TEXT,
        spec TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 7,
    name: 'audit refusals counted',
    // Refusals (no token, a bad one, a token in the URL, a rate passed) of one kind from one address
    // within one minute share a row and count up, so a flood of them adds rows by the minute, not by
    // the request. refusal_key names that (minute, address, action, code, token); changes and their
    // errors have none and are never merged.
    up: `
      ALTER TABLE audit_log ADD COLUMN count INTEGER NOT NULL DEFAULT 1;
      ALTER TABLE audit_log ADD COLUMN refusal_key TEXT;
      CREATE UNIQUE INDEX audit_log_refusal ON audit_log (refusal_key) WHERE refusal_key IS NOT NULL;
    `,
  },
  {
    version: 8,
    name: 'create intents',
    // A create is audited as an intent (result 'started') before the engine is asked, named by a
    // random id that also labels the container; settled_at is set once its outcome is recorded. An
    // intent a crash left open (settled_at NULL) is reconciled with the engine at the next start.
    up: `
      ALTER TABLE audit_log ADD COLUMN intent TEXT;
      ALTER TABLE audit_log ADD COLUMN settled_at INTEGER;
      CREATE INDEX audit_log_open_intents ON audit_log (id) WHERE intent IS NOT NULL AND settled_at IS NULL;
    `,
  },
  {
    version: 9,
    name: 'compose stacks',
    // The file and env text each stack was last deployed from (what an update is planned against and
    // what `stack` shows), the counts scaleStackService set since, and every deploy, scale, start, stop and removal of a stack. History rows
    // outlive the stack: who deployed which hash when stays answerable after removeStack.
    up: `
      CREATE TABLE stacks (
        name TEXT PRIMARY KEY,
        compose TEXT NOT NULL,
        env TEXT NOT NULL,
        hash TEXT NOT NULL,
        deployed_at INTEGER NOT NULL,
        deployed_by TEXT NOT NULL,
        -- scaleStackService's counts by service (JSON), until the file is deployed again.
        scales TEXT NOT NULL DEFAULT '{}'
      ) STRICT;
      CREATE TABLE stack_history (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        stack TEXT NOT NULL,
        hash TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL CHECK (action IN ('DEPLOY', 'SCALE', 'START', 'STOP', 'REMOVE')),
        ok INTEGER NOT NULL CHECK (ok IN (0, 1)),
        summary TEXT NOT NULL,
        at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX stack_history_by_stack ON stack_history (stack, id);
    `,
  },
  {
    version: 10,
    name: 'webhook secrets in whsec_ form',
    // Webhooks are signed as Standard Webhooks now, whose secrets are `whsec_` and the base64 of the
    // key. Before, the secret as given was the key, as UTF-8; writing those same bytes in the new form
    // keeps every receiver's secret working. Every stored secret is of the older form here, even
    // one that happens to begin with `whsec_`: its key was its text.
    up: (db) => {
      const rows = db
        .prepare<[], { id: string; secret: string }>(
          'SELECT id, webhook_secret AS secret FROM alert_rules WHERE webhook_secret IS NOT NULL',
        )
        .all();
      const rewrite = db.prepare<[string, string]>('UPDATE alert_rules SET webhook_secret = ? WHERE id = ?');
      for (const { id, secret } of rows) {
        rewrite.run(`whsec_${Buffer.from(secret, 'utf8').toString('base64')}`, id);
      }
    },
  },
  {
    version: 11,
    name: 'registry credentials',
    // One credential per registry host, as images name it (docker.io, ghcr.io, 127.0.0.1:5000). The
    // password is never here in the clear: `secret` is sealed by src/platform/secrets with
    // BERTH_SECRET_KEY, for the purpose `registry:<host>`.
    up: `
      CREATE TABLE registry_credentials (
        registry TEXT PRIMARY KEY,
        username TEXT NOT NULL,
        secret TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        last_used_at INTEGER
      ) STRICT;
    `,
  },
  {
    version: 12,
    name: 'stack history: REDEPLOY and SYNC',
    // redeployStack records REDEPLOY and syncStack SYNC; SQLite cannot alter a CHECK, so the table is
    // made again with the same rows.
    up: `
      CREATE TABLE stack_history_next (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        stack TEXT NOT NULL,
        hash TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL
          CHECK (action IN ('DEPLOY', 'REDEPLOY', 'SYNC', 'SCALE', 'START', 'STOP', 'REMOVE')),
        ok INTEGER NOT NULL CHECK (ok IN (0, 1)),
        summary TEXT NOT NULL,
        at INTEGER NOT NULL
      ) STRICT;
      INSERT INTO stack_history_next (id, stack, hash, actor, action, ok, summary, at)
        SELECT id, stack, hash, actor, action, ok, summary, at FROM stack_history;
      DROP TABLE stack_history;
      ALTER TABLE stack_history_next RENAME TO stack_history;
      CREATE INDEX stack_history_by_stack ON stack_history (stack, id);
    `,
  },
  {
    version: 13,
    name: 'stack webhooks',
    // One push webhook per stack. The secret is never here in the clear: `secret` is sealed by
    // src/platform/secrets with BERTH_SECRET_KEY, for the purpose `stack-webhook:<stack>`. Removing
    // the stack's row removes its webhook with it, in the same statement.
    up: `
      CREATE TABLE stack_webhooks (
        stack TEXT PRIMARY KEY REFERENCES stacks (name) ON DELETE CASCADE,
        secret TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        last_delivery_at INTEGER,
        last_outcome TEXT
      ) STRICT;
    `,
  },
  {
    version: 14,
    name: 'stacks from git',
    // One git source per stack deployed from a repository. `secret` is the token or deploy key,
    // sealed by src/platform/secrets with BERTH_SECRET_KEY for the purpose `git:<stack>`; NULL
    // when the repository needs none. `env` is the env text given at deploy (the repository's own
    // .env is read from the checkout each time).
    up: `
      CREATE TABLE stack_git_sources (
        stack TEXT PRIMARY KEY,
        repository TEXT NOT NULL,
        ref TEXT NOT NULL,
        path TEXT NOT NULL,
        auth TEXT NOT NULL CHECK (auth IN ('NONE', 'TOKEN', 'SSH_KEY')),
        secret TEXT,
        env TEXT NOT NULL,
        remove_orphans INTEGER NOT NULL CHECK (remove_orphans IN (0, 1)),
        timeout_seconds INTEGER NOT NULL,
        poll_minutes INTEGER NOT NULL,
        commit_id TEXT,
        files_hash TEXT,
        synced_at INTEGER
      ) STRICT;
    `,
  },
  {
    version: 15,
    name: 'image updates and automatic updates',
    // What the last image-update check found per tag, so `since` (when a newer image was first seen
    // for the local one) survives a restart; `images` maps each image id a container ran at the check
    // to the digest its registry gave it (JSON), which the IMAGE_UPDATE_AVAILABLE alerts compare. And
    // the targets opted into automatic updates, with their maintenance window and last outcome.
    // alert_rules is made again (SQLite cannot change a CHECK) to take the kind IMAGE_UPDATE_AVAILABLE.
    up: `
      CREATE TABLE alert_rules_next (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('CPU_ABOVE', 'MEMORY_ABOVE', 'UNHEALTHY', 'RESTART_LOOP', 'OOM_KILLED', 'EXITED_NON_ZERO', 'IMAGE_UPDATE_AVAILABLE')),
        threshold_percent REAL,
        for_seconds INTEGER,
        restarts INTEGER,
        window_seconds INTEGER,
        scope_container TEXT,
        scope_label TEXT,
        enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
        webhook_url TEXT,
        webhook_secret TEXT,
        last_delivery TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        CHECK ((webhook_url IS NULL) = (webhook_secret IS NULL))
      ) STRICT;
      INSERT INTO alert_rules_next SELECT * FROM alert_rules;
      DROP TABLE alert_rules;
      ALTER TABLE alert_rules_next RENAME TO alert_rules;
      CREATE TABLE image_updates (
        reference TEXT PRIMARY KEY,
        status TEXT NOT NULL CHECK (status IN ('UP_TO_DATE', 'AVAILABLE', 'UNKNOWN')),
        local_digest TEXT,
        remote_digest TEXT,
        checked_at INTEGER NOT NULL,
        since INTEGER,
        since_digest TEXT,
        error TEXT,
        images TEXT NOT NULL DEFAULT '{}'
      ) STRICT;
      CREATE TABLE image_auto_updates (
        kind TEXT NOT NULL CHECK (kind IN ('CONTAINER', 'STACK')),
        name TEXT NOT NULL,
        enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
        -- The maintenance window (JSON: days, start, end, timeZone).
        maintenance_window TEXT NOT NULL,
        last_run_at INTEGER,
        -- How the last automatic update ended (JSON), null before the first.
        last_outcome TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (kind, name)
      ) STRICT;
    `,
  },
  {
    version: 16,
    name: 'deploy token scopes',
    // A deploy token (createDeployToken) may do one operation on one thing: both columns are set for
    // one, neither for a role token.
    up: `
      ALTER TABLE api_tokens ADD COLUMN scope_operation TEXT
        CHECK (scope_operation IN ('REDEPLOY_STACK', 'SYNC_STACK', 'REDEPLOY_CONTAINER'));
      ALTER TABLE api_tokens ADD COLUMN scope_target TEXT
        CHECK ((scope_target IS NULL) = (scope_operation IS NULL));
    `,
  },
  {
    version: 17,
    name: 'image updates per running image',
    // When the registry was first seen ahead of each digest a container of the tag ran (JSON: digest
    // to epoch ms), so a container left on an older image after a pull keeps its `since` too.
    up: `
      ALTER TABLE image_updates ADD COLUMN behind_since TEXT NOT NULL DEFAULT '{}';
    `,
  },
  {
    version: 18,
    name: 'environments',
    // The Docker hosts added through the API (or imported from Docker CLI contexts). What reaches
    // them is in the clear (the endpoint holds no secret); the TLS files and SSH key are sealed
    // together in `secret` (SecretBox, purpose `environment:<name>`), null for a unix socket.
    up: `
      CREATE TABLE environments (
        name TEXT PRIMARY KEY,
        endpoint TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('socket', 'tcp', 'ssh')),
        source TEXT NOT NULL CHECK (source IN ('API', 'DOCKER_CONTEXT')),
        host_key_sha256 TEXT,
        secret TEXT,
        created_at INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 19,
    name: 'token environments',
    // The environments a token is limited to, as a JSON array of names; null: every environment.
    up: `ALTER TABLE api_tokens ADD COLUMN environments TEXT;`,
  },
  {
    version: 20,
    name: 'stacks per environment',
    // A stack is a Compose project on one Docker host: the same name on two hosts is two stacks, so
    // stacks, their history and their webhooks are keyed by (environment, name); the rows before
    // this were all the local engine's. Rows of an environment that is removed stay (its stacks
    // still run on that host; adding it again shows them). stack_webhooks refers to stacks, so it is
    // set aside before stacks is made again (dropping stacks would cascade to it) and made after.
    up: `
      CREATE TABLE stack_webhooks_before AS SELECT * FROM stack_webhooks;
      DROP TABLE stack_webhooks;
      CREATE TABLE stacks_next (
        environment TEXT NOT NULL DEFAULT 'local',
        name TEXT NOT NULL,
        compose TEXT NOT NULL,
        env TEXT NOT NULL,
        hash TEXT NOT NULL,
        deployed_at INTEGER NOT NULL,
        deployed_by TEXT NOT NULL,
        scales TEXT NOT NULL DEFAULT '{}',
        PRIMARY KEY (environment, name)
      ) STRICT;
      INSERT INTO stacks_next (environment, name, compose, env, hash, deployed_at, deployed_by, scales)
        SELECT 'local', name, compose, env, hash, deployed_at, deployed_by, scales FROM stacks;
      DROP TABLE stacks;
      ALTER TABLE stacks_next RENAME TO stacks;
      ALTER TABLE stack_history ADD COLUMN environment TEXT NOT NULL DEFAULT 'local';
      DROP INDEX stack_history_by_stack;
      CREATE INDEX stack_history_by_stack ON stack_history (environment, stack, id);
      CREATE TABLE stack_webhooks (
        environment TEXT NOT NULL DEFAULT 'local',
        stack TEXT NOT NULL,
        secret TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        last_delivery_at INTEGER,
        last_outcome TEXT,
        PRIMARY KEY (environment, stack),
        FOREIGN KEY (environment, stack) REFERENCES stacks (environment, name) ON DELETE CASCADE
      ) STRICT;
      INSERT INTO stack_webhooks (environment, stack, secret, created_at, last_delivery_at, last_outcome)
        SELECT 'local', stack, secret, created_at, last_delivery_at, last_outcome FROM stack_webhooks_before;
      DROP TABLE stack_webhooks_before;
    `,
  },
  {
    version: 21,
    name: 'git stacks per environment',
    // A stack from git is a stack of one environment (migration 20): its source is keyed by
    // (environment, stack) too, the rows before this being local's. Its secret stays sealed for the
    // purpose it was sealed for (`git:<stack>` on local, `git:<environment>/<stack>` elsewhere).
    up: `
      CREATE TABLE stack_git_sources_next (
        environment TEXT NOT NULL DEFAULT 'local',
        stack TEXT NOT NULL,
        repository TEXT NOT NULL,
        ref TEXT NOT NULL,
        path TEXT NOT NULL,
        auth TEXT NOT NULL CHECK (auth IN ('NONE', 'TOKEN', 'SSH_KEY')),
        secret TEXT,
        env TEXT NOT NULL,
        remove_orphans INTEGER NOT NULL CHECK (remove_orphans IN (0, 1)),
        timeout_seconds INTEGER NOT NULL,
        poll_minutes INTEGER NOT NULL,
        commit_id TEXT,
        files_hash TEXT,
        synced_at INTEGER,
        PRIMARY KEY (environment, stack)
      ) STRICT;
      INSERT INTO stack_git_sources_next (environment, stack, repository, ref, path, auth, secret, env,
          remove_orphans, timeout_seconds, poll_minutes, commit_id, files_hash, synced_at)
        SELECT 'local', stack, repository, ref, path, auth, secret, env, remove_orphans, timeout_seconds,
          poll_minutes, commit_id, files_hash, synced_at FROM stack_git_sources;
      DROP TABLE stack_git_sources;
      ALTER TABLE stack_git_sources_next RENAME TO stack_git_sources;
    `,
  },
];

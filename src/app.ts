import type { Server } from 'node:http';
import { join } from 'node:path';
import type { YogaLogger } from 'graphql-yoga';
import type { Context } from './api/graphql/builder.js';
import { BerthMetrics } from './api/metrics/berth-metrics.js';
import { stackWebhookPath } from './api/http/stack-webhooks.js';
import { createApiServer, type Services } from './api/server.js';
import { AlertService } from './domain/alerts/service.js';
import { BackupService } from './domain/backup/service.js';
import { alertRulesSection } from './domain/backup/sections/alert-rules.js';
import { containersSection } from './domain/backup/sections/containers.js';
import { imageAutoUpdatesSection } from './domain/backup/sections/image-auto-updates.js';
import { policySection } from './domain/backup/sections/policy.js';
import { stacksSection } from './domain/backup/sections/stacks.js';
import { swarmServicesSection } from './domain/backup/sections/swarm-services.js';
import { templatesSection } from './domain/backup/sections/templates.js';
import { tokensSection } from './domain/backup/sections/tokens.js';
import { ContainerIndex } from './domain/containers/container-index.js';
import { ContainerEventLog } from './domain/events/event-log.js';
import { Environments } from './domain/environments/environments.js';
import { EnvironmentService } from './domain/environments/service.js';
import { EnvironmentStore } from './domain/environments/store.js';
import {
  LOCAL_ENVIRONMENT,
  type EnvironmentDefinition,
  type EnvironmentRuntime,
  type EnvironmentServices,
} from './domain/environments/model.js';
import { TerminalService } from './domain/terminal/service.js';
import { ExecService } from './domain/exec/service.js';
import { StatsHistory } from './domain/history/service.js';
import { ImageService } from './domain/images/service.js';
import { CreateJournal } from './domain/lifecycle/journal.js';
import { ContainerService } from './domain/lifecycle/service.js';
import { LogService } from './domain/logs/service.js';
import { NetworkService } from './domain/networks/service.js';
import { PolicyStore } from './domain/policy/policy.js';
import { RedeployService } from './domain/redeploy/service.js';
import { RegistryCredentials } from './domain/registries/credentials.js';
import { StatsHub } from './domain/stats/hub.js';
import { StatsIndexBinding } from './domain/stats/index-binding.js';
import { RunningContainersWatch } from './domain/stats/running-watch.js';
import { ReplicaAliasGuard } from './domain/stacks/aliases.js';
import { GitCheckouts } from './domain/stacks/git/checkouts.js';
import { GitStackService } from './domain/stacks/git/service.js';
import { GitSourceStore } from './domain/stacks/git/store.js';
import { StackService } from './domain/stacks/service.js';
import { StackStore } from './domain/stacks/store.js';
import { StackWebhooks } from './domain/stacks/webhooks.js';
import { SwarmStacks } from './domain/stacks/swarm/stacks.js';
import { SwarmService } from './domain/swarm/service.js';
import { ENGINE_FACTS_REFRESH_MS, EngineAvailability } from './domain/system/engine-availability.js';
import { SystemStatus } from './domain/system/status.js';
import { TemplateService } from './domain/templates/service.js';
import { ImageUpdateService } from './domain/updates/service.js';
import { ImageUpdateStore } from './domain/updates/store.js';
import { AutoUpdateService, AutoUpdateStore } from './domain/updates/auto-update.js';
import { VolumeService } from './domain/volumes/service.js';
import { DockerEngine, type EngineCall } from './engine/engine.js';
import { GitCli } from './engine/git.js';
import { RegistryApi } from './engine/registry-api.js';
import { chooseStatsSource } from './engine/stats-source.js';
import { AuditLog } from './platform/audit/log.js';
import { AuditRetention } from './platform/audit/retention.js';
import { AuthGuard } from './platform/auth/guard.js';
import { UNAUTHENTICATED_LOCAL } from './platform/auth/principal.js';
import { TokenService } from './platform/auth/tokens.js';
import type { Config } from './platform/config.js';
import { readDockerContexts } from './platform/docker-contexts.js';
import { createLogger } from './platform/logging.js';
import { SecretBox } from './platform/secrets/secret-box.js';
import { BerthDatabase } from './platform/store/database.js';

export interface App {
  /** Starts every part in order, then listens; returns the base URL. */
  start(): Promise<{ url: string; port: number }>;
  /** Stops every started part, in reverse order. */
  stop(): Promise<void>;
  readonly server: Server;
  /** The container index, for tests and benchmarks that wait for it to match the engine. */
  readonly index: ContainerIndex;
  /** The stats hub, for tests and benchmarks that count its collectors. */
  readonly stats: StatsHub;
  /** What resolvers receive (as a local admin), for tests that execute the schema in process. */
  readonly context: Context;
  /** berth's tokens, for tests and the first-start admin token. */
  readonly tokens: TokenService;
  /** WebSocket clients connected now. */
  websocketClients(): number;
  /** Shared subscription executions running now: one per distinct subscription, however many follow it. */
  sharedExecutions(): number;
}

/** A part of berth that runs: started after the parts before it, stopped before them. */
interface Part {
  readonly name: string;
  start?(): unknown;
  stop?(): unknown;
}

/**
 * Starts parts in order and stops the started ones in reverse. A part without `start` runs from the
 * moment it is built (the store is open), so it is stopped even when nothing was started. A start
 * that fails stops what had started, then throws.
 */
class PartLifecycle {
  readonly #running: Set<Part>;

  constructor(
    private readonly parts: readonly Part[],
    private readonly owner: string,
  ) {
    this.#running = new Set(parts.filter((part) => !part.start));
  }

  async start(): Promise<void> {
    try {
      for (const part of this.parts) {
        if (!part.start) continue;
        await part.start();
        this.#running.add(part);
      }
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  async stop(): Promise<void> {
    const failures: unknown[] = [];
    for (const part of [...this.parts].reverse()) {
      if (!this.#running.delete(part)) continue;
      try {
        await part.stop?.();
      } catch (error) {
        failures.push(new Error(`stopping ${part.name} failed`, { cause: error }));
      }
    }
    if (failures.length > 0) throw new AggregateError(failures, `${this.owner} did not stop cleanly`);
  }
}

export interface BuildAppOptions {
  logger?: YogaLogger;
  /** How long a minute of a git stack's pollMinutes lasts: only tests shorten it. */
  gitPollMinuteMs?: number;
  /** How often each engine's version and swarm role are read again: only tests shorten it. */
  engineFactsRefreshMs?: number;
}

/** Builds berth from its configuration: every piece made once, then wired; nothing runs yet. */
export function buildApp(config: Config, options: BuildAppOptions = {}): App {
  const log = options.logger ?? createLogger({ level: config.logLevel, format: config.logFormat });
  const database = BerthDatabase.open({ dataDir: config.dataDir });
  const tokens = new TokenService(database);
  const audit = new AuditLog(database);
  const auditRetention = new AuditRetention(audit, config.audit, { log });
  const guard = new AuthGuard(tokens, audit, config.auth);
  const metrics = new BerthMetrics();
  // Derived once (a passphrase costs scrypt's fifth of a second), shared by every kind of secret.
  const secretBox = config.secretKey === undefined ? undefined : SecretBox.fromSetting(config.secretKey);
  const registries = new RegistryCredentials(database, secretBox);
  const policy = new PolicyStore(database);
  const shared: EnvironmentShared = {
    config,
    log,
    audit,
    registries,
    policy,
    database,
    engineFactsRefreshMs: options.engineFactsRefreshMs ?? ENGINE_FACTS_REFRESH_MS,
    secretBox,
    git: new GitCli(),
    ...(options.gitPollMinuteMs !== undefined && { gitPollMinuteMs: options.gitPollMinuteMs }),
  };
  const local = buildEnvironment(
    { name: LOCAL_ENVIRONMENT, endpoint: config.dockerHost, connection: config.engine, source: 'LOCAL' },
    { ...shared, onCall: (call) => metrics.recordEngineCall(call) },
  );
  const environments = new Environments(
    local.runtime,
    (definition) =>
      buildEnvironment(definition, {
        ...shared,
        onHostKey: (sha256) => environmentService.recordHostKey(definition.name, sha256),
      }).runtime,
  );
  const environmentService = new EnvironmentService(environments, new EnvironmentStore(database), secretBox, {
    declared: config.environments,
    contexts: () => readDockerContexts(config.dockerConfigDir),
    sshKey: config.sshKey,
    log,
  });
  // berth's own parts (automatic updates, backups, alerts, history, metrics, image updates) run on
  // the local engine; every environment has its own stacks and git stacks.
  const { engine } = local;
  const { index, stats, images, swarm, containers, redeploy, stacks, gitStacks } = local.runtime.services;
  const history = new StatsHistory(database, {
    retention: {
      rawMs: config.history.rawRetentionSeconds * 1000,
      minutesMs: config.history.retentionSeconds * 1000,
    },
    log,
  });
  metrics.watchContainers(index, stats);
  const templates = new TemplateService(database, containers);
  const imageUpdates = new ImageUpdateService(index, engine.imageDigests, new RegistryApi(), {
    intervalMinutes: config.imageUpdates.checkIntervalMinutes,
    log,
    auth: (registry) => registries.loginFor(registry),
    store: new ImageUpdateStore(database),
  });
  const autoUpdates = new AutoUpdateService(
    new AutoUpdateStore(database),
    imageUpdates,
    {
      containers: () => index.list(),
      pull: (reference) => images.pull(reference),
      redeployContainer: (containerId, image) =>
        redeploy.redeploy({
          reference: containerId,
          image,
          setEnv: [],
          unsetEnv: [],
          dryRun: false,
          healthTimeoutSeconds: 60,
          drainSeconds: 5,
        }),
      findStack: (name) => stacks.get(name),
      redeployStack: async (name, actor) => {
        const result = await stacks.redeploy(
          name,
          { tokenId: null, tokenName: actor, action: 'autoUpdateStack', principal: actor },
          { pull: true },
        );
        const summary = result.outcomes
          .map(({ service, outcome, message }) => `${service}: ${outcome}${message ? ` (${message})` : ''}`)
          .join(', ');
        return { ok: result.ok, summary: summary || 'nothing to change' };
      },
      audit: (entry) => audit.record(entry),
    },
    log,
  );
  const alerts = new AlertService(database, index, stats, log, { imageUpdates });
  const backup = new BackupService();
  backup.register(templatesSection(templates));
  backup.register(policySection(policy));
  backup.register(tokensSection(tokens));
  backup.register(containersSection(containers, engine.readBack));
  backup.register(alertRulesSection(alerts));
  backup.register(swarmServicesSection(swarm));
  backup.register(stacksSection(stacks, gitStacks));
  backup.register(imageAutoUpdatesSection(autoUpdates));

  const services: Services = {
    // The API reaches an engine only through `environments`, by the environment a field names.
    environments,
    environmentService,
    history,
    tokens,
    audit,
    policy,
    alerts,
    templates,
    backup,
    imageUpdates,
    autoUpdates,
    registries,
  };
  const api = createApiServer(config, services, { guard, metrics, log });

  // Each part starts after the parts it uses and stops before them.
  const parts: Part[] = [
    { name: 'store', stop: () => database.close() },
    { name: 'audit retention', start: () => auditRetention.start(), stop: () => auditRetention.stop() },
    // The file's and the stored environments join the registry, to start with it.
    { name: 'environment definitions', start: () => environmentService.load() },
    // Each environment's index, stats and event stream; the parts below use the local one's.
    { name: 'environments', start: () => environments.start(), stop: () => environments.stop() },
    { name: 'stats history', start: () => history.start({ stats, index }), stop: () => history.stop() },
    // Its deliveries that end while stopping record how they ended, before the store closes.
    { name: 'alerts', start: () => alerts.start(), stop: () => alerts.stop() },
    // The local environment's rollouts and redeploys end here, before what waits on them stops;
    // the environments part closes them again (a no-op) with the rest of their parts.
    { name: 'swarm rollouts', stop: () => swarm.close() },
    // Stopped after the redeploys, whose close ends the health waits its runs are in.
    { name: 'automatic updates', start: () => autoUpdates.start(), stop: () => autoUpdates.stop() },
    // A redeploy still waiting for its new container removes it and leaves the old one serving.
    { name: 'redeploys', stop: () => redeploy.close() },
    // The local stacks' deploys still waiting for a replica give up here, before the automatic
    // updates above wait for them; the environments part closes every environment's stacks again
    // (a no-op for these), then its webhooks' and polls' syncs, which end soon after.
    { name: 'stacks', stop: () => stacks.close() },
    // Its registry requests in flight are given up.
    { name: 'image update checks', start: () => imageUpdates.start(), stop: () => imageUpdates.stop() },
    { name: 'api server', stop: () => api.close() },
  ];
  const lifecycle = new PartLifecycle(parts, 'berth');

  return {
    server: api.server,
    index,
    stats,
    context: { ...services, principal: UNAUTHENTICATED_LOCAL },
    tokens,
    websocketClients: () => api.websocketClients(),
    sharedExecutions: () => api.sharedExecutions(),
    async start() {
      await lifecycle.start();
      try {
        return await api.listen();
      } catch (error) {
        await lifecycle.stop();
        throw error;
      }
    },
    stop: () => lifecycle.stop(),
  };
}

/** What every environment's services share: berth's own configuration, log, audit and stores. */
interface EnvironmentShared {
  readonly config: Config;
  readonly log: YogaLogger;
  readonly audit: AuditLog;
  readonly registries: RegistryCredentials;
  readonly policy: PolicyStore;
  readonly engineFactsRefreshMs: number;
  readonly database: BerthDatabase;
  readonly secretBox: SecretBox | undefined;
  /** The git client of every environment's git stacks (git runs on this host). */
  readonly git: GitCli;
  /** How long a minute of a git stack's pollMinutes lasts: only tests shorten it. */
  readonly gitPollMinuteMs?: number;
  /** Told of every engine call (the local engine's feed berth's metrics). */
  readonly onCall?: (call: EngineCall) => void;
  /** An ssh environment without a fingerprint: told the host key its first connection trusted. */
  readonly onHostKey?: (sha256: string) => void;
}

/**
 * One environment's engine gateway and the services on it, each made once; its parts start in the
 * order the single-engine berth always started them. A remote engine's stats come from its stats
 * API, only for what someone watches: its cgroup files are not on this host.
 */
function buildEnvironment(
  definition: EnvironmentDefinition,
  {
    config,
    log,
    audit,
    registries,
    policy,
    engineFactsRefreshMs,
    database,
    secretBox,
    git,
    gitPollMinuteMs,
    onCall,
    onHostKey,
  }: EnvironmentShared,
): { runtime: EnvironmentRuntime; engine: DockerEngine } {
  const isLocal = definition.name === LOCAL_ENVIRONMENT;
  const engine = new DockerEngine(definition.connection, {
    ...(onCall && { onCall }),
    ...(onHostKey && { onHostKey }),
  });
  const engineEvents = engine.eventStream(log);
  const index = new ContainerIndex(engine, engineEvents, log, definition.name);
  // Says once, at the first failed try, why the engine cannot be reached and how to fix it.
  const availability = new EngineAvailability(
    engineEvents,
    definition.endpoint,
    log,
    engine,
    Date.now,
    engineFactsRefreshMs,
  );
  const stats = new StatsHub(log, { pidOf: (id) => index.peek(id)?.pid ?? null });
  const statsConfig: Config = isLocal
    ? config
    : { ...config, stats: { ...config.stats, source: 'docker-api' } };
  const statsBinding = new StatsIndexBinding(
    index,
    stats,
    (probeContainerId) => chooseStatsSource(statsConfig, engine, log, probeContainerId),
    log,
  );
  const watch = new RunningContainersWatch(index, stats);
  const images = new ImageService(engine.images, index, log, registries);
  const journal = new CreateJournal(audit, log);
  const containers = new ContainerService(engine, index, log, images, () => policy.get(), journal);
  const networks = new NetworkService(engine, index);
  const swarm = new SwarmService(engine.swarm, log, { credentials: registries });
  // A stack from git keeps its checkout on this host: local's where they always were, another
  // environment's in a directory of its own (no stack name can be `environments/…`).
  const gitSources = new GitSourceStore(database, definition.name);
  const checkouts = new GitCheckouts(
    isLocal
      ? join(config.dataDir, 'git-stacks')
      : join(config.dataDir, 'environments', definition.name, 'git-stacks'),
    gitSources,
  );
  const stacks = new StackService(
    containers,
    networks,
    new VolumeService(engine.volumes, index),
    new StackStore(database, definition.name),
    () => policy.get(),
    {
      stacks: new SwarmStacks(swarm, networks, log, { policy: () => policy.get() }),
      isManager: async () => (await engine.info()).swarm.manager,
    },
    log,
    images,
    { sources: checkouts },
  );
  const aliasGuard = new ReplicaAliasGuard(containers, networks, log);
  const gitStacks = new GitStackService(stacks, gitSources, checkouts, git, secretBox, {
    defaultPollMinutes: config.git.pollMinutes,
    log,
    ...(gitPollMinuteMs !== undefined && { pollMinuteMs: gitPollMinuteMs }),
  });
  const webhooks = new StackWebhooks(database, secretBox, {
    environment: definition.name,
    sync: gitStacks,
    audit,
    log,
    urlOf: (stack) => stackWebhookPath(config.http.basePath, stack, definition.name),
  });
  const services: EnvironmentServices = {
    name: definition.name,
    containers,
    index,
    stats,
    events: new ContainerEventLog(index),
    system: new SystemStatus(engine, index, stats, definition.endpoint, availability),
    logs: new LogService(engine),
    exec: new ExecService(engine, {
      maxOutputBytes: config.exec.maxOutputBytes,
      canSignalHostProcesses: definition.connection.kind === 'socket',
      log,
    }),
    terminal: new TerminalService(engine.terminals, { enabled: config.terminal.enabled, log }),
    images,
    networks,
    volumes: new VolumeService(engine.volumes, index),
    swarm,
    redeploy: new RedeployService(engine, index, images, () => policy.get(), log),
    stacks,
    gitStacks,
    webhooks,
  };
  const parts: Part[] = [
    // Stopped last: an ssh:// engine's one SSH connection outlives every part that talks through it.
    { name: 'engine connection', stop: () => engine.close() },
    { name: 'stats hub', stop: () => stats.close() },
    // Before the index starts, to see its first sync.
    { name: 'stats source', start: () => statsBinding.start(), stop: () => statsBinding.stop() },
    { name: 'container index', start: () => index.start(), stop: () => index.stop() },
    // Reads the engine's version and swarm role again while it answers (`docker swarm init` on the host).
    { name: 'engine facts', start: () => availability.start(), stop: () => availability.stop() },
    // Creates a previous run left unfinished, checked against the engine once the index has synced.
    { name: 'create reconciliation', start: () => void journal.reconcile(index), stop: () => journal.stop() },
    ...(isLocal && config.stats.sample === 'all'
      ? [{ name: 'running containers watch', start: () => watch.start(), stop: () => watch.stop() }]
      : []),
    { name: 'swarm rollouts', stop: () => services.swarm.close() },
    // Each open shell's processes are killed while the engine connection still stands.
    { name: 'terminal sessions', stop: () => services.terminal.close() },
    { name: 'redeploys', stop: () => services.redeploy.close() },
    // Polls the git stacks that ask for it. Stopped after the stacks, whose close makes a sync's
    // deploy give up waiting for replicas, so the syncs it waits for end soon.
    { name: 'git polling', start: () => gitStacks.start(), stop: () => gitStacks.stop() },
    // Stops after the stacks aborted their deploys: the syncs still running end and record how.
    { name: 'stack webhooks', stop: () => webhooks.close() },
    // Deploys still waiting for a replica give up; unhealthy replicas keep leaving their aliases until then.
    { name: 'stacks', start: () => aliasGuard.start(), stop: () => (stacks.close(), aliasGuard.stop()) },
  ];
  const lifecycle = new PartLifecycle(parts, `environment ${definition.name}`);
  return {
    engine,
    runtime: {
      definition,
      services,
      start: () => lifecycle.start(),
      stop: () => lifecycle.stop(),
    },
  };
}

import { Repeater } from '@repeaterjs/repeater';
import { mayUseEnvironment, type Principal } from '../../platform/auth/principal.js';
import {
  EndpointProblem,
  parseEnvironmentEndpoint,
  type DeclaredEnvironment,
  type EndpointMaterial,
  type EngineConnection,
} from '../../platform/config.js';
import type { DockerContext } from '../../platform/docker-contexts.js';
import { SecretOpenError, type SecretBox } from '../../platform/secrets/secret-box.js';
import {
  BerthError,
  EnvironmentExistsError,
  EnvironmentNotFoundError,
  EnvironmentProtectedError,
  InvalidInputError,
  SecretKeyMissingError,
} from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import { environmentNameProblem } from '../../shared/validation.js';
import type { EngineState } from '../system/engine-availability.js';
import type { Environments } from './environments.js';
import {
  LOCAL_ENVIRONMENT,
  type EnvironmentChangeKind,
  type EnvironmentDefinition,
  type EnvironmentSource,
} from './model.js';
import type { EnvironmentStore, StoredEnvironment } from './store.js';

/** An environment as the API shows it: how it is reached (no secret), where it was declared, its state. */
export interface EnvironmentView {
  name: string;
  endpoint: string;
  kind: 'SOCKET' | 'TCP' | 'SSH';
  source: EnvironmentSource;
  state: EngineState;
  /** An ssh environment's host key fingerprint: the one it was given, or the first one it trusted. */
  hostKeySha256: string | null;
}

/** One change of an environment the subscriber may use, as the `environmentChanged` subscription sends it. */
export interface EnvironmentChangeView {
  kind: EnvironmentChangeKind;
  /** The environment right after the change; for REMOVED, as it was when removed. */
  environment: EnvironmentView;
  at: Date;
}

/** What addEnvironment takes: PEM text for TLS, a private key (and what opens it) for SSH. */
export interface AddEnvironmentInput {
  name: string;
  endpoint: string;
  tls?: { ca: string; cert: string; key: string } | null | undefined;
  ssh?:
    | {
        privateKey: string;
        passphrase?: string | null | undefined;
        hostKeySha256?: string | null | undefined;
      }
    | null
    | undefined;
}

/** Why importDockerContexts left a Docker CLI context alone, as a client can branch on it. */
export type SkippedContextCode =
  | 'UNREADABLE'
  | 'INVALID_NAME'
  | 'NAME_IN_USE'
  | 'NO_ENDPOINT'
  | 'NO_SSH_KEY'
  | 'SKIPS_TLS_VERIFY'
  | 'NO_TLS_CERTIFICATES'
  | 'INVALID_ENDPOINT';

/** A Docker CLI context importDockerContexts left alone, and why. */
export interface SkippedContext {
  context: string;
  code: SkippedContextCode;
  reason: string;
}

/** What is sealed for a stored environment: the TLS files or the SSH key, as text. */
interface SealedMaterial {
  tls?: { ca: string; cert: string; key: string };
  ssh?: { privateKey: string; passphrase?: string };
}

// PEM certificates and keys are a few KiB; a chain of several is still far below this.
const MAX_MATERIAL = 64 * 1024;

const KINDS = { socket: 'SOCKET', tcp: 'TCP', ssh: 'SSH' } as const;

/** What a sealed environment's material is sealed for: copied onto another row, it does not open. */
const purposeOf = (name: string) => `environment:${name}`;

/**
 * The environments berth is told of, beside `local`: those BERTH_ENVIRONMENTS_FILE declares (not
 * stored, not removable), those added through the API or imported from Docker CLI contexts (stored,
 * their key material sealed by the SecretBox). Hands each to the {@link Environments} registry,
 * which runs it.
 */
export class EnvironmentService {
  readonly #sources = new Map<string, EnvironmentSource>();
  /** Host keys ssh environments without a fingerprint trusted at their first connection, by name. */
  readonly #trustedHostKeys = new Map<string, string>();
  /** Stored environments that could not be loaded (their material does not open): listed DOWN, removable. */
  readonly #unloadable = new Map<string, { stored: StoredEnvironment; reason: string }>();

  constructor(
    private readonly environments: Environments,
    private readonly store: EnvironmentStore,
    private readonly box: SecretBox | undefined,
    private readonly options: {
      declared: readonly DeclaredEnvironment[];
      /** The Docker CLI's contexts, read when importDockerContexts asks. */
      contexts: () => DockerContext[];
      /** berth's SSH key (BERTH_SSH_KEY_FILE): what an imported ssh:// context logs in with. */
      sshKey?: { privateKey: Buffer; passphrase?: string } | undefined;
      log: Logger;
      now?: () => number;
    },
  ) {
    this.#sources.set(LOCAL_ENVIRONMENT, 'LOCAL');
  }

  /** Hands the declared and the stored environments to the registry: before it starts, so they start with it. */
  async load(): Promise<void> {
    for (const declared of this.options.declared) {
      await this.#register({ ...declared, source: 'FILE' });
    }
    for (const stored of this.store.list()) {
      if (this.#sources.has(stored.name)) {
        this.options.log.warn(
          `the stored environment "${stored.name}" is not loaded: BERTH_ENVIRONMENTS_FILE declares one of that name`,
        );
        continue;
      }
      let connection: EngineConnection;
      try {
        connection = this.#connectionOf(stored);
      } catch (error) {
        const reason = error instanceof BerthError ? error.message : 'its stored endpoint is no longer valid';
        this.options.log.error(`the stored environment "${stored.name}" is not loaded: ${reason}`);
        this.#unloadable.set(stored.name, { stored, reason });
        continue;
      }
      await this.#register({
        name: stored.name,
        endpoint: stored.endpoint,
        connection,
        source: stored.source,
      });
    }
  }

  /** Every environment the principal may use, with its state; `local` first, then by name. */
  list(principal?: Principal): EnvironmentView[] {
    const loaded = this.environments.definitions(principal).map((definition) => this.#view(definition));
    const unloadable = [...this.#unloadable.values()]
      .filter(({ stored }) => principal === undefined || mayUseEnvironment(principal, stored.name))
      .map(({ stored, reason }) => unloadableView(stored, reason));
    return [...loaded, ...unloadable].sort((a, b) =>
      a.name === LOCAL_ENVIRONMENT ? -1 : b.name === LOCAL_ENVIRONMENT ? 1 : a.name.localeCompare(b.name),
    );
  }

  /**
   * Each change of an environment the principal may use, from now on: added, removed, its engine
   * down, up again, or its version or swarm role changed. The listener goes when the caller
   * returns the iterator (a subscriber that leaves).
   */
  watch(principal?: Principal): AsyncIterableIterator<EnvironmentChangeView> {
    return new Repeater<EnvironmentChangeView>(async (push, stop) => {
      const unlisten = this.environments.onChange((change) => {
        if (principal !== undefined && !mayUseEnvironment(principal, change.definition.name)) return;
        void push({
          kind: change.kind,
          environment: this.#view(change.definition, change.state),
          at: change.at,
        });
      });
      await stop;
      unlisten();
    });
  }

  /** Whether an environment has that name (loaded, or stored and not loadable). */
  has(name: string): boolean {
    return this.environments.has(name) || this.#unloadable.has(name);
  }

  /**
   * Adds, stores and starts an environment. Its name follows berth's name rule and must be free
   * (ENVIRONMENT_EXISTS); a tcp:// endpoint needs TLS client certificates and an ssh:// one a
   * private key (INVALID_INPUT naming the field); storing key material needs BERTH_SECRET_KEY.
   */
  async add(input: AddEnvironmentInput, source: 'API' | 'DOCKER_CONTEXT' = 'API'): Promise<EnvironmentView> {
    const problem = environmentNameProblem(input.name);
    if (problem !== null) throw new InvalidInputError('name', problem);
    if (this.has(input.name)) throw new EnvironmentExistsError(input.name);
    const material = checkMaterial(input);
    const { endpoint, connection } = parse(input.endpoint, toEndpointMaterial(material));
    const { tls, ssh } = material;
    const sealed =
      tls || ssh
        ? this.#seal(input.name, {
            ...(tls && { tls }),
            ...(ssh && {
              ssh: { privateKey: ssh.privateKey, ...(ssh.passphrase && { passphrase: ssh.passphrase }) },
            }),
          })
        : null;
    const definition: EnvironmentDefinition = { name: input.name, endpoint, connection, source };
    this.store.insert({
      name: input.name,
      endpoint,
      kind: connection.kind,
      source,
      hostKeySha256: connection.kind === 'ssh' ? (connection.hostKeySha256 ?? null) : null,
      secret: sealed,
      createdAt: new Date((this.options.now ?? Date.now)()),
    });
    try {
      await this.#register(definition);
    } catch (error) {
      this.store.delete(input.name);
      throw error;
    }
    return this.#view(definition);
  }

  /**
   * Stops an environment's streams and forgets it. `local` and the file's are ENVIRONMENT_PROTECTED;
   * answers it as it was.
   */
  async remove(name: string): Promise<EnvironmentView> {
    const source = this.#sources.get(name);
    if (source === 'LOCAL')
      throw new EnvironmentProtectedError(name, 'it is DOCKER_HOST, the engine berth runs on');
    if (source === 'FILE') {
      throw new EnvironmentProtectedError(
        name,
        'BERTH_ENVIRONMENTS_FILE declares it; take it out of the file',
      );
    }
    const unloadable = this.#unloadable.get(name);
    if (unloadable) {
      this.store.delete(name);
      this.#unloadable.delete(name);
      return unloadableView(unloadable.stored, unloadable.reason);
    }
    if (source === undefined || !this.environments.has(name)) throw new EnvironmentNotFoundError(name);
    const view = this.#view(this.environments.definitions().find((definition) => definition.name === name)!);
    this.store.delete(name);
    this.#sources.delete(name);
    this.#trustedHostKeys.delete(name);
    await this.environments.remove(name);
    return view;
  }

  /**
   * An ssh environment added without a host key fingerprint trusts the first key its connection
   * meets; kept here, so that after a restart a different server is refused as it is until then.
   */
  recordHostKey(name: string, sha256: string): void {
    if (this.#trustedHostKeys.has(name)) return;
    this.#trustedHostKeys.set(name, sha256);
    if (this.store.pinHostKey(name, sha256)) {
      this.options.log.info(`environment "${name}": trusting the SSH host key ${sha256} from now on`);
    }
  }

  /**
   * Adds the Docker CLI contexts found in berth's Docker configuration directory, as
   * DOCKER_CONTEXT environments; each one that cannot be is skipped with a code and the reason.
   * An ssh context carries no key (the Docker CLI uses the user's ssh-agent and ~/.ssh): it logs
   * in with berth's own key (BERTH_SSH_KEY_FILE), sealed and stored as addEnvironment's, and
   * trusts the host key its first connection meets, as an ssh environment added without a
   * fingerprint does; without BERTH_SSH_KEY_FILE it is skipped (NO_SSH_KEY).
   */
  async importDockerContexts(): Promise<{ imported: EnvironmentView[]; skipped: SkippedContext[] }> {
    const imported: EnvironmentView[] = [];
    const skipped: SkippedContext[] = [];
    const candidates: DockerContext[] = [];
    for (const context of this.options.contexts()) {
      const problem = this.#unimportable(context);
      if (problem === null) candidates.push(context);
      else skipped.push({ context: context.name, ...problem });
    }
    // Refused whole, as addEnvironment is, rather than some contexts added and the rest skipped.
    const needsKey = candidates.find(
      (context) => context.host?.startsWith('tcp://') || context.host?.startsWith('ssh://'),
    );
    if (needsKey && !this.box) {
      throw new SecretKeyMissingError(`storing the key material of Docker context "${needsKey.name}"`);
    }
    const sshKey = this.options.sshKey;
    for (const context of candidates) {
      const { ca, cert, key } = context.tls;
      try {
        imported.push(
          await this.add(
            {
              name: context.name,
              endpoint: context.host ?? '',
              tls:
                ca && cert && key
                  ? { ca: ca.toString('utf8'), cert: cert.toString('utf8'), key: key.toString('utf8') }
                  : null,
              ssh:
                context.host?.startsWith('ssh://') && sshKey
                  ? { privateKey: sshKey.privateKey.toString('utf8'), passphrase: sshKey.passphrase ?? null }
                  : null,
            },
            'DOCKER_CONTEXT',
          ),
        );
      } catch (error) {
        if (!(error instanceof BerthError)) throw error;
        skipped.push({ context: context.name, code: 'INVALID_ENDPOINT', reason: error.message });
      }
    }
    return { imported, skipped };
  }

  #unimportable(context: DockerContext): Omit<SkippedContext, 'context'> | null {
    if (context.problem !== undefined) return { code: 'UNREADABLE', reason: context.problem };
    const nameProblem = environmentNameProblem(context.name);
    if (nameProblem !== null) {
      return { code: 'INVALID_NAME', reason: `its name is not an environment's name: ${nameProblem}` };
    }
    if (this.has(context.name)) {
      return { code: 'NAME_IN_USE', reason: `an environment is already named "${context.name}"` };
    }
    if (context.host === undefined) return { code: 'NO_ENDPOINT', reason: 'it has no Docker endpoint' };
    if (context.host.startsWith('ssh://') && this.options.sshKey === undefined) {
      return {
        code: 'NO_SSH_KEY',
        reason:
          'an ssh context carries no private key (the Docker CLI uses ssh-agent and ~/.ssh) and BERTH_SSH_KEY_FILE ' +
          'names none for berth: set it, or add the context with addEnvironment and its key',
      };
    }
    if (context.skipTlsVerify) {
      return {
        code: 'SKIPS_TLS_VERIFY',
        reason: 'it skips verifying the engine’s certificate (SkipTLSVerify), which berth does not do',
      };
    }
    if (context.host.startsWith('tcp://') && !(context.tls.ca && context.tls.cert && context.tls.key)) {
      return {
        code: 'NO_TLS_CERTIFICATES',
        reason:
          'a tcp context needs TLS client certificates (ca.pem, cert.pem and key.pem in its TLS directory)',
      };
    }
    return null;
  }

  async #register(definition: EnvironmentDefinition): Promise<void> {
    this.#sources.set(definition.name, definition.source);
    try {
      await this.environments.add(definition);
    } catch (error) {
      this.#sources.delete(definition.name);
      throw error;
    }
  }

  #seal(name: string, material: SealedMaterial): string {
    if (!this.box) throw new SecretKeyMissingError(`storing the key material of environment "${name}"`);
    return this.box.seal(JSON.stringify(material), purposeOf(name));
  }

  #connectionOf(stored: StoredEnvironment): EngineConnection {
    let material: SealedMaterial = {};
    if (stored.secret !== null) {
      if (!this.box) throw new SecretKeyMissingError('opening its stored key material');
      try {
        material = JSON.parse(this.box.open(stored.secret, purposeOf(stored.name))) as SealedMaterial;
      } catch (error) {
        if (error instanceof SecretOpenError) {
          throw new InvalidInputError(
            'BERTH_SECRET_KEY',
            'its stored key material does not open with this BERTH_SECRET_KEY (another key sealed it)',
          );
        }
        throw error;
      }
    }
    const ssh = material.ssh && {
      ...material.ssh,
      ...(stored.hostKeySha256 !== null && { hostKeySha256: stored.hostKeySha256 }),
    };
    return parse(stored.endpoint, toEndpointMaterial({ ...material, ...(ssh && { ssh }) })).connection;
  }

  #view(definition: EnvironmentDefinition, state?: EngineState): EnvironmentView {
    return {
      name: definition.name,
      endpoint: definition.endpoint,
      kind: KINDS[definition.connection.kind],
      source: definition.source,
      state: state ?? this.environments.get(definition.name).system.engineState(),
      hostKeySha256:
        definition.connection.kind === 'ssh'
          ? (definition.connection.hostKeySha256 ?? this.#trustedHostKeys.get(definition.name) ?? null)
          : null,
    };
  }
}

/** The input's material, checked for size and emptiness (never echoed); the endpoint parse checks the rest. */
function checkMaterial(input: AddEnvironmentInput): SealedMaterial & { ssh?: { hostKeySha256?: string } } {
  const text = (field: string, value: string) => {
    if (value.trim() === '' || value.length > MAX_MATERIAL) {
      throw new InvalidInputError(field, `must be 1 to ${MAX_MATERIAL} characters of PEM text`);
    }
    return value;
  };
  const { tls, ssh } = input;
  return {
    ...(tls && {
      tls: { ca: text('tls.ca', tls.ca), cert: text('tls.cert', tls.cert), key: text('tls.key', tls.key) },
    }),
    ...(ssh && {
      ssh: {
        privateKey: text('ssh.privateKey', ssh.privateKey),
        ...(ssh.passphrase != null && ssh.passphrase !== '' && { passphrase: ssh.passphrase }),
        ...(ssh.hostKeySha256 != null && { hostKeySha256: ssh.hostKeySha256 }),
      },
    }),
  };
}

function toEndpointMaterial(
  material: SealedMaterial & { ssh?: { hostKeySha256?: string } },
): EndpointMaterial {
  const { tls, ssh } = material;
  return {
    tls: tls && { ca: Buffer.from(tls.ca), cert: Buffer.from(tls.cert), key: Buffer.from(tls.key) },
    ssh: ssh && {
      privateKey: Buffer.from(ssh.privateKey),
      passphrase: ssh.passphrase,
      hostKeySha256: ssh.hostKeySha256,
    },
  };
}

function parse(
  endpoint: string,
  material: EndpointMaterial,
): { endpoint: string; connection: EngineConnection } {
  try {
    return parseEnvironmentEndpoint(endpoint, material);
  } catch (error) {
    if (error instanceof EndpointProblem) throw new InvalidInputError(error.field, error.message);
    throw error;
  }
}

function unloadableView(stored: StoredEnvironment, reason: string): EnvironmentView {
  return {
    name: stored.name,
    endpoint: stored.endpoint,
    kind: KINDS[stored.kind],
    source: stored.source,
    state: { status: 'DOWN', downSince: null, lastError: reason, engineVersion: null, swarmRole: null },
    hostKeySha256: stored.hostKeySha256,
  };
}

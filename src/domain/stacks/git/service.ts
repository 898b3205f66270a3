import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { posix } from 'node:path';
import type { Logger } from '../../../shared/logger.js';
import { SecretOpenError, type SecretBox } from '../../../platform/secrets/secret-box.js';
import {
  InvalidComposeError,
  InvalidInputError,
  SecretKeyMismatchError,
  SecretKeyMissingError,
  StackBusyError,
  StackNotFoundError,
} from '../../../shared/errors.js';
import { LOCAL_ENVIRONMENT } from '../../../shared/validation.js';
import type { CreateActor } from '../../lifecycle/journal.js';
import { loadStack } from '../compose/load.js';
import { validateStackName } from '../labels.js';
import type { StackDeployResult } from '../model.js';
import type { StackService } from '../service.js';
import type { StackSyncPort } from '../webhooks.js';
import { checkoutFiles, type GitCheckouts } from './checkouts.js';
import type { GitClient, GitCredentials } from './ports.js';
import type { GitAuthKind, GitSource, GitSourceStore, StoredGitSource } from './store.js';

export interface GitAuthInput {
  token?: string | null | undefined;
  username?: string | null | undefined;
  sshPrivateKey?: string | null | undefined;
}

export interface DeployFromGitRequest {
  name: string;
  repository: string;
  /** A branch or tag; null: the remote's default branch. */
  ref: string | null;
  /** The compose file in the repository; null: compose.yaml, compose.yml, docker-compose.yaml, docker-compose.yml. */
  path: string | null;
  env: string;
  dryRun: boolean;
  removeOrphans: boolean;
  timeoutSeconds: number;
  /** null: BERTH_GIT_POLL_MINUTES. */
  pollMinutes: number | null;
  /** null: none, or the one stored for this stack when the repository is the same. */
  auth: GitAuthInput | null;
}

export interface GitDeployResult {
  deploy: StackDeployResult;
  source: GitSource;
}

export interface SyncResult {
  changed: boolean;
  commit: string;
  previousCommit: string | null;
  /** null when nothing changed. */
  deploy: StackDeployResult | null;
}

export interface GitStackServiceOptions {
  /** Minutes between polls of a stack that does not say: BERTH_GIT_POLL_MINUTES. */
  defaultPollMinutes: number;
  log: Logger;
  /** How long a "minute" of pollMinutes lasts; only tests shorten it. */
  pollMinuteMs?: number;
}

type Actor = CreateActor & { principal: string };

const COMPOSE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];
const MAX_POLL_MINUTES = 7 * 24 * 60;
const MAX_SECRET = 64 * 1024;
const POLL_ACTOR: Actor = { tokenId: null, tokenName: null, action: 'syncStack', principal: 'git-poll' };

/**
 * What a stack's credential is sealed for: a sealed secret copied onto another stack's row, or
 * another environment's stack of the same name, does not open there. Local's keep the form they
 * had before environments.
 */
const purposeOf = (environment: string, stack: string) =>
  environment === LOCAL_ENVIRONMENT ? `git:${stack}` : `git:${environment}/${stack}`;

/**
 * Stacks deployed from a git repository: fetched with the engine gateway's git client into the
 * stack's checkout, then deployed by StackService (the same plan, health gate, rollback, progress
 * and history as deployStack) with the checkout as the stack's files. A sync fetches again and
 * redeploys only when the commit or the files changed. One poller syncs the stacks that ask for it.
 */
export class GitStackService implements StackSyncPort {
  readonly #busy = new Set<string>();
  readonly #defaultPollMinutes: number;
  readonly #log: Logger;
  readonly #minuteMs: number;
  /** When each stack was last polled (or synced), by name. */
  readonly #lastPoll = new Map<string, number>();
  readonly #inFlight = new Set<Promise<unknown>>();
  /** Aborted by stop: a fetch still running is killed rather than waited for. */
  readonly #aborts = new AbortController();
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly stacks: StackService,
    private readonly store: GitSourceStore,
    private readonly checkouts: GitCheckouts,
    private readonly git: GitClient,
    private readonly box: SecretBox | undefined,
    options: GitStackServiceOptions,
  ) {
    this.#defaultPollMinutes = options.defaultPollMinutes;
    this.#log = options.log;
    this.#minuteMs = options.pollMinuteMs ?? 60_000;
  }

  /** The git source of a stack, never its secret; null for a stack not from git. */
  source(stack: string): GitSource | null {
    const stored = this.store.get(stack);
    return stored ? withoutSecret(stored) : null;
  }

  /** The branch or tag a stack follows; null for a stack not from git (the push webhooks' port). */
  followedRef(stack: string): string | null {
    return this.store.get(stack)?.ref ?? null;
  }

  async deployFromGit(request: DeployFromGitRequest, actor: Actor): Promise<GitDeployResult> {
    const name = validateStackName(request.name, 'input.name');
    const repository = validateRepository(request.repository);
    const ref = request.ref === null ? null : validateRef(request.ref);
    const path = request.path === null ? null : validatePath(request.path);
    const pollMinutes = request.pollMinutes ?? this.#defaultPollMinutes;
    if (!Number.isInteger(pollMinutes) || pollMinutes < 0 || pollMinutes > MAX_POLL_MINUTES) {
      throw new InvalidInputError(
        'input.pollMinutes',
        `must be an integer from 0 (off) to ${MAX_POLL_MINUTES}`,
      );
    }
    const existing = this.store.get(name);
    if (!existing && this.stacks.record(name) !== null) {
      throw new InvalidInputError(
        'input.name',
        `stack ${name} was deployed from a compose text; remove it first to deploy it from git`,
      );
    }
    // Sealed before anything is fetched: without a key, nothing is stored and nothing runs.
    const { kind, credentials, secret } = this.#credentialsOf(name, request.auth, existing, repository);
    return this.#exclusive(name, async () => {
      const directory = this.checkouts.checkoutOf(name);
      const fresh = !existsSync(directory);
      const fetched = await this.#fetch(name, { repository, ref, credentials }).catch(
        async (error: unknown) => {
          if (fresh) await rm(this.checkouts.directoryOf(name), { recursive: true, force: true });
          throw error;
        },
      );
      const undo = async () => {
        if (fresh) await rm(this.checkouts.directoryOf(name), { recursive: true, force: true });
        else if (existing?.commit) await this.git.checkout(directory, existing.commit).catch(() => undefined);
      };
      try {
        const composePath = path ?? findComposeFile(directory);
        const source: StoredGitSource = {
          stack: name,
          repository,
          ref: fetched.ref,
          path: composePath,
          auth: kind,
          secret,
          env: request.env,
          removeOrphans: request.removeOrphans,
          timeoutSeconds: request.timeoutSeconds,
          pollMinutes,
          commit: existing?.commit ?? null,
          filesHash: existing?.filesHash ?? null,
          syncedAt: existing?.syncedAt ?? null,
        };
        const { deploy, filesHash } = await this.#deploy(source, fetched.commit, {
          dryRun: request.dryRun,
          action: 'DEPLOY',
          actor,
        });
        if (request.dryRun) {
          await undo();
          return { deploy, source: withoutSecret(source) };
        }
        const kept = deploy.ok || this.stacks.record(name) !== null;
        if (!kept) {
          await undo();
          return { deploy, source: withoutSecret(source) };
        }
        const saved: StoredGitSource = {
          ...source,
          ...(deploy.ok && { commit: fetched.commit, filesHash }),
          syncedAt: new Date(),
        };
        this.store.save(saved);
        this.#lastPoll.set(name, Date.now());
        return { deploy, source: withoutSecret(saved) };
      } catch (error) {
        await undo();
        throw error;
      }
    });
  }

  /** Fetches the stack's ref and redeploys when the commit or the files changed. */
  async sync(stack: string, actor: Actor): Promise<SyncResult> {
    const name = validateStackName(stack);
    const source = this.store.get(name);
    if (!source) {
      if (this.stacks.record(name) !== null)
        throw new InvalidInputError(
          'name',
          `stack ${name} is not deployed from git; there is nothing to sync`,
        );
      throw new StackNotFoundError(name);
    }
    const credentials = this.#open(source);
    return this.#exclusive(name, async () => {
      this.#lastPoll.set(name, Date.now());
      const directory = this.checkouts.checkoutOf(name);
      const fetched = await this.#fetch(name, {
        repository: source.repository,
        ref: source.ref,
        credentials,
      });
      try {
        if (fetched.commit === source.commit && this.#snapshot(source).hash === source.filesHash) {
          this.store.touch(name, new Date());
          return { changed: false, commit: fetched.commit, previousCommit: source.commit, deploy: null };
        }
        const { deploy, filesHash } = await this.#deploy(source, fetched.commit, {
          dryRun: false,
          action: 'SYNC',
          actor,
        });
        // A deploy that did not reach every service keeps the old commit: the next sync tries again.
        this.store.save({
          ...source,
          ...(deploy.ok && { commit: fetched.commit, filesHash }),
          syncedAt: new Date(),
        });
        return { changed: true, commit: fetched.commit, previousCommit: source.commit, deploy };
      } catch (error) {
        if (source.commit) await this.git.checkout(directory, source.commit).catch(() => undefined);
        throw error;
      }
    });
  }

  /** Starts polling the stacks whose pollMinutes is above 0. */
  start(): void {
    const tickMs = Math.max(50, Math.min(this.#minuteMs / 4, 15_000));
    this.#timer = setInterval(() => this.#tick(), tickMs);
    this.#timer.unref();
  }

  /** Stops polling and waits for the syncs it started. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#aborts.abort();
    await Promise.allSettled([...this.#inFlight]);
  }

  #tick(): void {
    const now = Date.now();
    for (const source of this.store.list()) {
      if (source.pollMinutes === 0 || this.#busy.has(source.stack)) continue;
      const last = this.#lastPoll.get(source.stack) ?? source.syncedAt?.getTime() ?? 0;
      if (now - last < source.pollMinutes * this.#minuteMs) continue;
      this.#lastPoll.set(source.stack, now);
      const run = this.sync(source.stack, POLL_ACTOR)
        .then((result) => {
          if (result.changed)
            this.#log.info(
              `git poll: stack ${this.#named(source.stack)} synced to ${result.commit.slice(0, 12)}`,
            );
        })
        .catch((error: unknown) => {
          // Messages of berth's errors are scrubbed of secrets; anything else is only named.
          const text = error instanceof Error && 'code' in error ? error.message : String(error);
          this.#log.warn(`git poll: stack ${this.#named(source.stack)} could not sync: ${text}`);
        })
        .finally(() => this.#inFlight.delete(run));
      this.#inFlight.add(run);
    }
  }

  /** The stack as the log names it: with its environment, when that is not local. */
  #named(stack: string): string {
    const { environment } = this.store;
    return environment === LOCAL_ENVIRONMENT ? stack : `${stack} (environment ${environment})`;
  }

  async #exclusive<T>(stack: string, work: () => Promise<T>): Promise<T> {
    if (this.#busy.has(stack)) throw new StackBusyError(stack);
    this.#busy.add(stack);
    try {
      return await work();
    } finally {
      this.#busy.delete(stack);
    }
  }

  #fetch(stack: string, request: { repository: string; ref: string | null; credentials: GitCredentials }) {
    return this.git.fetch({
      ...request,
      directory: this.checkouts.checkoutOf(stack),
      knownHostsFile: this.checkouts.knownHostsOf(stack),
      signal: this.#aborts.signal,
    });
  }

  /**
   * The compose file, its env (the repository's .env beside it, then the env given), and a hash of
   * them with every file the loader reads (its env_files): loaded once here to learn which.
   */
  #snapshot(source: Pick<StoredGitSource, 'stack' | 'path' | 'env'>) {
    const files = checkoutFiles(this.checkouts.checkoutOf(source.stack), posix.dirname(source.path));
    const compose = files.readFile(posix.basename(source.path));
    if (compose === null || typeof compose === 'object') {
      throw new InvalidComposeError([
        {
          path: '',
          line: null,
          column: null,
          message: `the repository has no compose file ${source.path}${compose ? ` (it ${compose.problem})` : ''}`,
          key: null,
        },
      ]);
    }
    const dotenv = files.readFile('.env');
    const repoEnv = typeof dotenv === 'string' ? dotenv : '';
    // dotenv keeps the last of a repeated name: the env given wins over the repository's.
    const env = repoEnv === '' ? source.env : `${repoEnv}\n${source.env}`;
    loadStack({
      name: source.stack,
      compose,
      env,
      workingDir: files.workingDir,
      readFile: (path) => files.readFile(path),
      contains: (path) => files.contains(path),
    });
    const hash = createHash('sha256')
      .update(JSON.stringify([compose, env, [...files.read].sort(([a], [b]) => a.localeCompare(b))]))
      .digest('hex');
    return { files, compose, env, hash };
  }

  async #deploy(
    source: StoredGitSource,
    commit: string,
    options: { dryRun: boolean; action: 'DEPLOY' | 'SYNC'; actor: Actor },
  ): Promise<{ deploy: StackDeployResult; filesHash: string }> {
    const { files, compose, env, hash } = this.#snapshot(source);
    const deploy = await this.stacks.deploy(
      {
        name: source.stack,
        compose,
        env,
        dryRun: options.dryRun,
        removeOrphans: source.removeOrphans,
        timeoutSeconds: source.timeoutSeconds,
        files,
        history: {
          action: options.action,
          note:
            options.action === 'SYNC' && source.commit && source.commit !== commit
              ? `commit ${commit.slice(0, 12)} (was ${source.commit.slice(0, 12)})`
              : `commit ${commit.slice(0, 12)}`,
        },
      },
      options.actor,
    );
    return { deploy, filesHash: hash };
  }

  #credentialsOf(
    stack: string,
    auth: GitAuthInput | null,
    existing: StoredGitSource | null,
    repository: string,
  ): { kind: GitAuthKind; credentials: GitCredentials; secret: string | null } {
    const token = auth?.token ?? null;
    const key = auth?.sshPrivateKey ?? null;
    if (token === null && key === null) {
      if (auth?.username != null) throw new InvalidInputError('input.auth.username', 'goes with a token');
      // Deployed again from the same repository: the stored credential stays.
      if (existing && existing.repository === repository && existing.auth !== 'NONE' && auth === null) {
        return { kind: existing.auth, credentials: this.#open(existing), secret: existing.secret };
      }
      return { kind: 'NONE', credentials: { kind: 'NONE' }, secret: null };
    }
    if (token !== null && key !== null) {
      throw new InvalidInputError('input.auth', 'give a token or an SSH private key, not both');
    }
    if (!this.box) throw new SecretKeyMissingError("storing a git repository's credential");
    let credentials: GitCredentials;
    if (token !== null) {
      if (token === '' || token.length > MAX_SECRET || /[\0-\x1f]/.test(token)) {
        throw new InvalidInputError(
          'input.auth.token',
          `must be 1 to ${MAX_SECRET} characters, without control characters`,
        );
      }
      const username = auth?.username ?? 'git';
      if (username === '' || username.length > 255 || /[\0-\x1f:]/.test(username)) {
        throw new InvalidInputError(
          'input.auth.username',
          'must be 1 to 255 characters, without ":" or control characters',
        );
      }
      if (!/^https?:\/\//.test(repository)) {
        throw new InvalidInputError(
          'input.auth.token',
          'a token is sent over HTTP(S): the repository must be an https:// URL',
        );
      }
      credentials = { kind: 'TOKEN', username, token };
    } else {
      const privateKey = key!.replace(/\r\n/g, '\n');
      if (
        !/^-----BEGIN [A-Z ]*PRIVATE KEY-----\n[\s\S]+\n-----END [A-Z ]*PRIVATE KEY-----\n?$/.test(
          privateKey,
        ) ||
        privateKey.length > MAX_SECRET
      ) {
        throw new InvalidInputError(
          'input.auth.sshPrivateKey',
          'must be a private key in PEM or OpenSSH form, without a passphrase',
        );
      }
      if (!isSshRepository(repository)) {
        throw new InvalidInputError(
          'input.auth.sshPrivateKey',
          'a deploy key is used over SSH: the repository must be ssh:// or user@host:path',
        );
      }
      credentials = { kind: 'SSH_KEY', privateKey };
    }
    return {
      kind: credentials.kind,
      credentials,
      secret: this.box.seal(JSON.stringify(credentials), purposeOf(this.store.environment, stack)),
    };
  }

  #open(source: StoredGitSource): GitCredentials {
    if (source.auth === 'NONE' || source.secret === null) return { kind: 'NONE' };
    const what = `the stored credential of stack ${source.stack}`;
    if (!this.box) throw new SecretKeyMissingError(`opening ${what}`);
    try {
      return JSON.parse(
        this.box.open(source.secret, purposeOf(this.store.environment, source.stack)),
      ) as GitCredentials;
    } catch (error) {
      if (error instanceof SecretOpenError) throw new SecretKeyMismatchError(what);
      throw error;
    }
  }
}

function withoutSecret(source: StoredGitSource): GitSource {
  const { secret: _secret, ...rest } = source;
  return rest;
}

function findComposeFile(directory: string): string {
  for (const name of COMPOSE_NAMES) {
    const path = posix.join(directory, name);
    if (existsSync(path) && statSync(path).isFile()) return name;
  }
  throw new InvalidComposeError([
    {
      path: '',
      line: null,
      column: null,
      message: `the repository has none of ${COMPOSE_NAMES.join(', ')} at its top; give the compose file's path`,
      key: null,
    },
  ]);
}

/** https://, http://, git://, ssh:// or scp-like user@host:path; never a local path, file:// or ext::. */
export function validateRepository(repository: string): string {
  const text = repository.trim();
  const fail = (why: string): never => {
    throw new InvalidInputError('input.repository', why);
  };
  if (text === '' || text.length > 2048 || /[\s\0-\x1f]/.test(text))
    fail('must be a URL without spaces, at most 2048 characters');
  if (text.startsWith('-')) fail('must not start with "-"');
  const url = /^(https?|git|ssh):\/\/([^/?#]+)(\/[^?#]*)$/.exec(text);
  if (url) {
    // git refuses these too (an ssh host or user read as an option); said here, by name.
    if (/(^|@)-/.test(url[2]!)) fail('must not name a host or user starting with "-"');
    if (url[1] !== 'ssh' && url[2]!.includes('@'))
      fail('must not carry a user or password in the URL: give a token in auth, where it is stored sealed');
    return text;
  }
  if (/^[A-Za-z0-9._][A-Za-z0-9._-]*@[A-Za-z0-9.][A-Za-z0-9.-]*:[^\\]+$/.test(text) && !text.includes('::'))
    return text;
  return fail('must be an https://, http://, git:// or ssh:// URL, or user@host:path');
}

function isSshRepository(repository: string): boolean {
  return repository.startsWith('ssh://') || /^[^/:]+@[^/:]+:/.test(repository);
}

/** A branch or tag name as git allows one (git check-ref-format), and never an option. */
export function validateRef(ref: string): string {
  if (
    ref === '' ||
    ref.length > 255 ||
    ref.startsWith('-') ||
    ref.startsWith('/') ||
    ref.endsWith('/') ||
    ref.endsWith('.lock') ||
    ref.endsWith('.') ||
    ref.includes('..') ||
    ref.includes('@{') ||
    ref.includes('//') ||
    /[\0-\x20\x7f~^:?*[\\]/.test(ref)
  ) {
    throw new InvalidInputError('input.ref', 'must be a branch or tag name (git check-ref-format)');
  }
  return ref;
}

/** A file path inside the repository: relative, no `..`. */
export function validatePath(path: string): string {
  const normalized = posix.normalize(path);
  if (
    path === '' ||
    path.length > 1024 ||
    posix.isAbsolute(normalized) ||
    normalized === '..' ||
    normalized.startsWith('../') ||
    normalized.endsWith('/') ||
    /[\0-\x1f\\]/.test(path)
  ) {
    throw new InvalidInputError(
      'input.path',
      "must be a file's path relative to the repository's top, without ..",
    );
  }
  return normalized;
}

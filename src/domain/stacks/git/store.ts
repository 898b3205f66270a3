import type { BerthDatabase } from '../../../platform/store/database.js';

export const GIT_AUTH_KINDS = ['NONE', 'TOKEN', 'SSH_KEY'] as const;
export type GitAuthKind = (typeof GIT_AUTH_KINDS)[number];

/** Where a stack comes from, as anyone may see it: never its secret. */
export interface GitSource {
  stack: string;
  repository: string;
  /** The branch or tag followed (the default branch's name when none was given). */
  ref: string;
  /** The compose file, relative to the repository's root. */
  path: string;
  auth: GitAuthKind;
  /** The commit the stack runs; null until a deploy from it succeeded. */
  commit: string | null;
  /** What the last deploy read (compose file, env text, env files): a sync with the same commit and files changes nothing. */
  filesHash: string | null;
  syncedAt: Date | null;
  /** Minutes between polls of the repository; 0: none. */
  pollMinutes: number;
  /** The env text given at deploy, over the repository's .env. */
  env: string;
  removeOrphans: boolean;
  timeoutSeconds: number;
}

/** A source as stored: the token or deploy key sealed for `git:<stack>`, null for NONE. */
export interface StoredGitSource extends GitSource {
  secret: string | null;
}

interface Row {
  stack: string;
  repository: string;
  ref: string;
  path: string;
  auth: GitAuthKind;
  secret: string | null;
  env: string;
  remove_orphans: number;
  timeout_seconds: number;
  poll_minutes: number;
  commit_id: string | null;
  files_hash: string | null;
  synced_at: number | null;
}

const toSource = (row: Row): StoredGitSource => ({
  stack: row.stack,
  repository: row.repository,
  ref: row.ref,
  path: row.path,
  auth: row.auth,
  secret: row.secret,
  env: row.env,
  removeOrphans: row.remove_orphans === 1,
  timeoutSeconds: row.timeout_seconds,
  pollMinutes: row.poll_minutes,
  commit: row.commit_id,
  filesHash: row.files_hash,
  syncedAt: row.synced_at === null ? null : new Date(row.synced_at),
});

/** One environment's git sources of stacks (migrations 14 and 21): it sees only that environment's rows. */
export class GitSourceStore {
  readonly #all;
  readonly #get;
  readonly #upsert;
  readonly #synced;
  readonly #delete;

  constructor(
    database: BerthDatabase,
    /** The environment whose stacks these are. */
    readonly environment: string,
  ) {
    this.#all = database.prepare<[string], Row>(
      'SELECT * FROM stack_git_sources WHERE environment = ? ORDER BY stack',
    );
    this.#get = database.prepare<[string, string], Row>(
      'SELECT * FROM stack_git_sources WHERE environment = ? AND stack = ?',
    );
    this.#upsert = database.prepare<[Row & { environment: string }]>(
      `INSERT INTO stack_git_sources (environment, stack, repository, ref, path, auth, secret, env,
         remove_orphans, timeout_seconds, poll_minutes, commit_id, files_hash, synced_at)
       VALUES (@environment, @stack, @repository, @ref, @path, @auth, @secret, @env, @remove_orphans,
         @timeout_seconds, @poll_minutes, @commit_id, @files_hash, @synced_at)
       ON CONFLICT (environment, stack) DO UPDATE SET repository = @repository, ref = @ref, path = @path, auth = @auth,
         secret = @secret, env = @env, remove_orphans = @remove_orphans, timeout_seconds = @timeout_seconds,
         poll_minutes = @poll_minutes, commit_id = @commit_id, files_hash = @files_hash, synced_at = @synced_at`,
    );
    this.#synced = database.prepare<[number, string, string]>(
      'UPDATE stack_git_sources SET synced_at = ? WHERE environment = ? AND stack = ?',
    );
    this.#delete = database.prepare<[string, string]>(
      'DELETE FROM stack_git_sources WHERE environment = ? AND stack = ?',
    );
  }

  list(): StoredGitSource[] {
    return this.#all.all(this.environment).map(toSource);
  }

  get(stack: string): StoredGitSource | null {
    const row = this.#get.get(this.environment, stack);
    return row ? toSource(row) : null;
  }

  save(source: StoredGitSource): void {
    this.#upsert.run({
      environment: this.environment,
      stack: source.stack,
      repository: source.repository,
      ref: source.ref,
      path: source.path,
      auth: source.auth,
      secret: source.secret,
      env: source.env,
      remove_orphans: source.removeOrphans ? 1 : 0,
      timeout_seconds: source.timeoutSeconds,
      poll_minutes: source.pollMinutes,
      commit_id: source.commit,
      files_hash: source.filesHash,
      synced_at: source.syncedAt?.getTime() ?? null,
    });
  }

  /** A sync that found nothing new still says when it looked. */
  touch(stack: string, at: Date): void {
    this.#synced.run(at.getTime(), this.environment, stack);
  }

  delete(stack: string): void {
    this.#delete.run(this.environment, stack);
  }
}

/**
 * What the git stacks need of git, implemented by the engine gateway (src/engine/git.ts) with the
 * git CLI. The domain decides what is fetched, where and with which credentials; the adapter only
 * runs git and translates its failures into GIT_FAILED.
 */

/** How berth authenticates to a repository: never logged, never answered. */
export type GitCredentials =
  | { kind: 'NONE' }
  | { kind: 'TOKEN'; username: string; token: string }
  | { kind: 'SSH_KEY'; privateKey: string };

export interface GitFetchRequest {
  /** The URL as the user gave it (https://, http://, git://, ssh:// or user@host:path). */
  repository: string;
  /** A branch or tag; null: the remote's default branch. */
  ref: string | null;
  /** The work tree the commit is checked out in; made when absent. Its git directory is inside it. */
  directory: string;
  credentials: GitCredentials;
  /** The known_hosts file of this stack's SSH host keys (first use accepts and records the key). */
  knownHostsFile: string;
  /** Aborted when berth stops: git is killed and the fetch fails. */
  signal?: AbortSignal;
}

export interface GitFetchResult {
  /** The commit checked out, 40 hex digits. */
  commit: string;
  /** The ref fetched: as asked, or the default branch's name (`main`) when none was. */
  ref: string;
}

export interface GitClient {
  /** Fetches only `ref` (depth 1) and checks its commit out in `directory`; GIT_FAILED on failure. */
  fetch(request: GitFetchRequest): Promise<GitFetchResult>;
  /** Checks out `commit`, one fetched before into `directory` (a deploy that failed is undone with it). */
  checkout(directory: string, commit: string): Promise<void>;
}

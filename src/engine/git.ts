import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
  GitClient,
  GitCredentials,
  GitFetchRequest,
  GitFetchResult,
} from '../domain/stacks/git/ports.js';
import { GitFailedError, type GitFailureReason } from '../shared/errors.js';

/**
 * The git CLI as the git stacks' client. git runs with an argument array (no shell), a timeout, no
 * prompt, and none of the system's or the user's configuration, so nothing on the host changes
 * what it fetches or where it sends a credential. A secret never reaches argv (which `ps` shows to
 * every user) nor a URL: a token goes in an HTTP header through git's environment-borne
 * configuration (GIT_CONFIG_COUNT), a deploy key in a 0600 file of a private directory removed
 * after the call. git's stderr is scrubbed of the secret before it is part of an error.
 */

const TIMEOUT_MS = 120_000;
const MAX_OUTPUT = 4 * 1024 * 1024;
/** git finds its own helpers (git-remote-http, ssh) here; berth's environment is not passed on. */
const SEARCH_PATH = '/usr/local/bin:/usr/bin:/bin';

export interface GitCliOptions {
  /** The git binary; `git` on SEARCH_PATH by default. */
  binary?: string;
  timeoutMs?: number;
}

export class GitCli implements GitClient {
  readonly #binary: string;
  readonly #timeoutMs: number;

  constructor(options: GitCliOptions = {}) {
    this.#binary = options.binary ?? 'git';
    this.#timeoutMs = options.timeoutMs ?? TIMEOUT_MS;
  }

  async fetch(request: GitFetchRequest): Promise<GitFetchResult> {
    const session = await GitSession.open(request.credentials, request.knownHostsFile);
    try {
      const run = (args: string[], cwd?: string) =>
        this.#run(args, session, request.repository, cwd, request.signal);
      const ref = request.ref ?? (await this.#defaultBranch(request.repository, run));
      await mkdir(request.directory, { recursive: true });
      await run(['init', '--quiet', request.directory]);
      // `--` ends the options: a repository or ref that looked like one is only ever an operand.
      await run(
        ['fetch', '--quiet', '--depth', '1', '--no-tags', '--', request.repository, ref],
        request.directory,
      );
      const commit = (await run(['rev-parse', '--verify', 'FETCH_HEAD^{commit}'], request.directory)).trim();
      await run(['checkout', '--quiet', '--force', '--detach', commit], request.directory);
      return { commit, ref };
    } finally {
      await session.close();
    }
  }

  async checkout(directory: string, commit: string): Promise<void> {
    const session = await GitSession.open({ kind: 'NONE' }, '/dev/null');
    try {
      await this.#run(['checkout', '--quiet', '--force', '--detach', commit], session, directory, directory);
    } finally {
      await session.close();
    }
  }

  /** `git ls-remote --symref <url> HEAD` answers `ref: refs/heads/main\tHEAD` first. */
  async #defaultBranch(repository: string, run: (args: string[]) => Promise<string>): Promise<string> {
    const out = await run(['ls-remote', '--symref', '--', repository, 'HEAD']);
    const match = /^ref: refs\/heads\/(\S+)\tHEAD$/m.exec(out);
    if (!match?.[1]) {
      throw new GitFailedError(
        repository,
        'REF_NOT_FOUND',
        'the repository names no default branch (an empty repository?); give a ref',
      );
    }
    return match[1];
  }

  #run(
    args: string[],
    session: GitSession,
    repository: string,
    cwd?: string,
    signal?: AbortSignal,
  ): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(
        this.#binary,
        ['-c', 'advice.detachedHead=false', '-c', 'core.hooksPath=/dev/null', ...args],
        {
          env: session.env,
          timeout: this.#timeoutMs,
          killSignal: 'SIGKILL',
          maxBuffer: MAX_OUTPUT,
          encoding: 'utf8',
          windowsHide: true,
          ...(cwd !== undefined && { cwd }),
          ...(signal !== undefined && { signal }),
        },
        (error, stdout, stderr) => {
          if (!error) {
            resolve(stdout);
            return;
          }
          if (signal?.aborted) {
            reject(new GitFailedError(repository, 'FAILED', 'berth is stopping'));
            return;
          }
          const timedOut = error.killed === true || error.signal === 'SIGKILL';
          const text = session.scrub(`${stderr}`.trim() || error.message);
          reject(
            new GitFailedError(
              repository,
              timedOut ? 'TIMEOUT' : reasonOf(text),
              timedOut ? `git took longer than ${Math.round(this.#timeoutMs / 1000)} s` : lastLines(text),
            ),
          );
        },
      );
    });
  }
}

/** The environment of one fetch, and the private files it needs, removed by `close`. */
class GitSession {
  private constructor(
    readonly env: Record<string, string>,
    private readonly secrets: string[],
    private readonly directory: string,
  ) {}

  static async open(credentials: GitCredentials, knownHostsFile: string): Promise<GitSession> {
    // A private, empty HOME: no ~/.gitconfig, ~/.ssh/config or credential store of the host is read.
    const directory = await mkdtemp(join(tmpdir(), 'berth-git-'));
    const env: Record<string, string> = {
      PATH: SEARCH_PATH,
      HOME: directory,
      LANG: 'C',
      LC_ALL: 'C',
      GIT_TERMINAL_PROMPT: '0',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      // No file://, ext:: or local paths, neither asked for nor reached by a redirect or a submodule.
      GIT_ALLOW_PROTOCOL: 'http:https:git:ssh',
      GIT_SSH_VARIANT: 'ssh',
    };
    const secrets: string[] = [];
    const ssh = [
      'ssh',
      '-F',
      '/dev/null',
      '-o',
      'BatchMode=yes',
      '-o',
      'StrictHostKeyChecking=accept-new',
      '-o',
      `UserKnownHostsFile=${shellQuote(knownHostsFile)}`,
    ];
    if (credentials.kind === 'TOKEN') {
      const basic = Buffer.from(`${credentials.username}:${credentials.token}`, 'utf8').toString('base64');
      env['GIT_CONFIG_COUNT'] = '2';
      env['GIT_CONFIG_KEY_0'] = 'http.extraHeader';
      env['GIT_CONFIG_VALUE_0'] = `Authorization: Basic ${basic}`;
      // The header goes with every request git makes: a redirect must not take it to another host.
      env['GIT_CONFIG_KEY_1'] = 'http.followRedirects';
      env['GIT_CONFIG_VALUE_1'] = 'false';
      secrets.push(credentials.token, basic);
    } else if (credentials.kind === 'SSH_KEY') {
      const keyFile = join(directory, 'deploy-key');
      const key = credentials.privateKey.endsWith('\n')
        ? credentials.privateKey
        : `${credentials.privateKey}\n`;
      await writeFile(keyFile, key, { mode: 0o600 });
      ssh.push('-i', shellQuote(keyFile), '-o', 'IdentitiesOnly=yes');
      secrets.push(...credentials.privateKey.split('\n').filter((line) => line.length >= 16));
    }
    // git runs GIT_SSH_COMMAND through sh; every part is berth's own, and quoted.
    env['GIT_SSH_COMMAND'] = ssh.join(' ');
    return new GitSession(env, secrets, directory);
  }

  scrub(text: string): string {
    let scrubbed = text;
    for (const secret of this.secrets) scrubbed = scrubbed.split(secret).join('***');
    return scrubbed;
  }

  async close(): Promise<void> {
    await rm(this.directory, { recursive: true, force: true });
  }
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** git's words, classified: each asks for another fix. */
function reasonOf(stderr: string): GitFailureReason {
  // git daemon's one answer for a repository it lacks and one it does not serve.
  if (/repository not exported/i.test(stderr)) return 'UNREACHABLE';
  if (
    /Authentication failed|could not read (Username|Password)|Permission denied \(publickey|returned error: 40[13]|HTTP 40[13]|access denied|Host key verification failed/i.test(
      stderr,
    )
  )
    return 'AUTH_REFUSED';
  if (/couldn't find remote ref|Remote branch .* not found|not our ref|no such ref/i.test(stderr))
    return 'REF_NOT_FOUND';
  if (
    /Could not resolve host|Connection refused|unable to connect|Connection timed out|No route to host|Could not read from remote repository|does not appear to be a git repository|not found|Network is unreachable/i.test(
      stderr,
    )
  )
    return 'UNREACHABLE';
  return 'FAILED';
}

function lastLines(text: string): string {
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  return lines.slice(-3).join('; ').slice(0, 500) || 'git failed';
}

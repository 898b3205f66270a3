import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort, listening, makeSshKey, run, SEARCH_PATH, startSshd, stopProcess } from './sshd.js';

export { freePort, run } from './sshd.js';

/**
 * Real git servers on loopback for the git stacks' tests: bare repositories the test makes, a
 * working clone that commits and pushes to them, and three ways to serve them: `git daemon`
 * (git://, anonymous), `git http-backend` behind a node HTTP server that demands Basic auth with
 * a token (http://), and sshd with a deploy key (ssh://). The test's own git never reads the
 * host's configuration.
 */

/** An environment for the test's git: no system or user configuration, no prompt. */
function gitEnv(home: string): Record<string, string> {
  return {
    PATH: SEARCH_PATH,
    HOME: home,
    LANG: 'C',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    GIT_AUTHOR_NAME: 'berth test',
    GIT_AUTHOR_EMAIL: 'test@berth.invalid',
    GIT_COMMITTER_NAME: 'berth test',
    GIT_COMMITTER_EMAIL: 'test@berth.invalid',
  };
}

/** A bare repository under `root` and a working clone of it that commits and pushes. */
export class WorkingRepo {
  private constructor(
    readonly name: string,
    /** The bare repository. */
    readonly bare: string,
    readonly work: string,
    private readonly env: Record<string, string>,
  ) {}

  /** Makes `<root>/<name>.git` (default branch `main`) and its clone. */
  static async create(root: string, name: string): Promise<WorkingRepo> {
    const home = await mkdtemp(join(tmpdir(), 'berth-git-home-'));
    const env = gitEnv(home);
    const bare = join(root, `${name}.git`);
    const work = join(home, 'work');
    await run('git', ['init', '--quiet', '--bare', '--initial-branch=main', bare], { env });
    await run('git', ['init', '--quiet', '--initial-branch=main', work], { env });
    return new WorkingRepo(name, bare, work, env);
  }

  async write(files: Record<string, string>): Promise<void> {
    for (const [path, text] of Object.entries(files)) {
      await mkdir(dirname(join(this.work, path)), { recursive: true });
      await writeFile(join(this.work, path), text);
    }
  }

  async git(...args: string[]): Promise<string> {
    return run('git', args, { cwd: this.work, env: this.env });
  }

  /** Commits everything and pushes `branch` to the bare repository; answers the commit. */
  async commitAndPush(message: string, branch = 'main'): Promise<string> {
    await this.git('add', '--all');
    await this.git('commit', '--quiet', '--allow-empty', '-m', message);
    await this.git('push', '--quiet', '--force', this.bare, `HEAD:refs/heads/${branch}`);
    return (await this.git('rev-parse', 'HEAD')).trim();
  }

  async remove(): Promise<void> {
    await rm(this.env['HOME']!, { recursive: true, force: true });
  }
}

export interface GitServer {
  /** The directory the repositories are in. */
  readonly root: string;
  /** The URL of `<root>/<name>.git`. */
  url(name: string): string;
  stop(): Promise<void>;
}

/** `git daemon` serving every repository under a new root, anonymously, on a free loopback port. */
export async function startGitDaemon(): Promise<GitServer> {
  const root = await mkdtemp(join(tmpdir(), 'berth-git-daemon-'));
  const port = await freePort();
  const child = spawn(
    'git',
    [
      'daemon',
      '--reuseaddr',
      `--base-path=${root}`,
      '--export-all',
      '--enable=receive-pack',
      '--listen=127.0.0.1',
      `--port=${port}`,
      root,
    ],
    { env: gitEnv(root), stdio: 'ignore' },
  );
  await listening(port);
  return {
    root,
    url: (name) => `git://127.0.0.1:${port}/${name}.git`,
    async stop() {
      await stopProcess(child);
      await rm(root, { recursive: true, force: true });
    },
  };
}

export interface HttpGitServer extends GitServer {
  /** Every request's Authorization header, as received (undefined when it had none). */
  readonly authorizations: (string | undefined)[];
  /** `http://127.0.0.1:<port>`. */
  readonly base: string;
}

/**
 * `git http-backend` as CGI behind a node HTTP server that answers 401 unless the request carries
 * HTTP Basic credentials whose password is `token` (any user name, as the forges take tokens).
 */
export async function startHttpGitServer(
  token: string,
  /** Answer every request with a 301 to the same path under this base URL instead. */
  options: { redirectTo?: string } = {},
): Promise<HttpGitServer> {
  const root = await mkdtemp(join(tmpdir(), 'berth-git-http-'));
  const authorizations: (string | undefined)[] = [];
  const authorized = (header: string | undefined) => {
    if (!header?.startsWith('Basic ')) return false;
    const decoded = Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8');
    return decoded.slice(decoded.indexOf(':') + 1) === token;
  };
  const server = createHttpServer((request: IncomingMessage, response: ServerResponse) => {
    authorizations.push(request.headers.authorization);
    if (options.redirectTo !== undefined) {
      response.writeHead(301, { location: `${options.redirectTo}${request.url ?? '/'}` }).end();
      return;
    }
    if (!authorized(request.headers.authorization)) {
      response.writeHead(401, { 'www-authenticate': 'Basic realm="berth test"' }).end('unauthorized\n');
      return;
    }
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const cgi = spawn('git', ['http-backend'], {
      env: {
        ...gitEnv(root),
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: '1',
        REQUEST_METHOD: request.method ?? 'GET',
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.replace(/^\?/, ''),
        CONTENT_TYPE: request.headers['content-type'] ?? '',
        REMOTE_USER: 'token',
        REMOTE_ADDR: '127.0.0.1',
        GIT_PROTOCOL: String(request.headers['git-protocol'] ?? ''),
        HTTP_CONTENT_ENCODING: String(request.headers['content-encoding'] ?? ''),
      },
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    request.pipe(cgi.stdin);
    let head = Buffer.alloc(0);
    let headersDone = false;
    cgi.stdout.on('data', (chunk: Buffer) => {
      if (headersDone) {
        response.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) return;
      headersDone = true;
      let status = 200;
      for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
        const colon = line.indexOf(':');
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
        else response.setHeader(name, value);
      }
      response.writeHead(status);
      response.write(head.subarray(end + 4));
    });
    cgi.on('close', () => response.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    root,
    authorizations,
    url: (name) => `http://127.0.0.1:${port}/${name}.git`,
    base: `http://127.0.0.1:${port}`,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await rm(root, { recursive: true, force: true });
    },
  };
}

export interface SshGitServer extends GitServer {
  /** The deploy key sshd accepts (OpenSSH form, no passphrase). */
  readonly privateKey: string;
  /** The line a known_hosts file holds for this server's host key. */
  readonly hostKey: string;
}

/**
 * sshd (test/support/sshd.ts) taking one deploy key for this process's user; git-upload-pack from
 * the login's PATH serves the fetch.
 */
export async function startSshGitServer(): Promise<SshGitServer> {
  const root = await mkdtemp(join(tmpdir(), 'berth-git-ssh-'));
  const keys = await mkdtemp(join(tmpdir(), 'berth-git-deploy-'));
  try {
    const deploy = await makeSshKey(join(keys, 'deploy_ed25519'), 'berth-test-deploy');
    const sshd = await startSshd({ authorizedKeys: [deploy.publicKey] });
    return {
      root,
      privateKey: deploy.privateKey,
      hostKey: `[127.0.0.1]:${sshd.port} ${sshd.hostPublicKey}`,
      url: (name) => `ssh://${sshd.user}@127.0.0.1:${sshd.port}${join(root, `${name}.git`)}`,
      async stop() {
        await sshd.stop();
        await rm(root, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  } finally {
    await rm(keys, { recursive: true, force: true });
  }
}

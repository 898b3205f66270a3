import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './wait.js';

/**
 * OpenSSH's server on a free loopback port, run by this process with a host key of its own and
 * the keys a test makes: for git over ssh:// (git-server.ts) and for ssh:// engines
 * (test/harness/remote-engines.ts).
 */

export const SEARCH_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd: options.cwd, env: options.env ?? { PATH: SEARCH_PATH }, encoding: 'utf8', timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${command} ${args.join(' ')} failed: ${stderr || error.message}`));
        else resolve(stdout);
      },
    );
  });
}

/** A port the OS says is free now (for servers that cannot listen on port 0 and tell). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts TCP connections on 127.0.0.1:`port`. */
export async function listening(port: number, timeoutMs = 10_000): Promise<void> {
  await waitFor(
    () =>
      new Promise<true>((resolve, reject) => {
        const socket = createConnection({ host: '127.0.0.1', port }, () => {
          socket.end();
          resolve(true);
        });
        socket.once('error', reject);
      }),
    timeoutMs,
    50,
  );
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** A new ed25519 key pair without a passphrase at `file` and `file.pub`. */
export async function makeSshKey(
  file: string,
  comment: string,
): Promise<{ privateKey: string; publicKey: string }> {
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file]);
  return {
    privateKey: await readFile(file, 'utf8'),
    publicKey: (await readFile(`${file}.pub`, 'utf8')).trim(),
  };
}

export interface Sshd {
  readonly port: number;
  /** The user the server lets in (this process's). */
  readonly user: string;
  /** The server's host public key, `ssh-ed25519 AAAA…`. */
  readonly hostPublicKey: string;
  /** Its fingerprint as `ssh-keygen -lf` prints it: `SHA256:…`. */
  readonly hostKeySha256: string;
  /** The listening sshd's pid; each connection it accepts is served by a child of it. */
  readonly pid: number;
  /** sshd's log so far (LogLevel INFO: one "Accepted publickey" line per login). */
  log(): string;
  stop(): Promise<void>;
}

/**
 * sshd on a free loopback port, taking `authorizedKeys` for this process's user. As root, sshd
 * needs its privilege separation directory, which Debian's package makes only when its service
 * starts. `config` adds sshd_config lines (e.g. `SetEnv NAME=value`, `MaxSessions 4`).
 */
export async function startSshd(options: {
  authorizedKeys: readonly string[];
  config?: readonly string[];
}): Promise<Sshd> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-sshd-'));
  try {
    const hostKeyFile = join(dir, 'host_ed25519');
    const host = await makeSshKey(hostKeyFile, 'berth-test-host');
    await writeFile(join(dir, 'authorized_keys'), `${options.authorizedKeys.join('\n')}\n`, { mode: 0o600 });
    const port = await freePort();
    const user = userInfo().username;
    const config = join(dir, 'sshd_config');
    await writeFile(
      config,
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${hostKeyFile}`,
        `PidFile ${join(dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
        `AllowUsers ${user}`,
        'PubkeyAuthentication yes',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PermitRootLogin prohibit-password',
        // The keys sit under the world-writable tmpdir, which strict modes would refuse.
        'StrictModes no',
        'UsePAM no',
        'LogLevel INFO',
        ...(options.config ?? []),
        '',
      ].join('\n'),
    );
    if (userInfo().uid === 0) await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
    const child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], {
      env: { PATH: SEARCH_PATH },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    try {
      await listening(port);
    } catch (error) {
      child.kill('SIGKILL');
      throw new Error(`sshd did not start: ${stderr || String(error)}`);
    }
    const fingerprint = await run('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${hostKeyFile}.pub`]);
    return {
      port,
      user,
      hostPublicKey: host.publicKey.split(' ').slice(0, 2).join(' '),
      hostKeySha256: fingerprint.split(' ')[1] ?? '',
      pid: child.pid ?? 0,
      log: () => stderr,
      async stop() {
        await stopProcess(child);
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

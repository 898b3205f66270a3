// Private engines reached the way remote ones are: over TCP with mutual TLS, and over SSH with
// `docker system dial-stdio`. Each is a dockerd of its own (its own bridge, beside the shared
// engine), with the test image, on loopback only. The caller stops what it starts.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { makeCertificates } from '../support/certificates.js';
import { freePort, makeSshKey, startSshd, type Sshd } from '../support/sshd.js';
import { ensureTestImage, startEngine, stopEngine, type StartedEngine } from './engine.js';

export interface TlsEngine {
  /** `tcp://127.0.0.1:<port>`: the engine's TLS listener, which demands a client certificate. */
  readonly dockerHost: string;
  readonly host: string;
  readonly port: number;
  /** The CA that signed the engine's certificate and the client's. */
  readonly ca: Buffer;
  /** A client certificate and key the engine accepts. */
  readonly cert: Buffer;
  readonly key: Buffer;
  /** The dockerd itself; its unix socket (`engine.dockerHost`) answers without TLS, for set-up. */
  readonly engine: StartedEngine;
  stop(): Promise<void>;
}

/** A private dockerd listening on `tcp://127.0.0.1:<free port>` with `--tlsverify`. */
export async function startTlsEngine(): Promise<TlsEngine> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-tls-engine-'));
  let engine: StartedEngine | undefined;
  try {
    const certificates = await makeCertificates(dir);
    const port = await freePort();
    engine = await startEngine({
      isolatedBridge: true,
      extraArgs: [
        '--host',
        `tcp://127.0.0.1:${port}`,
        '--tlsverify',
        '--tlscacert',
        certificates.files.ca,
        '--tlscert',
        certificates.files.serverCert,
        '--tlskey',
        certificates.files.serverKey,
      ],
    });
    await ensureTestImage(engine.dockerHost);
    const started = engine;
    return {
      dockerHost: `tcp://127.0.0.1:${port}`,
      host: '127.0.0.1',
      port,
      ca: certificates.ca,
      cert: certificates.client.cert,
      key: certificates.client.key,
      engine: started,
      async stop() {
        await stopEngine(started);
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    if (engine) await stopEngine(engine);
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

export interface SshEngine {
  /** `ssh://<user>@127.0.0.1:<port>`, as DOCKER_HOST or an environment's endpoint names it. */
  readonly endpoint: string;
  readonly host: string;
  readonly port: number;
  readonly username: string;
  /** The key sshd takes for `username` (OpenSSH form, no passphrase). */
  readonly privateKey: Buffer;
  /** Its public half, as authorized_keys holds it (for another sshd in front of the same engine). */
  readonly publicKey: string;
  /** sshd's host key fingerprint, `SHA256:…`. */
  readonly hostKeySha256: string;
  /** The private engine's unix socket, which the SSH session's `docker` talks to. */
  readonly dockerHost: string;
  readonly engine: StartedEngine;
  /** The sshd (its log, its pid: each SSH connection is served by a child of it). */
  readonly sshd: Sshd;
  stop(): Promise<void>;
}

/**
 * A private dockerd and an sshd on loopback whose sessions' `docker` talks to it (SetEnv
 * DOCKER_HOST, OpenSSH 8.7 or later), so `docker system dial-stdio` over SSH reaches that engine.
 * `sshdConfig` adds sshd_config lines (e.g. `MaxSessions 4`).
 */
export async function startSshEngine(options: { sshdConfig?: readonly string[] } = {}): Promise<SshEngine> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-ssh-engine-'));
  let engine: StartedEngine | undefined;
  let sshd: Sshd | undefined;
  try {
    const client = await makeSshKey(join(dir, 'id_ed25519'), 'berth-test-engine-client');
    engine = await startEngine({ isolatedBridge: true });
    await ensureTestImage(engine.dockerHost);
    sshd = await startSshd({
      authorizedKeys: [client.publicKey],
      config: [`SetEnv DOCKER_HOST=${engine.dockerHost}`, ...(options.sshdConfig ?? [])],
    });
    const [started, server] = [engine, sshd];
    return {
      endpoint: `ssh://${server.user}@127.0.0.1:${server.port}`,
      host: '127.0.0.1',
      port: server.port,
      username: server.user,
      privateKey: Buffer.from(client.privateKey),
      publicKey: client.publicKey,
      hostKeySha256: server.hostKeySha256,
      dockerHost: started.dockerHost,
      engine: started,
      sshd: server,
      async stop() {
        await server.stop();
        await stopEngine(started);
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await sshd?.stop();
    if (engine) await stopEngine(engine);
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

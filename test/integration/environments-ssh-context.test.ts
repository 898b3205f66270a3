import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_LABEL, testDocker } from '../harness/docker.js';
import { ensureTestImage } from '../harness/engine.js';
import { startSshEngine, type SshEngine } from '../harness/remote-engines.js';
import { startBerth, uniqueName, type BerthClient, type RunningBerth } from '../support/berth.js';
import { ImportDockerContexts, ListContainers, ListEnvironments } from '../support/operations/index.js';
import { waitFor } from '../support/wait.js';

/**
 * A Docker CLI context with an ssh:// endpoint, pointing at a real sshd in front of a private
 * engine, imported by a berth whose BERTH_SSH_KEY_FILE holds the key that sshd takes: it logs in
 * with that key, trusts and pins the host key it meets first, and lists the engine's containers.
 */

const SECRET_KEY = 'ssh-context-test-secret-key-of-at-least-32-characters';
const CONTEXT = uniqueName('ctx-ssh').toLowerCase();
const LABEL = uniqueName('ssh-context');

let sshEngine: SshEngine;
let dir: string;
let berth: RunningBerth;
let admin: BerthClient;

/** A context as `docker context create --docker host=ssh://…` stores it: meta.json under the SHA-256 of its name. */
async function writeSshContext(configDir: string, name: string, host: string): Promise<void> {
  const meta = join(configDir, 'contexts', 'meta', createHash('sha256').update(name).digest('hex'));
  await mkdir(meta, { recursive: true });
  await writeFile(
    join(meta, 'meta.json'),
    JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: host, SkipTLSVerify: false } } }),
  );
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-ssh-context-'));
  sshEngine = await startSshEngine();
  await writeFile(join(dir, 'id_berth'), sshEngine.privateKey, { mode: 0o600 });
  await writeSshContext(join(dir, 'docker'), CONTEXT, sshEngine.endpoint);
  berth = await startBerth({
    BERTH_AUTH: 'on',
    BERTH_SECRET_KEY: SECRET_KEY,
    BERTH_SSH_KEY_FILE: join(dir, 'id_berth'),
    DOCKER_CONFIG: join(dir, 'docker'),
  });
  admin = berth.asRole('admin', uniqueName('ssh-context-admin'));
}, 180_000);

afterAll(async () => {
  await berth?.stop();
  await sshEngine?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 120_000);

describe('importDockerContexts with an ssh:// context', () => {
  it('imports it with BERTH_SSH_KEY_FILE’s key: UP, its host key pinned, its containers listed', async () => {
    const image = await ensureTestImage(sshEngine.dockerHost);
    const docker = testDocker(sshEngine.dockerHost);
    const name = uniqueName('over-ssh');
    const container = await docker.createContainer({
      name,
      Image: image,
      Cmd: ['sleep', '300'],
      Labels: { [TEST_LABEL]: LABEL },
    });
    try {
      const { importDockerContexts } = await admin.query(ImportDockerContexts, {});
      if (importDockerContexts.__typename !== 'ImportDockerContextsSuccess')
        throw new Error(JSON.stringify(importDockerContexts));
      expect(importDockerContexts.result.skipped).toEqual([]);
      expect(importDockerContexts.result.imported).toMatchObject([
        { name: CONTEXT, kind: 'SSH', source: 'DOCKER_CONTEXT', endpoint: sshEngine.endpoint },
      ]);

      await waitFor(async () => {
        const { environments } = await admin.query(ListEnvironments, {});
        expect(environments.find((environment) => environment.name === CONTEXT)).toMatchObject({
          status: 'UP',
          // Trusted at the first connection, as an ssh environment added without a fingerprint.
          hostKeySha256: sshEngine.hostKeySha256,
        });
      }, 30_000);

      // Listed once its index has caught up with the engine (UP comes first, with the event stream).
      await waitFor(async () => {
        const { containers } = await admin.query(ListContainers, {
          environment: CONTEXT,
          filter: { label: `${TEST_LABEL}=${LABEL}` },
        });
        expect(containers.map((listed) => [listed.id, listed.environment])).toEqual([
          [container.id, CONTEXT],
        ]);
      }, 30_000);

      // Imported once: a second import skips it by name, with its code.
      const again = await admin.query(ImportDockerContexts, {});
      expect(again.importDockerContexts).toMatchObject({
        result: { imported: [], skipped: [{ context: CONTEXT, code: 'NAME_IN_USE' }] },
      });
    } finally {
      await container.remove({ force: true });
    }
  }, 90_000);
});

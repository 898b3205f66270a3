import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { validateCreateSpec } from '../../src/domain/lifecycle/validation.js';
import { validateCreateNetwork } from '../../src/domain/networks/validation.js';
import { validateRedeploy } from '../../src/domain/redeploy/validation.js';
import { ENGINE_OPERATIONS, SWARM_OPERATIONS, type Operation } from '../../src/engine/operations.js';
import { NotSwarmManagerError } from '../../src/shared/errors.js';
import { TEST_LABEL, cleanupLabelled, testDocker } from '../harness/docker.js';
import { pushToRegistry } from '../harness/engine.js';
import { startBerth, uniqueName, type RunningBerth } from '../support/berth.js';
import { timedOperations } from '../support/engine-calls.js';
import { waitFor } from '../support/wait.js';

/**
 * Every kind of engine call berth makes (ENGINE_OPERATIONS) passes the one wrapper that times it:
 * each kind is provoked here through berth's domain services, against the real engine, and then
 * `/metrics` must hold a `berth_docker_call_duration_seconds` series for it. A kind added to the
 * list but provoked nowhere fails the last test.
 */

const FILE = 'engine-calls';
const label = { name: TEST_LABEL, value: FILE };

/** Kinds this file cannot provoke on the shared engine, and why; each is provoked elsewhere. */
const PROVOKED_ELSEWHERE = Object.fromEntries(
  SWARM_OPERATIONS.map((operation) => [
    operation,
    'only a swarm manager answers it, and the shared engine must never enter swarm mode: ' +
      'test/integration/swarm.test.ts provokes it on a private one-node swarm and checks its series',
  ]),
) as Partial<Record<Operation, string>>;

let berth: RunningBerth;
let docker: Docker;
const networks: string[] = [];
const volumes: string[] = [];
let pulled: string | undefined;

beforeAll(async () => {
  docker = testDocker(inject('dockerHost'));
  // The engine's stats API, for the stats stream kind; sampled only while watched, so that only
  // this file's container is read through it.
  berth = await startBerth(
    { BERTH_STATS_SOURCE: 'docker-api', BERTH_STATS_SAMPLE: 'watched' },
    { label: FILE },
  );
});

afterAll(async () => {
  await berth?.stop();
  if (!docker) return;
  await cleanupLabelled(docker, `${TEST_LABEL}=${FILE}`);
  for (const name of networks) {
    await docker
      .getNetwork(name)
      .remove()
      .catch(() => undefined);
  }
  for (const name of volumes) {
    await docker
      .getVolume(name)
      .remove()
      .catch(() => undefined);
  }
  if (pulled) {
    await docker
      .getImage(pulled)
      .remove({ force: true })
      .catch(() => undefined);
  }
});

describe('every kind of engine call is timed', () => {
  it('provokes the container kinds: create, start, logs, exec, a terminal, stats, stop, restart, remove', async () => {
    const { containers, logs, exec } = berth.app.context.environments.local;
    const created = await containers.create(
      validateCreateSpec({ name: uniqueName(FILE), image: inject('testImage'), labels: [label] }),
    );
    expect(created.status).toBe('RUNNING');

    await logs.lines(created, { tail: 10 });
    const following = await logs.follow(created, { tail: 0 });
    await following.return();
    expect(await exec.run(created, { command: ['true'] })).toMatchObject({ exitCode: 0 });
    // A terminal: its shell looked for (archive.stat), started and resized (exec.resize).
    const session = await berth.app.context.environments.local.terminal.open(created, {});
    await session.resize(100, 30);
    await session.close();

    const release = berth.app.stats.acquire(created.id);
    try {
      await waitFor(async () => expect(await timedOperations(berth.url)).toContain('stats'), 20_000);
    } finally {
      release();
    }

    await containers.stop(created.id, 1);
    await containers.restart(created.id, 1);
    await containers.remove(created.id, { force: true, removeVolumes: true });
  });

  it('provokes rename, through a redeploy', async () => {
    const { containers, redeploy } = berth.app.context.environments.local;
    const created = await containers.create(
      validateCreateSpec({ name: uniqueName(FILE), image: inject('testImage'), labels: [label] }),
    );
    const result = await redeploy.redeploy(
      validateRedeploy({ id: created.id, env: [{ name: 'VERSION', value: '2' }], drainSeconds: 0 }),
    );
    expect(result.containerId).not.toBe(created.id);
    await containers.remove(result.containerId!, { force: true, removeVolumes: true });
  }, 60_000);

  it('provokes the image kinds: pull, list, inspect, remove, prune', async () => {
    const { images } = berth.app.context.environments.local;
    pulled = `${inject('registry')}/berth-test/engine-calls:${process.pid}-${Date.now().toString(36)}`;
    await pushToRegistry(inject('dockerHost'), inject('testImage'), pulled);
    await images.pull(pulled);
    expect(await images.find(pulled)).not.toBeNull();
    expect((await images.list()).length).toBeGreaterThan(0);
    await images.remove(pulled, false);
    // Dangling images only: the shared engine's tagged images stay.
    await images.prune();
  });

  it('provokes the network kinds, and info (an overlay network asks whether the engine is a manager)', async () => {
    const { containers, networks: service } = berth.app.context.environments.local;
    const name = uniqueName(FILE);
    networks.push(name);
    const network = await service.create(validateCreateNetwork({ name, labels: [label] }));
    expect(await service.list({ name })).toHaveLength(1);
    expect(await service.find(network.id)).not.toBeNull();
    const container = await containers.create(
      validateCreateSpec({ name: uniqueName(FILE), image: inject('testImage'), labels: [label] }),
    );
    await service.connect(network.id, container.id, []);
    await service.disconnect(network.id, container.id, false);
    await containers.remove(container.id, { force: true, removeVolumes: true });
    await service.remove(network.id);

    await expect(
      service.create(validateCreateNetwork({ name: uniqueName(FILE), driver: 'OVERLAY' })),
    ).rejects.toBeInstanceOf(NotSwarmManagerError);
  });

  it('provokes the volume kinds, and the engine version (a prune asks it)', async () => {
    const { volumes: service } = berth.app.context.environments.local;
    const name = uniqueName(FILE);
    volumes.push(name);
    await service.create(name, [label]);
    expect(await service.list({ name })).toHaveLength(1);
    expect(await service.find(name)).not.toBeNull();
    await service.remove(name, false);
    await service.prune(`${TEST_LABEL}=${FILE}`);
  });

  it('provokes ping (the health check)', async () => {
    expect((await berth.app.context.environments.local.system.report()).engine.up).toBe(true);
  });

  it('has a call duration series for every kind in ENGINE_OPERATIONS not provoked elsewhere', async () => {
    expect(new Set(ENGINE_OPERATIONS).size).toBe(ENGINE_OPERATIONS.length);
    const timed = await timedOperations(berth.url);
    const expected = ENGINE_OPERATIONS.filter((operation) => PROVOKED_ELSEWHERE[operation] === undefined);
    expect(expected.filter((operation) => !timed.has(operation))).toEqual([]);
    // Nothing is timed under a name the list does not have.
    expect(
      [...timed].filter((operation) => !(ENGINE_OPERATIONS as readonly string[]).includes(operation)),
    ).toEqual([]);
  });
});

import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ContainerIndex } from '../../src/domain/containers/container-index.js';
import { LOCAL_ENVIRONMENT } from '../../src/domain/environments/model.js';
import { NetworkService } from '../../src/domain/networks/service.js';
import { loadStack } from '../../src/domain/stacks/compose/load.js';
import type { StackDeployProgress } from '../../src/domain/stacks/model.js';
import { SwarmStacks } from '../../src/domain/stacks/swarm/stacks.js';
import { SwarmService } from '../../src/domain/swarm/service.js';
import { DockerEngine } from '../../src/engine/engine.js';
import { loadConfig } from '../../src/platform/config.js';
import { InvalidInputError } from '../../src/shared/errors.js';
import { followProgress, statusCodeOf, testDocker } from '../harness/docker.js';
import { TEST_PAGE, startEngine, stopEngine, type StartedEngine } from '../harness/engine.js';
import { startBerth, type RunningBerth } from '../support/berth.js';
import { recordingLogger } from '../support/log.js';
import {
  DeployStack,
  RemoveStack,
  ScaleStackService,
  StackDeployProgressSubscription,
  StackQuery,
  Stacks,
} from '../support/operations/stacks.js';
import { subscribe } from '../support/subscriptions.js';
import { waitFor } from '../support/wait.js';

// A compose stack deployed as swarm services, on a one-node swarm of a private engine (the shared
// engine must never enter swarm mode), through the domain classes the GraphQL mutation calls. The
// Docker CLI is the peer: `docker stack ps` lists what berth deployed. The routing mesh does not run
// on these machines (no IPVS), so no port is published; the services reach each other by name
// over their overlay network.

const execFileAsync = promisify(execFile);
const STACK = `bst${process.pid}`;
const NAMESPACE = 'com.docker.stack.namespace';

let engine: StartedEngine | undefined;
let docker: Docker;
let index: ContainerIndex | undefined;
let swarm: SwarmService | undefined;
let stacks: SwarmStacks;
let gatewayBridge: string | undefined;
const log = recordingLogger();

function compose(options: { version?: string; worker?: boolean } = {}): string {
  const worker = `
  worker:
    image: ${inject('testImage')}
    command: ["sleep", "3600"]
    init: true
    stop_grace_period: 1s
    networks: [front, back]
`;
  return `
services:
  web:
    image: ${inject('testImage')}
    command: ["httpd", "-f", "-p", "80", "-h", "/www"]
    environment:
      VERSION: "${options.version ?? '1'}"
    labels:
      tier: front
    deploy:
      replicas: 2
      update_config:
        parallelism: 1
        order: start-first
    networks:
      front:
        aliases: [www]
    healthcheck:
      test: ["CMD-SHELL", "wget -q -O /dev/null http://127.0.0.1/ || exit 1"]
      interval: 1s
    stop_grace_period: 1s
${options.worker === false ? '' : worker}
networks:
  front: {}
  back: {}
`;
}

const load = (text: string) => loadStack({ name: STACK, compose: text });

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function dockerCli(...args: string[]): Promise<string> {
  const { stdout } = await execFileAsync('/usr/local/bin/docker', ['-H', engine!.dockerHost, ...args], {
    timeout: 30_000,
  });
  return stdout;
}

async function stackServices(): Promise<Docker.Service[]> {
  return (await docker.listServices({ filters: { label: [`${NAMESPACE}=${STACK}`] } })).sort((a, b) =>
    (a.Spec?.Name ?? '').localeCompare(b.Spec?.Name ?? ''),
  );
}

async function runningTasks(
  service: string,
): Promise<{ ID: string; Status: { ContainerStatus: { ContainerID: string } } }[]> {
  return (await docker.listTasks({
    filters: { service: [service], 'desired-state': ['running'] },
  })) as never;
}

async function deploy(text: string, removeOrphans = false) {
  const loaded = load(text);
  const plan = await stacks.plan(loaded, { removeOrphans });
  const steps: Omit<StackDeployProgress, 'stack' | 'at'>[] = [];
  const outcomes = await stacks.apply(loaded, plan, (step) => steps.push(step));
  return { plan, outcomes, steps };
}

const actions = (plan: { services: { service: string; action: string }[] }) =>
  Object.fromEntries(plan.services.map((service) => [service.service, service.action]));

beforeAll(async () => {
  engine = await startEngine({ isolatedBridge: true });
  docker = testDocker(engine.dockerHost);
  const shared = testDocker(inject('dockerHost'));
  await followProgress(await docker.loadImage(await shared.getImage(inject('testImage')).get()));

  // The swarm's gateway bridge under a device name of its own (see swarm.test.ts).
  gatewayBridge = `berthgw${Math.floor(Math.random() * 0xffffff)
    .toString(16)
    .padStart(6, '0')}`;
  await docker.createNetwork({
    Name: 'docker_gwbridge',
    Driver: 'bridge',
    Options: {
      'com.docker.network.bridge.name': gatewayBridge,
      'com.docker.network.bridge.enable_icc': 'false',
      'com.docker.network.bridge.enable_ip_masquerade': 'true',
    },
  });
  const swarmPort = await freePort();
  await docker.swarmInit({
    ListenAddr: `127.0.0.1:${swarmPort}`,
    AdvertiseAddr: `127.0.0.1:${swarmPort}`,
    DataPathPort: 40_000 + Math.floor(Math.random() * 9_000),
  });

  const gateway = new DockerEngine(loadConfig({ DOCKER_HOST: engine.dockerHost, BERTH_AUTH: 'off' }).engine);
  index = new ContainerIndex(gateway, gateway.eventStream(log.logger), log.logger, LOCAL_ENVIRONMENT);
  index.start();
  await index.whenSynced();
  swarm = new SwarmService(gateway.swarm, log.logger);
  stacks = new SwarmStacks(swarm, new NetworkService(gateway, index), log.logger, {
    pollIntervalMs: 250,
    readyTimeoutMs: 90_000,
  });
}, 120_000);

afterAll(async () => {
  swarm?.close();
  index?.stop();
  if (engine) {
    const left = await docker.listServices({ filters: { label: [NAMESPACE] } }).catch(() => []);
    await Promise.allSettled(left.map((service) => docker.getService(service.ID).remove()));
    try {
      await docker.swarmLeave({ force: true });
    } catch (error) {
      if (statusCodeOf(error) !== 503) throw error;
    }
    await docker
      .getNetwork('docker_gwbridge')
      .remove()
      .catch(() => undefined);
    await stopEngine(engine);
  }
}, 120_000);

describe('a compose stack on a one-node swarm', () => {
  it('deploys as services with their replicas, namespace labels, overlay networks and aliases', async () => {
    const { plan, outcomes, steps } = await deploy(compose());
    expect(actions(plan)).toEqual({ web: 'CREATE', worker: 'CREATE' });
    expect(plan.resources.map((r) => [r.name, r.action])).toEqual([
      [`${STACK}_front`, 'CREATE'],
      [`${STACK}_back`, 'CREATE'],
    ]);
    expect(outcomes).toEqual([
      { service: 'web', outcome: 'APPLIED', message: null },
      { service: 'worker', outcome: 'APPLIED', message: null },
    ]);
    expect(steps.filter((step) => step.step === 'NETWORK_CREATED')).toHaveLength(2);
    expect(
      steps
        .filter((step) => step.step === 'SERVICE_DONE')
        .map((step) => step.service)
        .sort(),
    ).toEqual(['web', 'worker']);

    const [web, worker] = await stackServices();
    expect(web?.Spec?.Name).toBe(`${STACK}_web`);
    expect(worker?.Spec?.Name).toBe(`${STACK}_worker`);
    expect(web?.Spec?.Labels?.[NAMESPACE]).toBe(STACK);
    expect(web?.Spec?.Mode?.Replicated?.Replicas).toBe(2);
    const template = web?.Spec?.TaskTemplate as Docker.ContainerTaskSpec;
    expect(template.ContainerSpec?.Labels).toEqual({ tier: 'front', [NAMESPACE]: STACK });
    expect(template.Networks?.map((network) => network.Aliases)).toEqual([['web', 'www']]);
    expect(worker?.Spec?.Mode?.Replicated?.Replicas).toBe(1);
    expect((worker?.Spec?.TaskTemplate as Docker.ContainerTaskSpec).ContainerSpec?.Init).toBe(true);

    const networks = await docker.listNetworks({ filters: { label: [`${NAMESPACE}=${STACK}`] } });
    expect(networks.map((network) => [network.Name, network.Driver, network.Attachable]).sort()).toEqual([
      [`${STACK}_back`, 'overlay', true],
      [`${STACK}_front`, 'overlay', true],
    ]);

    // Running, and each task's container carries the namespace, as the CLI's do.
    expect(await runningTasks(`${STACK}_web`)).toHaveLength(2);
    const [task] = await runningTasks(`${STACK}_worker`);
    const container = await docker.getContainer(task!.Status.ContainerStatus.ContainerID).inspect();
    expect(container.Config.Labels[NAMESPACE]).toBe(STACK);

    const listed = (await stacks.list()).find((stack) => stack.name === STACK);
    expect(listed?.services.map((s) => [s.name, s.desiredReplicas, s.runningReplicas])).toEqual([
      ['web', 2, 2],
      ['worker', 1, 1],
    ]);
  });

  it('is the Docker CLI’s stack: docker stack ps lists its tasks', async () => {
    const ps = await dockerCli(
      'stack',
      'ps',
      STACK,
      '--filter',
      'desired-state=running',
      '--format',
      '{{.Name}} {{.CurrentState}}',
    );
    const lines = ps.trim().split('\n').sort();
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(new RegExp(`^${STACK}_web\\.1 Running`));
    expect(lines[1]).toMatch(new RegExp(`^${STACK}_web\\.2 Running`));
    expect(lines[2]).toMatch(new RegExp(`^${STACK}_worker\\.1 Running`));
    expect(await dockerCli('stack', 'ls', '--format', '{{.Name}} {{.Services}}')).toContain(`${STACK} 2`);
  });

  it('answers by the service name and its alias on the stack network', async () => {
    const [task] = await runningTasks(`${STACK}_worker`);
    const container = docker.getContainer(task!.Status.ContainerStatus.ContainerID);
    // tasks.<name> answers with each task's own address (the VIP needs IPVS, which these machines lack).
    const fetchPage = async (name: string) => {
      const exec = await container.exec({
        Cmd: ['wget', '-q', '-O', '-', `http://${name}/`],
        AttachStdout: true,
        AttachStderr: true,
      });
      const stream = await exec.start({});
      return new Promise<string>((resolve) => {
        let text = '';
        stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
        stream.on('end', () => resolve(text));
      });
    };
    // The swarm adds a task's name to the overlay's DNS a moment after the task runs: asked until it answers.
    for (const name of ['tasks.web', 'tasks.www']) {
      await waitFor(async () => expect(await fetchPage(name)).toContain(TEST_PAGE), 30_000);
    }
  });

  it('deployed again unchanged, plans UNCHANGED and touches nothing', async () => {
    const before = await stackServices();
    const { plan, outcomes } = await deploy(compose());
    expect(actions(plan)).toEqual({ web: 'UNCHANGED', worker: 'UNCHANGED' });
    expect(plan.changes).toBe(false);
    expect(plan.resources.every((resource) => resource.action === 'EXISTS')).toBe(true);
    expect(outcomes.map((outcome) => outcome.outcome)).toEqual(['UNCHANGED', 'UNCHANGED']);
    const after = await stackServices();
    expect(after.map((service) => service.Version?.Index)).toEqual(
      before.map((service) => service.Version?.Index),
    );
  });

  it('updates only the service that changed, by a rolling update', async () => {
    const workerTasks = (await runningTasks(`${STACK}_worker`)).map((task) => task.ID);
    const [, workerBefore] = await stackServices();
    const { plan, outcomes, steps } = await deploy(compose({ version: '2' }));
    expect(actions(plan)).toEqual({ web: 'RECREATE', worker: 'UNCHANGED' });
    expect(outcomes.map((outcome) => outcome.outcome)).toEqual(['APPLIED', 'UNCHANGED']);
    expect(steps.some((step) => step.step === 'READY' && step.service === 'web')).toBe(true);

    const [web, worker] = await stackServices();
    expect((web?.Spec?.TaskTemplate as Docker.ContainerTaskSpec).ContainerSpec?.Env).toEqual(['VERSION=2']);
    expect(web?.UpdateStatus?.State).toBe('completed');
    expect(worker?.Version?.Index).toBe(workerBefore?.Version?.Index);
    expect((await runningTasks(`${STACK}_worker`)).map((task) => task.ID)).toEqual(workerTasks);
    expect(await runningTasks(`${STACK}_web`)).toHaveLength(2);
  });

  it('scales a service, and the file then plans it back', async () => {
    await stacks.scale(STACK, 'web', 3);
    await waitFor(
      async () => {
        const listed = (await stacks.list()).find((stack) => stack.name === STACK);
        expect(listed?.services.find((s) => s.name === 'web')).toMatchObject({
          desiredReplicas: 3,
          runningReplicas: 3,
        });
      },
      60_000,
      250,
    );
    const plan = await stacks.plan(load(compose({ version: '2' })), { removeOrphans: false });
    expect(plan.services.find((s) => s.service === 'web')).toMatchObject({
      action: 'SCALE',
      currentReplicas: 3,
      desiredReplicas: 2,
    });
    await expect(stacks.scale(STACK, 'nope', 1)).rejects.toThrow(`no swarm service "${STACK}_nope"`);
  });

  it('keeps a service no longer in the file unless told to remove orphans', async () => {
    const kept = await stacks.plan(load(compose({ version: '2', worker: false })), { removeOrphans: false });
    expect(actions(kept)).toEqual({ web: 'SCALE', worker: 'ORPHAN' });
    const { plan, outcomes } = await deploy(compose({ version: '2', worker: false }), true);
    expect(actions(plan)).toEqual({ web: 'SCALE', worker: 'REMOVE' });
    expect(outcomes.map((outcome) => outcome.outcome)).toEqual(['APPLIED', 'APPLIED']);
    expect((await stackServices()).map((service) => service.Spec?.Name)).toEqual([`${STACK}_web`]);
  });

  it('refuses by key what a swarm cannot do', async () => {
    // On the single-replica worker: the loader itself refuses a fixed host port for two replicas.
    const hostIp = compose().replace(
      '    init: true\n',
      '    init: true\n    ports: ["127.0.0.1:8080:80"]\n',
    );
    const error = await stacks.plan(load(hostIp), { removeOrphans: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).field).toBe('services.worker.ports[0].host_ip');
  });

  it('removes the stack: its services, then its networks', async () => {
    await stacks.remove(STACK);
    expect(await stackServices()).toEqual([]);
    expect(await docker.listNetworks({ filters: { label: [`${NAMESPACE}=${STACK}`] } })).toEqual([]);
    expect((await stacks.list()).find((stack) => stack.name === STACK)).toBeUndefined();
    expect(log.errors()).toEqual([]);
  });
});

describe('deployStack through GraphQL, on a berth whose engine is a swarm manager', () => {
  // A stack of its own: the domain tests above removed theirs.
  const NAME = `bsg${process.pid}`;
  let berth: RunningBerth;

  const file = `
services:
  web:
    image: ${inject('testImage')}
    command: ["httpd", "-f", "-p", "80", "-h", "/www"]
    deploy:
      replicas: 2
    networks: [front]
    stop_grace_period: 1s
  worker:
    image: ${inject('testImage')}
    command: ["sleep", "3600"]
    init: true
    networks: [front]
    stop_grace_period: 1s
networks:
  front: {}
`;

  const services = async (): Promise<Docker.Service[]> =>
    (await docker.listServices({ filters: { label: [`${NAMESPACE}=${NAME}`] } })).sort((a, b) =>
      (a.Spec?.Name ?? '').localeCompare(b.Spec?.Name ?? ''),
    );

  async function deployed() {
    const { deployStack } = await berth.query(DeployStack, { input: { name: NAME, compose: file } });
    if (deployStack.__typename !== 'DeployStackResult') {
      throw new Error(`deployStack answered ${JSON.stringify(deployStack)}`);
    }
    return deployStack;
  }

  beforeAll(async () => {
    berth = await startBerth({ DOCKER_HOST: engine!.dockerHost });
  });

  afterAll(async () => {
    // Anything a failed test left: the file's afterAll removes the services before leaving the swarm.
    await berth?.query(RemoveStack, { name: NAME }).catch(() => undefined);
    await berth?.stop();
  });

  it('deploys both services as swarm services, followed step by step', async () => {
    const progress = subscribe(berth.ws(), StackDeployProgressSubscription, { name: NAME });
    expect((await progress.next()).stackDeployProgress.step).toBe('IDLE');

    const answer = await deployed();
    expect(answer.outcomes).toEqual([
      { service: 'web', outcome: 'APPLIED', message: null },
      { service: 'worker', outcome: 'APPLIED', message: null },
    ]);
    expect(answer.ok).toBe(true);
    expect(answer.applied).toBe(true);
    expect(answer.plan.changes).toBe(true);
    expect(answer.plan.services.map((s) => [s.service, s.action, s.desiredReplicas])).toEqual([
      ['web', 'CREATE', 2],
      ['worker', 'CREATE', 1],
    ]);
    expect(answer.plan.resources.map((r) => [r.kind, r.name, r.action])).toEqual([
      ['NETWORK', `${NAME}_front`, 'CREATE'],
    ]);

    const steps: string[] = [];
    for (;;) {
      const { stackDeployProgress } = await progress.next(30_000);
      expect(stackDeployProgress.stack).toBe(NAME);
      steps.push(stackDeployProgress.step);
      if (stackDeployProgress.step === 'DONE' || stackDeployProgress.step === 'FAILED') break;
    }
    expect(steps[0]).toBe('PLANNED');
    expect(steps).toEqual(expect.arrayContaining(['NETWORK_CREATED', 'SERVICE_DONE']));
    expect(steps.at(-1)).toBe('DONE');
    await progress.completed;

    const [web, worker] = await services();
    expect(web?.Spec?.Name).toBe(`${NAME}_web`);
    expect(web?.Spec?.Mode?.Replicated?.Replicas).toBe(2);
    expect(worker?.Spec?.Name).toBe(`${NAME}_worker`);
    expect(worker?.Spec?.Mode?.Replicated?.Replicas).toBe(1);
    const networks = await docker.listNetworks({ filters: { label: [`${NAMESPACE}=${NAME}`] } });
    expect(networks.map((network) => [network.Name, network.Driver])).toEqual([[`${NAME}_front`, 'overlay']]);
  });

  it('is the Docker CLI’s stack: docker stack ps lists its tasks running', async () => {
    const ps = await dockerCli(
      'stack',
      'ps',
      NAME,
      '--filter',
      'desired-state=running',
      '--format',
      '{{.Name}} {{.CurrentState}}',
    );
    const lines = ps.trim().split('\n').sort();
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(new RegExp(`^${NAME}_web\\.1 Running`));
    expect(lines[1]).toMatch(new RegExp(`^${NAME}_web\\.2 Running`));
    expect(lines[2]).toMatch(new RegExp(`^${NAME}_worker\\.1 Running`));
  });

  it('shows the stack with both services, their desired replicas and their task containers', async () => {
    const stack = await waitFor(
      async () => {
        const { stack } = await berth.query(StackQuery, { name: NAME });
        expect(stack).not.toBeNull();
        const byName = Object.fromEntries(stack!.services.map((service) => [service.name, service]));
        expect(byName['web']?.containers.filter((c) => c.status === 'RUNNING')).toHaveLength(2);
        expect(byName['worker']?.containers.filter((c) => c.status === 'RUNNING')).toHaveLength(1);
        return stack!;
      },
      30_000,
      250,
    );
    expect(stack.name).toBe(NAME);
    expect(stack.managed).toBe(true);
    expect(stack.compose).toBe(file);
    expect(stack.status).toBe('RUNNING');
    expect(
      stack.services.map((service) => [service.name, service.desiredReplicas, service.runningReplicas]),
    ).toEqual([
      ['web', 2, 2],
      ['worker', 1, 1],
    ]);
    // The containers are the swarm's tasks: named <stack>_<service>.<slot>.<task>, carrying the namespace.
    const tasks = new Set(
      (await docker.listTasks({ filters: { label: [`${NAMESPACE}=${NAME}`], 'desired-state': ['running'] } }))
        .map((task) => (task as { Status?: { ContainerStatus?: { ContainerID?: string } } }).Status)
        .map((status) => status?.ContainerStatus?.ContainerID),
    );
    for (const service of stack.services) {
      for (const container of service.containers) {
        expect(container.name).toMatch(new RegExp(`^${NAME}_${service.name}\\.\\d+\\.`));
        expect(tasks.has(container.id)).toBe(true);
        expect(container.labels).toContainEqual({ name: NAMESPACE, value: NAME });
        expect(container.networks.map((network) => network.name)).toContain(`${NAME}_front`);
      }
    }
    const { stacks } = await berth.query(Stacks);
    expect(stacks.find((listed) => listed.name === NAME)?.services.map((s) => s.name)).toEqual([
      'web',
      'worker',
    ]);
  });

  it('deployed again unchanged, plans UNCHANGED and touches nothing', async () => {
    const before = (await services()).map((service) => service.Version?.Index);
    const again = await deployed();
    expect(again.ok).toBe(true);
    expect(again.plan.changes).toBe(false);
    expect(again.plan.services.map((s) => [s.service, s.action])).toEqual([
      ['web', 'UNCHANGED'],
      ['worker', 'UNCHANGED'],
    ]);
    expect(again.plan.resources.map((r) => r.action)).toEqual(['EXISTS']);
    expect(again.outcomes.map((outcome) => outcome.outcome)).toEqual(['UNCHANGED', 'UNCHANGED']);
    expect((await services()).map((service) => service.Version?.Index)).toEqual(before);
  });

  it('scales a service: the swarm service gets the new replica count', async () => {
    const { scaleStackService } = await berth.query(ScaleStackService, {
      stack: NAME,
      service: 'worker',
      replicas: 3,
    });
    if (scaleStackService.__typename !== 'Stack') {
      throw new Error(`scaleStackService answered ${JSON.stringify(scaleStackService)}`);
    }
    expect(scaleStackService.services.find((s) => s.name === 'worker')?.desiredReplicas).toBe(3);
    const [, worker] = await services();
    expect(worker?.Spec?.Mode?.Replicated?.Replicas).toBe(3);
    await waitFor(
      async () => {
        const { stack } = await berth.query(StackQuery, { name: NAME });
        expect(stack?.services.find((s) => s.name === 'worker')).toMatchObject({
          desiredReplicas: 3,
          runningReplicas: 3,
        });
      },
      60_000,
      250,
    );
    expect(await runningTasks(`${NAME}_worker`)).toHaveLength(3);
  });

  it('removes the stack: no service nor network of its namespace is left', async () => {
    const { removeStack } = await berth.query(RemoveStack, { name: NAME });
    expect(removeStack).toEqual({ __typename: 'Stack', name: NAME });
    expect(await services()).toEqual([]);
    expect(await docker.listNetworks({ filters: { label: [`${NAMESPACE}=${NAME}`] } })).toEqual([]);
    const { stacks } = await berth.query(Stacks);
    expect(stacks.map((stack) => stack.name)).not.toContain(NAME);
  });
});

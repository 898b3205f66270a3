import type Docker from 'dockerode';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DeployStackMutationVariables } from '../gql/graphql.js';
import { TEST_LABEL, cleanupLabelled, testDocker } from '../harness/docker.js';
import { startBerth, uniqueName, type RunningBerth } from '../support/berth.js';
import {
  Backup,
  DeployStack,
  Restore,
  RemoveStack,
  ScaleStackService,
  StackDeployProgressSubscription,
  StackHistory,
  StackQuery,
} from '../support/operations/index.js';
import { subscribe, wsClient } from '../support/subscriptions.js';
import { waitFor } from '../support/wait.js';

// Compose stacks against the real engine: what a file asks for lands in `docker inspect`, an update
// replaces only what changed while the service keeps answering, and replicas share one name.

const FILE = `stacks-${process.pid}`;
const SECOND = 1_000_000_000;

let berth: RunningBerth;
let docker: Docker;
let client: Client;
const stacks: string[] = [];

beforeAll(async () => {
  docker = testDocker(inject('dockerHost'));
  berth = await startBerth({}, { label: FILE });
  client = wsClient(berth.url);
}, 60_000);

afterAll(async () => {
  for (const name of stacks) await berth?.query(RemoveStack, { name, volumes: true }).catch(() => undefined);
  await client?.dispose();
  await berth?.stop();
  if (docker) await cleanupLabelled(docker, `${TEST_LABEL}=${FILE}`);
});

/** A stack name of this run; removed with its volumes after the file. */
function stackName(prefix: string): string {
  const name = uniqueName(prefix).replace(/^berth-test-/, 'bt-');
  stacks.push(name);
  return name;
}

async function deploy(input: DeployStackMutationVariables['input']) {
  const { deployStack } = await berth.query(DeployStack, { input });
  return deployStack;
}

async function deployed(input: DeployStackMutationVariables['input']) {
  const answer = await deploy(input);
  if (answer.__typename !== 'DeployStackResult') throw new Error(`deploy failed: ${JSON.stringify(answer)}`);
  if (!answer.ok) throw new Error(`deploy did not succeed: ${JSON.stringify(answer.outcomes)}`);
  return answer;
}

async function containersOf(stack: string, service?: string): Promise<Docker.ContainerInfo[]> {
  const filters = [`com.docker.compose.project=${stack}`];
  if (service) filters.push(`com.docker.compose.service=${service}`);
  return docker.listContainers({ all: true, filters: { label: filters } });
}

/**
 * A shell function `get NAME [PATH]` that asks for a page by a service's name. busybox-static's
 * wget cannot resolve names itself (a static glibc has no NSS for DNS; it crashes), so it asks the
 * engine's embedded DNS with nslookup and connects to the first address answered, as a client's
 * resolver does.
 */
const GET =
  'get() { ip=$(nslookup "$1" 127.0.0.11 2>/dev/null | awk \'/^Address: /{print $2; exit}\'); ' +
  '[ -n "$ip" ] && wget -q -O - "http://$ip/$2"; }; ';

/** Runs a one-off client container on `network` and answers its output. */
async function runClient(network: string, script: string): Promise<string> {
  const container = await docker.createContainer({
    Image: inject('testImage'),
    Cmd: ['sh', '-c', GET + script],
    Labels: { [TEST_LABEL]: FILE },
    HostConfig: { NetworkMode: network },
  });
  try {
    await container.start();
    await container.wait();
    const logs = await container.logs({ stdout: true, stderr: true });
    // Not a TTY: the output is multiplexed; strip the 8-byte frame headers.
    const lines: string[] = [];
    let offset = 0;
    while (offset + 8 <= logs.length) {
      const size = logs.readUInt32BE(offset + 4);
      lines.push(logs.subarray(offset + 8, offset + 8 + size).toString('utf8'));
      offset += 8 + size;
    }
    return lines.join('');
  } finally {
    // Tolerates a removal already under way (a cleanup of this file's label racing it).
    await container.remove({ force: true }).catch(() => undefined);
  }
}

const web = (image: string, extra = '') => `
services:
  web:
    image: ${image}
    command: ["sh", "-c", "hostname > /www/index.html && exec httpd -f -p 80 -h /www"]
    init: true
    healthcheck:
      test: ["CMD-SHELL", "wget -q -O /dev/null http://127.0.0.1/ || exit 1"]
      interval: 1s
      timeout: 2s
      retries: 2
${extra}`;

describe('deployStack', () => {
  it('makes what every supported key asks for, as docker inspect shows it', async () => {
    const name = stackName('keys');
    const image = inject('testImage');
    const compose = `
services:
  app:
    image: ${image}
    entrypoint: ["/bin/sh", "-c"]
    command: ["echo $$GREETING > /tmp/out; exec sleep 3600"]
    environment:
      GREETING: \${GREETING:-hello}
      FROM_LIST: listed
    labels:
      tier: front
    user: "1000:1000"
    working_dir: /tmp
    hostname: apphost
    init: true
    extra_hosts:
      - "db.local:10.1.2.3"
    cap_add: []
    cap_drop: [NET_RAW]
    mem_limit: 64m
    cpus: 0.5
    restart: unless-stopped
    stop_signal: SIGUSR1
    stop_grace_period: 7s
    ports:
      - "127.0.0.1::8080"
      - target: 8081
        host_ip: 127.0.0.1
        protocol: udp
    volumes:
      - data:/data
      - type: tmpfs
        target: /scratch
        tmpfs:
          size: 1048576
    networks:
      back:
        aliases: [api]
    healthcheck:
      test: ["CMD", "true"]
      interval: 2s
      retries: 3
  worker:
    image: ${image}
    command: ["sleep", "3600"]
    init: true
    environment:
      - MODE=work
    deploy:
      replicas: 2
      resources:
        limits:
          memory: 32m
    depends_on:
      app:
        condition: service_started
    networks: [back]
    profiles: []
  debug:
    image: ${image}
    profiles: [debug]
networks:
  back:
    labels:
      purpose: test
volumes:
  data: {}
`;
    const answer = await deployed({ name, compose, env: 'GREETING=hi there\n' });
    expect(answer.applied).toBe(true);
    expect(answer.plan.services.map((s) => [s.service, s.action])).toEqual([
      ['app', 'CREATE'],
      ['worker', 'CREATE'],
    ]);
    const [app] = await containersOf(name, 'app');
    const info = await docker.getContainer(app!.Id).inspect();
    expect(info.Name).toBe(`/${name}-app-1`);
    expect(info.Config.Entrypoint).toEqual(['/bin/sh', '-c']);
    expect(info.Config.Cmd).toEqual(['echo $GREETING > /tmp/out; exec sleep 3600']);
    expect(info.Config.Env).toEqual(expect.arrayContaining(['GREETING=hi there', 'FROM_LIST=listed']));
    expect(info.Config.User).toBe('1000:1000');
    expect(info.Config.WorkingDir).toBe('/tmp');
    expect(info.Config.Hostname).toBe('apphost');
    expect((info.Config as { StopSignal?: string }).StopSignal).toBe('SIGUSR1');
    expect((info.Config as { StopTimeout?: number }).StopTimeout).toBe(7);
    expect(info.Config.Labels).toMatchObject({
      tier: 'front',
      'com.docker.compose.project': name,
      'com.docker.compose.service': 'app',
      'com.docker.compose.container-number': '1',
      'com.docker.compose.oneoff': 'False',
    });
    expect(info.Config.Labels['com.docker.compose.config-hash']).toMatch(/^[0-9a-f]{64}$/);
    expect(info.HostConfig.Init).toBe(true);
    expect(info.HostConfig.ExtraHosts).toEqual(['db.local:10.1.2.3']);
    expect(info.HostConfig.CapDrop).toEqual(['NET_RAW']);
    expect(info.HostConfig.Memory).toBe(64 * 1024 * 1024);
    expect(info.HostConfig.NanoCpus).toBe(0.5 * SECOND);
    expect(info.HostConfig.RestartPolicy?.Name).toBe('unless-stopped');
    expect(info.Config.Healthcheck?.Test).toEqual(['CMD', 'true']);
    expect(info.Config.Healthcheck?.Interval).toBe(2 * SECOND);
    expect(info.HostConfig.PortBindings).toMatchObject({
      '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }],
      '8081/udp': [{ HostIp: '127.0.0.1' }],
    });
    expect(info.Mounts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Type: 'volume', Name: `${name}_data`, Destination: '/data' }),
      ]),
    );
    expect(info.HostConfig.Mounts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Type: 'tmpfs', Target: '/scratch', TmpfsOptions: { SizeBytes: 1048576 } }),
      ]),
    );
    const network = info.NetworkSettings.Networks[`${name}_back`];
    expect(network?.Aliases).toEqual(expect.arrayContaining(['app', 'api']));
    const net = await docker.getNetwork(`${name}_back`).inspect();
    expect(net.Labels).toMatchObject({
      purpose: 'test',
      'com.docker.compose.project': name,
      'com.docker.compose.network': 'back',
    });
    const volume = await docker.getVolume(`${name}_data`).inspect();
    expect(volume.Labels).toMatchObject({
      'com.docker.compose.project': name,
      'com.docker.compose.volume': 'data',
    });

    const workers = await containersOf(name, 'worker');
    expect(workers.map((c) => c.Names[0]).sort()).toEqual([`/${name}-worker-1`, `/${name}-worker-2`]);
    const worker = await docker.getContainer(workers[0]!.Id).inspect();
    expect(worker.HostConfig.Memory).toBe(32 * 1024 * 1024);
    expect(worker.Config.Env).toContain('MODE=work');
    // The profile's service does not run.
    expect(await containersOf(name, 'debug')).toEqual([]);
  });

  it('refuses every key it does not implement by name, in one answer, and names a missing variable', async () => {
    const name = stackName('refused');
    const answer = await deploy({
      name,
      compose: `services:\n  a:\n    image: ${inject('testImage')}\n    build: .\n    privileged: true\n    sysctls: {}\n`,
    });
    expect(answer.__typename).toBe('InvalidComposeError');
    if (answer.__typename !== 'InvalidComposeError') return;
    expect(answer.problems.map((p) => p.key).sort()).toEqual(['build', 'privileged', 'sysctls']);
    expect(answer.problems.find((p) => p.key === 'build')).toMatchObject({
      path: 'services.a.build',
      line: 4,
    });

    const missing = await deploy({
      name,
      compose: `services:\n  a:\n    image: \${IMAGE:?set IMAGE to the image to run}\n`,
    });
    expect(missing.__typename).toBe('InvalidComposeError');
    expect(JSON.stringify(missing)).toContain('IMAGE');
    expect(await containersOf(name)).toEqual([]);
  });

  it('plans without changing anything on a dry run, and reports each step of a deploy', async () => {
    const name = stackName('dry');
    const compose = web(inject('testImage'));
    const dry = await deployed({ name, compose, dryRun: true });
    expect(dry.applied).toBe(false);
    expect(dry.plan.services).toEqual([
      expect.objectContaining({ service: 'web', action: 'CREATE', desiredReplicas: 1 }),
    ]);
    expect(await containersOf(name)).toEqual([]);

    const progress = subscribe(client, StackDeployProgressSubscription, { name });
    expect((await progress.next()).stackDeployProgress.step).toBe('IDLE');
    await deployed({ name, compose });
    const steps: string[] = [];
    for (;;) {
      const { stackDeployProgress } = await progress.next();
      steps.push(stackDeployProgress.step);
      if (stackDeployProgress.step === 'DONE' || stackDeployProgress.step === 'FAILED') break;
    }
    expect(steps[0]).toBe('PLANNED');
    expect(steps).toEqual(expect.arrayContaining(['NETWORK_CREATED', 'CREATING', 'READY', 'SERVICE_DONE']));
    expect(steps.at(-1)).toBe('DONE');

    const again = await deployed({ name, compose });
    expect(again.plan.changes).toBe(false);
    expect(again.plan.services.map((s) => s.action)).toEqual(['UNCHANGED']);

    const { stackHistory } = await berth.query(StackHistory, { name });
    expect(stackHistory.__typename).toBe('StackHistorySuccess');
    if (stackHistory.__typename === 'StackHistorySuccess') {
      expect(stackHistory.data.map((entry) => [entry.action, entry.ok, entry.actor])).toEqual([
        ['DEPLOY', true, 'local (authentication off)'],
        ['DEPLOY', true, 'local (authentication off)'],
      ]);
    }
  });
});

describe('depends_on', () => {
  it('starts a service after what it depends on is healthy', async () => {
    const name = stackName('deps');
    const image = inject('testImage');
    const compose = `
services:
  db:
    image: ${image}
    command: ["sh", "-c", "sleep 2; exec httpd -f -p 80 -h /www"]
    init: true
    healthcheck:
      test: ["CMD-SHELL", "wget -q -O /dev/null http://127.0.0.1/ || exit 1"]
      interval: 1s
      retries: 5
  app:
    image: ${image}
    command: ["sleep", "3600"]
    init: true
    depends_on:
      db:
        condition: service_healthy
`;
    const since = Math.floor(Date.now() / 1000) - 1;
    await deployed({ name, compose });
    const [db] = await containersOf(name, 'db');
    const [app] = await containersOf(name, 'app');
    const events = await engineEvents(since, [db!.Id, app!.Id]);
    const healthy = events.findIndex((e) => e.id === db!.Id && e.action === 'health_status: healthy');
    const started = events.findIndex((e) => e.id === app!.Id && e.action === 'start');
    expect(healthy).toBeGreaterThanOrEqual(0);
    expect(started).toBeGreaterThan(healthy);
  });
});

/** The engine's events for these containers since `since`, in the engine's order. */
async function engineEvents(since: number, ids: string[]): Promise<{ id: string; action: string }[]> {
  const until = Math.floor(Date.now() / 1000) + 1;
  const stream = (await docker.getEvents({
    since,
    until,
    filters: { type: ['container'], container: ids },
  })) as NodeJS.ReadableStream;
  let text = '';
  for await (const chunk of stream) text += chunk.toString();
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { id: string; Action: string })
    .map((event) => ({ id: event.id, action: event.Action }));
}

describe('updates and replicas', () => {
  // On a network whose subnet the file chose, an old replica drains at its own address after it
  // left the service's name (see docs/stacks.md for engine-chosen subnets).
  it('recreates only the changed service while requests by its name keep succeeding', async () => {
    const name = stackName('update');
    const image = inject('testImage');
    const v1 = `${web(image)}    deploy:
      replicas: 2
      update_config:
        parallelism: 1
        order: start-first
  side:
    image: ${image}
    command: ["sleep", "3600"]
    init: true
networks:
  default:
    ipam:
      config:
        - subnet: 10.214.${1 + Math.floor(Math.random() * 250)}.0/24
`;
    await deployed({ name, compose: v1 });
    const before = new Map(
      (await containersOf(name)).map((c) => [
        `${c.Labels['com.docker.compose.service'] ?? ''}${c.Labels['com.docker.compose.container-number'] ?? ''}`,
        c.Id,
      ]),
    );
    const network = `${name}_default`;

    // A client asks for the service by name every 50 ms through the whole update and counts failures.
    const load = runClient(
      network,
      'ok=0; fail=0; while [ ! -f /tmp/stop ]; do if get web >/dev/null; then ok=$((ok+1)); else fail=$((fail+1)); echo "F $(date +%s) $ip"; fi; ' +
        'if [ $((ok+fail)) -ge 300 ]; then break; fi; sleep 0.05; done; echo "ok=$ok fail=$fail"',
    );
    const v2 = v1.replace('hostname > /www/index.html', 'echo v2 > /www/v; hostname > /www/index.html');
    const update = await deployed({ name, compose: v2 });
    expect(update.plan.services.map((s) => [s.service, s.action])).toEqual([
      ['side', 'UNCHANGED'],
      ['web', 'RECREATE'],
    ]);
    const output = await load;
    const [, ok, fail] = /ok=(\d+) fail=(\d+)/.exec(output) ?? [];
    expect(Number(ok)).toBeGreaterThan(0);
    expect(Number(fail), output).toBe(0);
    const after = await containersOf(name);
    const sideAfter = after.find((c) => c.Labels['com.docker.compose.service'] === 'side');
    expect(sideAfter?.Id).toBe(before.get('side1'));
    const webs = after.filter((c) => c.Labels['com.docker.compose.service'] === 'web');
    expect(webs).toHaveLength(2);
    for (const container of webs) expect([...before.values()]).not.toContain(container.Id);
    // Replacements take fresh numbers: no container is renamed under its clients.
    expect(webs.map((c) => c.Names[0]).sort()).toEqual([`/${name}-web-3`, `/${name}-web-4`]);

    // A new image that never turns healthy: the old replicas keep serving, and the answer says why.
    const broken = v2.replace(
      'wget -q -O /dev/null http://127.0.0.1/',
      'wget -q -O /dev/null http://127.0.0.1/missing',
    );
    const failed = await deploy({ name, compose: broken, timeoutSeconds: 8 });
    expect(failed.__typename).toBe('DeployStackResult');
    if (failed.__typename !== 'DeployStackResult') return;
    expect(failed.ok).toBe(false);
    expect(failed.outcomes.find((o) => o.service === 'web')).toMatchObject({ outcome: 'FAILED' });
    expect(failed.outcomes.find((o) => o.service === 'web')?.message).toMatch(/old container kept serving/);
    const kept = (await containersOf(name, 'web')).map((c) => c.Id).sort();
    expect(kept).toEqual(webs.map((c) => c.Id).sort());
    expect(await runClient(network, 'get web >/dev/null && echo up')).toContain('up');
  }, 180_000);

  it('spreads requests by name over every replica, and none reach one that turned unhealthy', async () => {
    const name = stackName('replicas');
    const compose = `${web(inject('testImage'))}    deploy:
      replicas: 3
`;
    await deployed({ name, compose });
    const network = `${name}_default`;
    const count = async (requests: number) => {
      const output = await runClient(
        network,
        `i=0; while [ $i -lt ${requests} ]; do get web || echo failed; i=$((i+1)); done`,
      );
      const hits = new Map<string, number>();
      for (const line of output.split('\n').filter(Boolean)) hits.set(line, (hits.get(line) ?? 0) + 1);
      return hits;
    };
    const replicas = await containersOf(name, 'web');
    const hostnames = await Promise.all(
      replicas.map(async (c) => (await docker.getContainer(c.Id).inspect()).Config.Hostname),
    );
    const hits = await count(1000);
    expect(hits.get('failed')).toBeUndefined();
    for (const hostname of hostnames) expect(hits.get(hostname) ?? 0).toBeGreaterThanOrEqual(200);

    // One replica's page goes away: its healthcheck fails, and it leaves the service's name.
    const sick = replicas[0]!;
    const exec = await docker.getContainer(sick.Id).exec({ Cmd: ['rm', '/www/index.html'] });
    await exec.start({});
    await waitFor(async () => {
      const { stack } = await berth.query(StackQuery, { name });
      const container = stack?.services[0]?.containers.find((c) => c.id === sick.Id);
      // Joined again (not in the moment between leaving and joining), without the service's name.
      expect(container?.health).toBe('UNHEALTHY');
      expect(container?.networks[0]?.aliases).toEqual([]);
    }, 30_000);
    // The engine's DNS follows the endpoint change a moment later: wait until five lookups in a row
    // no longer name it.
    const sickAddress = (await docker.getContainer(sick.Id).inspect()).NetworkSettings.Networks[network]
      ?.IPAddress;
    await waitFor(async () => {
      const answer = await runClient(
        network,
        'for i in 1 2 3 4 5; do nslookup web 127.0.0.11; sleep 0.2; done',
      );
      expect(answer).toContain('Address: ');
      expect(answer).not.toContain(`Address: ${sickAddress}\n`);
    }, 30_000);
    const after = await count(300);
    expect(after.get(hostnames[0]!)).toBeUndefined();
    expect(after.get('failed')).toBeUndefined();

    // Scaling goes by the lowest free numbers up, and from the highest down.
    const { scaleStackService } = await berth.query(ScaleStackService, {
      stack: name,
      service: 'web',
      replicas: 1,
    });
    expect(scaleStackService.__typename).toBe('Stack');
    expect((await containersOf(name, 'web')).map((c) => c.Names[0])).toEqual([`/${name}-web-1`]);
  }, 120_000);

  it('refuses a fixed host port on a service with several replicas, as Compose does', async () => {
    const name = stackName('fixed');
    const answer = await deploy({
      name,
      compose: `${web(inject('testImage'))}    ports: ["127.0.0.1:18080:80"]\n    deploy:\n      replicas: 2\n`,
    });
    expect(answer.__typename).toBe('InvalidComposeError');
    expect(JSON.stringify(answer)).toContain('services.web.ports[0]');
  });
});

describe('stacks in backups and for viewers', () => {
  it('is backed up as its file, made again from it on restore, and masked for viewers', async () => {
    // Roles need authentication on: a berth of its own, with tokens.
    const secured = await startBerth({ BERTH_AUTH: 'on' }, { label: FILE });
    try {
      const admin = secured.asRole('admin');
      const name = stackName('backup');
      const { deployStack } = await admin.query(DeployStack, {
        input: { name, compose: web(inject('testImage')), env: 'DB_PASSWORD=hunter2\nMODE=x\n' },
      });
      expect(deployStack).toMatchObject({ __typename: 'DeployStackResult', ok: true });
      const { backup } = await admin.query(Backup, {});
      const { sections: document } = backup as {
        sections: {
          stacks: { name: string; compose: string; env: string }[];
          containers: { name: string }[];
        };
      };
      expect(document.stacks.find((stack) => stack.name === name)).toMatchObject({
        env: 'DB_PASSWORD=hunter2\nMODE=x\n',
      });
      // Its replicas are the file's to make, not the containers section's.
      expect(document.containers.some((container) => container.name.startsWith(name))).toBe(false);

      await admin.query(RemoveStack, { name, volumes: true });
      expect(await containersOf(name)).toEqual([]);
      const { restore } = await admin.query(Restore, { document: backup as Record<string, unknown> });
      expect(restore.__typename).toBe('RestoreSuccess');
      if (restore.__typename !== 'RestoreSuccess') return;
      expect(
        restore.report.items.find((item) => item.section === 'stacks' && item.item === name),
      ).toMatchObject({ outcome: 'RESTORED' });
      expect((await containersOf(name, 'web')).map((c) => c.State)).toEqual(['running']);

      // A viewer sees the file and env with secret-looking values masked; an operator sees them whole.
      const { stack: seen } = await secured.asRole('viewer').query(StackQuery, { name });
      expect(seen?.env).toBe('DB_PASSWORD=********\nMODE=x\n');
      const { stack: whole } = await secured.asRole('operator').query(StackQuery, { name });
      expect(whole?.env).toContain('hunter2');
      await admin.query(RemoveStack, { name, volumes: true });
    } finally {
      await secured.stop();
    }
  }, 120_000);
});

// What one Engine API request costs over each way to an engine: a unix socket, tcp:// with mutual
// TLS, and ssh:// (docker system dial-stdio over one SSH connection, with and without kept
// channels). Not part of `npm run bench`: run by hand, `npx tsx bench/transports.ts [requests]` (root;
// starts two private engines and an sshd on loopback, and stops them).

import { readFile } from 'node:fs/promises';
import Docker from 'dockerode';
import { DockerEngine } from '../src/engine/engine.js';
import { SshTransport } from '../src/engine/ssh-transport.js';
import type { EngineConnection } from '../src/platform/config.js';
import { TEST_IMAGE } from '../test/harness/engine.js';
import { startSshEngine, startTlsEngine } from '../test/harness/remote-engines.js';

const SEQUENTIAL = Number(process.argv[2] ?? 300);
const PARALLEL = 20;
const ROUNDS = 10;

/** CPU seconds (self + reaped children) of `pid` and its living descendants. */
async function treeCpuSeconds(pid: number): Promise<number> {
  let total = 0;
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  if (stat === '') return 0; // gone between the listing and the read
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  total += (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / 100;
  const children = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  for (const child of children.split(' ').filter((text) => text !== ''))
    total += await treeCpuSeconds(Number(child));
  return total;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN;
}

async function measure(name: string, connection: EngineConnection, id: string, remotePid?: number) {
  const engine = new DockerEngine(connection);
  await engine.inspect(id); // the connection (SSH: login) is not what a request costs
  const rssBefore = process.memoryUsage().rss;
  const cpuBefore = process.cpuUsage();
  const remoteBefore = remotePid === undefined ? 0 : await treeCpuSeconds(remotePid);
  const times: number[] = [];
  for (let at = 0; at < SEQUENTIAL; at += 1) {
    const started = performance.now();
    await engine.inspect(id);
    times.push(performance.now() - started);
  }
  const cpu = process.cpuUsage(cpuBefore);
  const remote = remotePid === undefined ? 0 : (await treeCpuSeconds(remotePid)) - remoteBefore;
  const parallelStarted = performance.now();
  for (let round = 0; round < ROUNDS; round += 1) {
    await Promise.all(Array.from({ length: PARALLEL }, () => engine.inspect(id)));
  }
  const parallelMs = (performance.now() - parallelStarted) / (ROUNDS * PARALLEL);
  const rssAfter = process.memoryUsage().rss;
  engine.close();
  times.sort((a, b) => a - b);
  return {
    transport: name,
    'p50 ms': percentile(times, 50).toFixed(2),
    'p95 ms': percentile(times, 95).toFixed(2),
    'berth CPU ms/req': ((cpu.user + cpu.system) / 1000 / SEQUENTIAL).toFixed(2),
    'remote sshd CPU ms/req': remotePid === undefined ? '-' : ((remote * 1000) / SEQUENTIAL).toFixed(2),
    [`${PARALLEL} parallel, ms/req`]: parallelMs.toFixed(2),
    'berth RSS growth MiB': ((rssAfter - rssBefore) / 2 ** 20).toFixed(1),
  };
}

const [tls, ssh] = await Promise.all([startTlsEngine(), startSshEngine()]);
try {
  const setup = new DockerEngine({ kind: 'socket', socketPath: ssh.dockerHost.slice('unix://'.length) });
  const id = await setup.create({
    image: TEST_IMAGE,
    env: [],
    ports: [],
    labels: [],
    tty: false,
    start: false,
  });
  const tlsSetup = new DockerEngine({
    kind: 'socket',
    socketPath: tls.engine.dockerHost.slice('unix://'.length),
  });
  const tlsId = await tlsSetup.create({
    image: TEST_IMAGE,
    env: [],
    ports: [],
    labels: [],
    tty: false,
    start: false,
  });
  const sshConnection = {
    kind: 'ssh',
    host: ssh.host,
    port: ssh.port,
    username: ssh.username,
    privateKey: ssh.privateKey,
    hostKeySha256: ssh.hostKeySha256,
  } as const;
  const rows = [
    await measure('unix socket', { kind: 'socket', socketPath: ssh.dockerHost.slice('unix://'.length) }, id),
    await measure(
      'tcp:// mutual TLS',
      {
        kind: 'tcp',
        host: tls.host,
        port: tls.port,
        protocol: 'https',
        tls: { ca: tls.ca, cert: tls.cert, key: tls.key },
      },
      tlsId,
    ),
    await measure('ssh://, kept channels (default)', sshConnection, id, ssh.sshd.pid),
  ];
  // The same with a channel (and a remote `docker` process) per request: what keeping them saves.
  const perRequest = new SshTransport(sshConnection, { idleChannels: 0 });
  const perRequestEngine = new Docker({
    protocol: 'http',
    host: ssh.host,
    port: ssh.port,
    agent: perRequest.agent,
  } as never);
  const wrapped = new DockerEngine(perRequestEngine);
  await wrapped.inspect(id);
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const remoteBefore = await treeCpuSeconds(ssh.sshd.pid);
  const count = Math.min(SEQUENTIAL, 50);
  for (let at = 0; at < count; at += 1) await wrapped.inspect(id);
  const cpu = process.cpuUsage(cpuBefore);
  rows.push({
    transport: 'ssh://, a channel per request',
    'p50 ms': ((performance.now() - started) / count).toFixed(2) + ' (mean)',
    'p95 ms': '-',
    'berth CPU ms/req': ((cpu.user + cpu.system) / 1000 / count).toFixed(2),
    'remote sshd CPU ms/req': (
      (((await treeCpuSeconds(ssh.sshd.pid)) - remoteBefore) * 1000) /
      count
    ).toFixed(2),
    [`${PARALLEL} parallel, ms/req`]: '-',
    'berth RSS growth MiB': '-',
  });
  perRequest.close();
  console.table(rows);
  await setup.remove(id, { force: true, removeVolumes: true });
  await tlsSetup.remove(tlsId, { force: true, removeVolumes: true });
} finally {
  await Promise.all([tls.stop(), ssh.stop()]);
}

import type Docker from 'dockerode';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Container } from '../../src/domain/containers/model.js';
import { validateCreateSpec } from '../../src/domain/lifecycle/validation.js';
import { TEST_LABEL, cleanupLabelled, testDocker } from '../harness/docker.js';
import { startBerth, uniqueName, type RunningBerth } from '../support/berth.js';
import { AuditLog } from '../support/operations/audit.js';
import { TerminalClient, type TerminalOpen } from '../support/terminal.js';
import { waitFor } from '../support/wait.js';

/**
 * Terminal sessions against a real berth (authentication on) and the real engine, driven as a
 * person drives a terminal: keystrokes in, the screen's bytes out. The test image is busybox: it
 * has /bin/sh and no bash, so every session here also proves the shell detection's fallback.
 */

const FILE = 'terminal';
let berth: RunningBerth;
let off: RunningBerth;
let docker: Docker;
let operator: string;
let admin: string;
let container: Container;
const clients: TerminalClient[] = [];

beforeAll(async () => {
  docker = testDocker(inject('dockerHost'));
  const auth = { BERTH_AUTH: 'on', BERTH_AUTH_FAILURES_PER_MINUTE: '1000' };
  berth = await startBerth(auth, { label: FILE });
  off = await startBerth({ ...auth, BERTH_TERMINAL: 'off' }, { label: FILE });
  operator = berth.asRole('operator', 'terminal-operator').token;
  admin = berth.asRole('admin', 'terminal-admin').token;
  container = await run();
});

/** A running container of the test image (busybox httpd), made through berth's own service. */
function run(): Promise<Container> {
  return berth.app.context.environments.local.containers.create(
    validateCreateSpec({
      name: uniqueName(FILE),
      image: inject('testImage'),
      labels: [{ name: TEST_LABEL, value: FILE }],
    }),
  );
}

afterAll(async () => {
  for (const client of clients) client.close();
  await berth?.stop();
  await off?.stop();
  if (docker) await cleanupLabelled(docker, `${TEST_LABEL}=${FILE}`);
});

function connect(target: RunningBerth, token: string | undefined, open: Partial<TerminalOpen> = {}) {
  const client = new TerminalClient(target.url, token, { container: container.name, ...open });
  clients.push(client);
  return client;
}

/** The container's processes as `docker top` lists them: pid and command. */
async function processes(id: string): Promise<{ pid: string; command: string }[]> {
  const top = await docker.getContainer(id).top();
  const pid = top.Titles.indexOf('PID');
  const command = top.Titles.indexOf('CMD');
  return (top.Processes as string[][]).map((row) => ({ pid: row[pid]!, command: row[command]! }));
}

/** A session's close code and reason, waited for. */
async function refusal(client: TerminalClient): Promise<{ code: number; reason: string }> {
  return client.closed;
}

describe('a terminal session, typed into as a person would', () => {
  it('runs the detected shell (busybox: no bash, so /bin/sh) and answers what is typed', async () => {
    const client = connect(berth, operator);
    expect(await client.opened).toMatchObject({ type: 'opened', shell: '/bin/sh' });
    client.type('echo $((6*7))\r');
    // The echo of the typed line holds `6*7`; only the shell's answer is 42 on a line of its own.
    await client.waitForOutput(/\r\n42\r\n/);
    client.type('exit\r');
    expect(await client.closed).toEqual({ code: 4000, reason: 'EXIT: 0' });
  });

  it('follows a resize: stty size says the new rows and columns', async () => {
    const client = connect(berth, operator, { cols: 80, rows: 24 });
    await client.opened;
    client.type('stty size\r');
    await client.waitForOutput(/\r\n24 80\r\n/);
    const before = client.output.length;
    client.resize(132, 41);
    client.type('stty size\r');
    await client.waitForOutput(/\r\n41 132\r\n/, before);
    client.close();
    await client.closed;
  });

  it('interrupts sleep 100 with Ctrl-C and takes the next command at once', async () => {
    const client = connect(berth, operator);
    await client.opened;
    client.type('sleep 100\r');
    await waitFor(async () => {
      expect((await processes(container.id)).map((p) => p.command)).toContain('sleep 100');
    });
    client.type('\x03');
    await waitFor(async () => {
      expect((await processes(container.id)).map((p) => p.command)).not.toContain('sleep 100');
    });
    const before = client.output.length;
    // Typed after the interrupt: were sleep still running, its answer would come 100 s later.
    client.type('echo after-$((1+1))\r');
    await client.waitForOutput(/\r\nafter-2\r\n/, before);
    client.close();
    await client.closed;
  });

  it('leaves no process behind in the container when the socket closes, background jobs included', async () => {
    // The container's own process alone (the earlier sessions' are gone by then): httpd, its PID 1.
    const main = String((await docker.getContainer(container.id).inspect()).State.Pid);
    await waitFor(
      async () => expect((await processes(container.id)).map((p) => p.pid)).toEqual([main]),
      20_000,
    );
    const client = connect(berth, operator);
    await client.opened;
    client.type('sleep 301 & sleep 302\r');
    await waitFor(async () => {
      const commands = (await processes(container.id)).map((p) => p.command);
      expect(commands).toEqual(expect.arrayContaining(['sleep 301', 'sleep 302', '/bin/sh']));
    });
    client.close();
    await client.closed;
    await waitFor(async () => {
      expect((await processes(container.id)).map((p) => p.pid)).toEqual([main]);
    }, 20_000);
  });

  it('runs as the user and in the working directory asked for', async () => {
    const client = connect(berth, operator, { user: '1234:1234', workingDir: '/tmp' });
    await client.opened;
    client.type('echo "id=$(id -u) dir=$(pwd)"\r');
    await client.waitForOutput(/\r\nid=1234 dir=\/tmp\r\n/);
    client.close();
    await client.closed;
  });

  it('closes with 4000 + the exit code when the shell exits, and records the session in the audit log', async () => {
    const client = connect(berth, admin);
    const { session } = await client.opened;
    client.type('exit 3\r');
    expect(await client.closed).toEqual({ code: 4003, reason: 'EXIT: 3' });
    const { auditLog } = await berth
      .as(admin)
      .query(AuditLog, { first: 50, filter: { action: 'openTerminal' } });
    const mine = auditLog.entries.filter((entry) => entry.detail?.startsWith(`session ${session}:`));
    // Newest first: its end, then its start; both name who and which container.
    expect(mine.map((entry) => entry.result)).toEqual(['ok', 'started']);
    for (const entry of mine) {
      expect(entry).toMatchObject({ tokenName: 'terminal-admin', target: container.name });
    }
    expect(mine[0]!.detail).toMatch(
      /^session \S+: \/bin\/sh in environment local; started \S+Z, ended \S+Z \(exited\), exit code 3$/,
    );
  });

  it('ends the session, closing with 4409, when the container stops under it', async () => {
    const short = await run();
    const client = connect(berth, operator, { container: short.name });
    await client.opened;
    await docker.getContainer(short.id).stop({ t: 0 });
    const closed = await client.closed;
    expect(closed.code).toBe(4409);
    expect(closed.reason).toMatch(/^INVALID_STATE: /);
  });
});

describe('who may open one', () => {
  it('refuses a viewer (4403 FORBIDDEN), audited as denied, and runs nothing in the container', async () => {
    const viewer = berth.asRole('viewer', 'terminal-viewer').token;
    const before = (await processes(container.id)).length;
    const closed = await refusal(connect(berth, viewer));
    expect(closed.code).toBe(4403);
    expect(closed.reason).toMatch(/^FORBIDDEN: /);
    expect((await processes(container.id)).length).toBe(before);
    const { auditLog } = await berth
      .as(admin)
      .query(AuditLog, { first: 50, filter: { action: 'openTerminal' } });
    expect(auditLog.entries).toContainEqual(
      expect.objectContaining({ tokenName: 'terminal-viewer', result: 'denied' }),
    );
  });

  it('refuses a deploy token and a token limited to other environments (4403)', async () => {
    const { token: deploy } = berth.app.tokens.createDeploy({
      name: 'terminal-deploy',
      operation: 'REDEPLOY_CONTAINER',
      target: container.name,
      environment: 'local',
    });
    const deployClosed = await refusal(connect(berth, deploy));
    expect(deployClosed.code).toBe(4403);
    expect(deployClosed.reason).toMatch(/^FORBIDDEN: this is a deploy token/);
    const { token: elsewhere } = berth.app.tokens.create({
      name: 'terminal-elsewhere',
      role: 'admin',
      environments: ['edge'],
    });
    const elsewhereClosed = await refusal(connect(berth, elsewhere));
    expect(elsewhereClosed.code).toBe(4403);
    expect(elsewhereClosed.reason).toMatch(/^FORBIDDEN: /);
  });

  it('refuses no token or a wrong one (4401), and a token in the URL before the socket opens', async () => {
    expect((await refusal(connect(berth, undefined))).code).toBe(4401);
    expect((await refusal(connect(berth, 'berth_000000000000_wrong'))).code).toBe(4401);
    const url = new URL(`${berth.url}/terminal?token=${operator}`);
    url.protocol = 'ws:';
    const status = await new Promise<number>((resolve) => {
      const socket = new WebSocket(url);
      socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      socket.on('open', () => resolve(101));
      socket.on('error', () => undefined);
    });
    expect(status).toBe(400);
  });

  it('refuses everyone, admins included, while BERTH_TERMINAL=off (4403 TERMINAL_DISABLED)', async () => {
    const offAdmin = off.asRole('admin', 'terminal-off-admin').token;
    const closed = await refusal(connect(off, offAdmin));
    expect(closed.code).toBe(4403);
    expect(closed.reason).toMatch(/^TERMINAL_DISABLED: /);
    const offOperator = off.asRole('operator', 'terminal-off-operator').token;
    expect((await refusal(connect(off, offOperator))).reason).toMatch(/^TERMINAL_DISABLED: /);
  });
});

describe('what cannot be opened, as typed close codes', () => {
  it('a shell the container lacks: 4422 SHELL_NOT_FOUND', async () => {
    const closed = await refusal(connect(berth, operator, { shell: '/bin/bash' }));
    expect(closed.code).toBe(4422);
    expect(closed.reason).toMatch(/^SHELL_NOT_FOUND: .*\/bin\/bash/);
  });

  it('a container that is not there: 4404 NOT_FOUND; one that is stopped: 4409 INVALID_STATE', async () => {
    const missing = await refusal(connect(berth, operator, { container: 'berth-test-no-such-container' }));
    expect(missing.code).toBe(4404);
    expect(missing.reason).toMatch(/^NOT_FOUND: /);
    const stopped = await run();
    await docker.getContainer(stopped.id).stop({ t: 0 });
    await waitFor(async () =>
      expect(berth.app.context.environments.local.containers.get(stopped.id).status).toBe('EXITED'),
    );
    const closed = await refusal(connect(berth, operator, { container: stopped.name }));
    expect(closed.code).toBe(4409);
    expect(closed.reason).toMatch(/^INVALID_STATE: /);
  });

  it('an unknown environment: 4404 ENVIRONMENT_NOT_FOUND; a malformed size: 4400 INVALID_INPUT', async () => {
    const environment = await refusal(connect(berth, operator, { environment: 'nowhere' }));
    expect(environment.code).toBe(4404);
    expect(environment.reason).toMatch(/^ENVIRONMENT_NOT_FOUND: /);
    const size = await refusal(connect(berth, operator, { cols: 0 }));
    expect(size.code).toBe(4400);
    expect(size.reason).toMatch(/^INVALID_INPUT: /);
  });
});

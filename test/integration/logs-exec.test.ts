import type Docker from 'dockerode';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TEST_LABEL, cleanupLabelled, testDocker } from '../harness/docker.js';
import { startBerth, type RunningBerth } from '../support/berth.js';
import { ContainerLogs, ContainerLogsSubscription, ExecInContainer } from '../support/operations/index.js';
import { subscribe, wsClient } from '../support/subscriptions.js';
import { waitFor } from '../support/wait.js';

const OUTPUT_CAP = 4096;
let berth: RunningBerth;
let docker: Docker;
let client: Client;

const create = (input: Record<string, unknown>) => berth.create(input);

/** The container's logs once it has written at least `count` lines. */
function logsOnceWritten(id: string, count: number) {
  return waitFor(async () => {
    const { container } = await berth.query(ContainerLogs, { id });
    if ((container?.logs.length ?? 0) < count) throw new Error(`fewer than ${count} lines yet`);
    return container!.logs;
  });
}

/** Writes a line to the container's own stdout, as its main process would. */
async function say(id: string, text: string): Promise<void> {
  const exec = await docker.getContainer(id).exec({ Cmd: ['sh', '-c', `echo '${text}' > /proc/1/fd/1`] });
  await exec.start({ Detach: true });
}

beforeAll(async () => {
  docker = testDocker(inject('dockerHost'));
  berth = await startBerth({ BERTH_EXEC_MAX_OUTPUT_BYTES: String(OUTPUT_CAP) }, { label: 'logs-exec' });
  client = wsClient(berth.url);
});

afterAll(async () => {
  await client?.dispose();
  await berth?.stop();
  await cleanupLabelled(docker, `${TEST_LABEL}=logs-exec`);
});

describe('logs', () => {
  const script =
    'echo out1; sleep 0.2; echo err1 >&2; sleep 0.2; echo "grüße ☃ 🚢"; sleep 0.2; echo; echo out2; sleep 300';

  it('returns lines written without a TTY exactly, in order, with their stream', async () => {
    const container = await create({ command: ['sh', '-c', script] });
    const logs = await logsOnceWritten(container.id, 5);
    // stdout and stderr are two pipes copied by two goroutines in the engine, which orders lines
    // within a stream but across the two only by when each copier got to them: the script's pauses
    // make the interleaving written likely, not certain. So each stream exactly and in order, and
    // all lines in the engine's order (by its timestamps).
    const stream = (name: string) => logs.filter((l) => l.stream === name).map((l) => l.text);
    expect(stream('STDOUT')).toEqual(['out1', 'grüße ☃ 🚢', '', 'out2']);
    expect(stream('STDERR')).toEqual(['err1']);
    expect(logs).toHaveLength(5);
    const times = logs.map((l) => new Date(l.at).getTime());
    expect([...times].sort((a, b) => a - b)).toEqual(times);

    const { container: onlyErr } = await berth.query(ContainerLogs, { id: container.id, stdout: false });
    expect(onlyErr!.logs.map((l) => l.text)).toEqual(['err1']);
    const { container: lastTwo } = await berth.query(ContainerLogs, { id: container.id, tail: 2 });
    expect(lastTwo!.logs.map((l) => l.text)).toEqual(['', 'out2']);
    const third = logs.findIndex((l) => l.text === 'grüße ☃ 🚢');
    const { container: since } = await berth.query(ContainerLogs, {
      id: container.id,
      since: new Date(logs[third]!.at).toISOString(),
    });
    expect(since!.logs.map((l) => l.text)).toEqual(logs.slice(third).map((l) => l.text));
  });

  it('returns lines written with a TTY exactly, in order, as one stream', async () => {
    const container = await create({ tty: true, command: ['sh', '-c', script] });
    const logs = await logsOnceWritten(container.id, 5);
    expect(logs.map((l) => [l.stream, l.text])).toEqual([
      ['STDOUT', 'out1'],
      ['STDOUT', 'err1'],
      ['STDOUT', 'grüße ☃ 🚢'],
      ['STDOUT', ''],
      ['STDOUT', 'out2'],
    ]);
  });

  it('follows: a line written after the subscription started arrives; leaving closes the engine stream', async () => {
    const container = await create({ command: ['sleep', '300'] });
    const before = berth.app.context.environments.local.logs.openFollows;
    const follow = subscribe(client, ContainerLogsSubscription, { id: container.id });
    await waitFor(async () => {
      if (berth.app.context.environments.local.logs.openFollows !== before + 1)
        throw new Error('not open yet');
    });
    await say(container.id, 'hello from later');
    // Live, not polled: berth holds one engine follow stream for it (above). How fast a line comes
    // depends on the machine's load, so the deadline only bounds the wait.
    const { containerLogs } = await follow.next(10_000);
    expect(containerLogs).toMatchObject({ stream: 'STDOUT', text: 'hello from later' });

    follow.unsubscribe();
    await waitFor(async () => {
      if (berth.app.context.environments.local.logs.openFollows !== before) throw new Error('still open');
    });
  });

  it('ends a follow when the container stops, after its last lines', async () => {
    const container = await create({
      command: ['sh', '-c', 'trap "echo bye; exit 0" TERM; echo hi; while :; do sleep 0.1; done'],
    });
    const follow = subscribe(client, ContainerLogsSubscription, { id: container.id, tail: 10 });
    expect((await follow.next()).containerLogs.text).toBe('hi');
    await docker.getContainer(container.id).stop({ t: 5 });
    expect((await follow.next()).containerLogs.text).toBe('bye');
    await expect(follow.completed).resolves.toBeUndefined();
    await waitFor(async () => {
      if (berth.app.context.environments.local.logs.openFollows !== 0) throw new Error('still open');
    });
  });

  it('keeps at most 10000 lines for a follower that does not read, dropping the oldest with a SYSTEM line', async () => {
    const container = await create({ command: ['sh', '-c', 'sleep 1; seq 1 60000; sleep 300'] });
    const { containers, logs } = berth.app.context.environments.local;
    const lines = await logs.follow(containers.get(container.id), { tail: 0 });
    // The container writes 60000 lines while this reader takes none.
    await waitFor(async () => {
      const { container: c } = await berth.query(ContainerLogs, { id: container.id, tail: 1 });
      if (c?.logs[0]?.text !== '60000') throw new Error('still writing');
    }, 30_000);
    // The engine's follow stream can trail its log file on a busy machine: wait until it has
    // brought berth more than the queue holds.
    await waitFor(async () => {
      if (lines.dropped === 0) throw new Error(`${lines.size} lines held, none dropped yet`);
    }, 30_000);
    const droppedIn = (line: { text: string }) => Number(/\] (\d+) lines? dropped/.exec(line.text)![1]);
    try {
      // The reader arrives to a marker (at most 10000 lines were held for it; the engine may still be
      // sending the rest), then reads on: every
      // line is either delivered in order or counted in a marker.
      const first = (await lines.next()).value!;
      expect(first.stream).toBe('SYSTEM');
      expect(droppedIn(first)).toBeGreaterThan(0);
      let accounted = droppedIn(first);
      while (accounted < 60000) {
        const line = (await lines.next()).value!;
        if (line.stream === 'SYSTEM') accounted += droppedIn(line);
        else expect(Number(line.text)).toBe((accounted += 1));
      }
      expect(accounted).toBe(60000);
    } finally {
      await lines.return?.();
    }
  });

  it('follows a line the engine sends in several messages (past 16 KiB) as one line, stderr beside it', async () => {
    // 40,000 bytes: the engine cuts the line every 16 KiB and sends each piece in its own frame
    // with its own timestamp. (ASCII past the snowman: its json-file log stores each piece as JSON
    // text, so a character cut there comes back from the engine itself as U+FFFD.)
    const script =
      's=$(printf "%040000d" 0 | tr 0 x); echo "☃start${s}end"; echo err >&2; echo after; sleep 300';
    const long = `☃start${'x'.repeat(40_000)}end`;
    const container = await create({ command: ['sh', '-c', script] });
    await logsOnceWritten(container.id, 3);
    const follow = subscribe(client, ContainerLogsSubscription, { id: container.id, tail: 10 });
    const got: { stream: string; text: string }[] = [];
    for (let i = 0; i < 3; i += 1) got.push((await follow.next()).containerLogs);
    follow.unsubscribe();
    // stdout and stderr are copied by two goroutines: each stream in order, not both together.
    expect(got.filter((line) => line.stream === 'STDOUT').map((line) => line.text)).toEqual([long, 'after']);
    expect(got.filter((line) => line.stream === 'STDERR').map((line) => line.text)).toEqual(['err']);
  });

  it('keeps at most 16 MiB of long lines for a follower that does not read, dropping the oldest with a SYSTEM line', async () => {
    // 12,000 lines of 2 KiB: 24 MiB, past the byte bound before the 10,000 lines' one.
    const count = 12_000;
    const container = await create({
      command: [
        'sh',
        '-c',
        `sleep 1; x=$(printf "%2040s" ""); seq 1 ${count} | while read i; do echo "$i$x"; done; sleep 300`,
      ],
    });
    const { containers, logs } = berth.app.context.environments.local;
    const lines = await logs.follow(containers.get(container.id), { tail: 0 });
    await waitFor(async () => {
      const { container: c } = await berth.query(ContainerLogs, { id: container.id, tail: 1 });
      if (c?.logs[0]?.text.trim() !== String(count)) throw new Error('still writing');
    }, 30_000);
    await waitFor(async () => {
      if (lines.dropped === 0) throw new Error(`${lines.size} lines held, none dropped yet`);
    }, 30_000);
    try {
      expect(lines.heldBytes).toBeLessThanOrEqual(16 * 1024 * 1024);
      expect(lines.size).toBeLessThan(10_000);
      const droppedIn = (line: { text: string }) => Number(/\] (\d+) lines? dropped/.exec(line.text)![1]);
      const first = (await lines.next()).value!;
      expect(first.stream).toBe('SYSTEM');
      let accounted = droppedIn(first);
      while (accounted < count) {
        const line = (await lines.next()).value!;
        if (line.stream === 'SYSTEM') accounted += droppedIn(line);
        else expect(Number(line.text.trim())).toBe((accounted += 1));
      }
      expect(accounted).toBe(count);
    } finally {
      await lines.return?.();
    }
  });

  it('refuses absurd tails, since after until, and no stream at all', async () => {
    const container = await create({ command: ['sleep', '300'] });
    for (const [variables, field] of [
      [{ tail: -1 }, 'tail'],
      [{ tail: 100_000 }, 'tail'],
      [{ since: '2026-01-02T00:00:00Z', until: '2026-01-01T00:00:00Z' }, 'until'],
      [{ stdout: false, stderr: false }, 'stdout'],
    ] as const) {
      const result = await berth.graphql(ContainerLogs, { id: container.id, ...variables });
      expect(result.errors?.[0]?.extensions, JSON.stringify(variables)).toMatchObject({
        code: 'INVALID_INPUT',
        field,
      });
    }
    const follow = subscribe(client, ContainerLogsSubscription, { id: container.id, tail: 20_000 });
    await expect(follow.completed).rejects.toThrow();
    expect(follow.errors[0]?.extensions).toMatchObject({ code: 'INVALID_INPUT', field: 'tail' });
  });

  it('serves the REST logs endpoint as JSON and, following, as Server-Sent Events', async () => {
    // stdout and stderr are two pipes copied by two goroutines in the engine: lines written on
    // both can be logged in either order, so only each line's stream and the engine's order count.
    const container = await create({ command: ['sh', '-c', 'echo one; sleep 0.2; echo two >&2; sleep 300'] });
    const lines = await waitFor(async () => {
      const response = await fetch(`${berth.url}/containers/${container.name}/logs?tail=10`);
      const body = (await response.json()) as { stream: string; text: string; at: string }[];
      if (body.length < 2) throw new Error('not yet');
      return body;
    });
    expect(lines.map((l) => [l.stream, l.text])).toEqual(
      expect.arrayContaining([
        ['stdout', 'one'],
        ['stderr', 'two'],
      ]),
    );
    expect(lines).toHaveLength(2);
    expect(Date.parse(lines[0]!.at)).toBeLessThanOrEqual(Date.parse(lines[1]!.at));

    const followsBefore = berth.app.context.environments.local.logs.openFollows;
    const abort = new AbortController();
    const response = await fetch(`${berth.url}/containers/${container.id}/logs?follow=1&tail=0`, {
      signal: abort.signal,
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    await waitFor(async () => {
      if (berth.app.context.environments.local.logs.openFollows !== followsBefore + 1)
        throw new Error('not open yet');
    });
    await say(container.id, 'streamed');
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!text.includes('streamed')) text += (await reader.read()).value ?? '';
    expect(text).toMatch(/^data: \{"stream":"stdout","at":"[^"]+","text":"streamed"\}/m);
    abort.abort();
    await waitFor(async () => {
      if (berth.app.context.environments.local.logs.openFollows !== followsBefore)
        throw new Error('REST follow still open');
    });

    const bad = await fetch(`${berth.url}/containers/${container.id}/logs?tail=abc`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'INVALID_INPUT', field: 'tail' } });
  });
});

describe('exec', () => {
  let running: { id: string; name: string };
  beforeAll(async () => {
    running = await create({ command: ['sleep', '300'] });
  });

  it('returns exit code, stdout and stderr, with env and working directory', async () => {
    const { execInContainer } = await berth.query(ExecInContainer, {
      id: running.name,
      command: ['sh', '-c', 'echo "$GREETING from $(pwd)"; echo oops >&2; exit 3'],
      env: [{ name: 'GREETING', value: 'hello' }],
      workingDir: '/www',
    });
    expect(execInContainer).toMatchObject({
      __typename: 'ExecInContainerSuccess',
      result: { exitCode: 3, stdout: 'hello from /www\n', stderr: 'oops\n', truncated: false },
    });
  });

  it('caps the output and says so', async () => {
    const { execInContainer } = await berth.query(ExecInContainer, {
      id: running.id,
      command: ['sh', '-c', `head -c ${OUTPUT_CAP * 4} /dev/zero | tr '\\0' x`],
    });
    expect(execInContainer.__typename).toBe('ExecInContainerSuccess');
    if (execInContainer.__typename !== 'ExecInContainerSuccess') return;
    expect(execInContainer.result.truncated).toBe(true);
    expect(execInContainer.result.stdout).toBe('x'.repeat(OUTPUT_CAP));
    expect(execInContainer.result.exitCode).toBe(0);
  });

  it('reports the exit code Docker gives for a missing command', async () => {
    const { execInContainer } = await berth.query(ExecInContainer, {
      id: running.id,
      command: ['/no/such/program'],
    });
    expect(execInContainer.__typename).toBe('ExecInContainerSuccess');
    if (execInContainer.__typename !== 'ExecInContainerSuccess') return;
    expect([126, 127]).toContain(execInContainer.result.exitCode);
  });

  it('stops a command that overruns its timeout', async () => {
    const { execInContainer } = await berth.query(ExecInContainer, {
      id: running.id,
      command: ['sh', '-c', 'echo started; sleep 37'],
      timeoutSeconds: 1,
    });
    expect(execInContainer).toMatchObject({
      __typename: 'ExecTimeoutError',
      code: 'EXEC_TIMEOUT',
      stopped: true,
    });
    const { execInContainer: ps } = await berth.query(ExecInContainer, { id: running.id, command: ['ps'] });
    if (ps.__typename !== 'ExecInContainerSuccess') throw new Error(JSON.stringify(ps));
    expect(ps.result.stdout).not.toMatch(/sleep 37|echo started/);
  });

  it('answers INVALID_STATE for a stopped container and INVALID_INPUT for an empty command', async () => {
    const stopped = await create({ command: ['sleep', '300'], start: false });
    const { execInContainer } = await berth.query(ExecInContainer, { id: stopped.id, command: ['true'] });
    expect(execInContainer).toMatchObject({ __typename: 'InvalidStateError', code: 'INVALID_STATE' });
    const { execInContainer: empty } = await berth.query(ExecInContainer, { id: running.id, command: [] });
    expect(empty).toMatchObject({ __typename: 'InvalidInputError', field: 'command' });
    const { execInContainer: badDir } = await berth.query(ExecInContainer, {
      id: running.id,
      command: ['pwd'],
      workingDir: 'relative',
    });
    expect(badDir).toMatchObject({ __typename: 'InvalidInputError', field: 'workingDir' });
  });
});

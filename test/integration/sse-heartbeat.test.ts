import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TEST_LABEL, cleanupLabelled, testDocker } from '../harness/docker.js';
import { startBerth, type RunningBerth } from '../support/berth.js';
import { waitFor } from '../support/wait.js';

/**
 * Server-Sent Events as a proxy with an idle timeout sees them: a followed log of a container that
 * says one line and then nothing for over a minute keeps receiving comments and stays open; every
 * line has an increasing id, and a reconnect with Last-Event-ID gets only what it had not had.
 * GraphQL's SSE streams carry ids too.
 */

const LABEL = 'sse-heartbeat';
let docker: Docker;
let berth: RunningBerth;

/** The container writes `text` as a line of its stdout (its PID 1's). */
async function say(id: string, text: string): Promise<void> {
  const exec = await docker.getContainer(id).exec({ Cmd: ['sh', '-c', `echo '${text}' > /proc/1/fd/1`] });
  await exec.start({ Detach: true });
}

interface SseEvent {
  id: string | undefined;
  data: string;
}

/** A raw text/event-stream read in the background: its comments and events as they arrive. */
function readEvents(response: Response) {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const state = { comments: [] as string[], events: [] as SseEvent[], ended: false, raw: '' };
  void (async () => {
    let buffered = '';
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true as const }));
      if (done) break;
      state.raw += value;
      buffered += value;
      let end: number;
      while ((end = buffered.indexOf('\n\n')) !== -1) {
        const block = buffered.slice(0, end).split('\n');
        buffered = buffered.slice(end + 2);
        if (block.every((line) => line.startsWith(':'))) {
          state.comments.push(...block);
          continue;
        }
        const field = (name: string) =>
          block
            .filter((line) => line.startsWith(`${name}:`))
            .map((line) => line.slice(name.length + 1).trim());
        state.events.push({ id: field('id')[0], data: field('data').join('\n') });
      }
    }
    state.ended = true;
  })();
  return { state, cancel: () => reader.cancel() };
}

const textOf = (event: SseEvent) => (JSON.parse(event.data) as { text: string }).text;
const parseId = (id: string | undefined) => {
  const match = /^(\d+)-(\d+)$/.exec(id ?? '');
  if (!match) throw new Error(`not a log event id: ${id}`);
  return [Number(match[1]), Number(match[2])] as const;
};

beforeAll(async () => {
  docker = testDocker(inject('dockerHost'));
  berth = await startBerth({}, { label: LABEL });
});

afterAll(async () => {
  await berth?.stop();
  await cleanupLabelled(docker, `${TEST_LABEL}=${LABEL}`);
});

describe('the REST log follower', () => {
  it('keeps a quiet stream open past a minute with heartbeats, ids increasing, and resumes after Last-Event-ID', async () => {
    const container = await berth.create({ command: ['sh', '-c', 'echo hello; exec sleep 600'] });
    const follows = berth.app.context.environments.local.logs.openFollows;
    const abort = new AbortController();
    const response = await fetch(`${berth.url}/containers/${container.id}/logs?follow=1&tail=10`, {
      signal: abort.signal,
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const { state } = readEvents(response);
    await waitFor(async () => expect(state.events.map(textOf)).toEqual(['hello']));
    const hello = state.events[0]!;
    parseId(hello.id);

    // Silence: the container logs nothing more. Wait until six heartbeats came after the line
    // (over a minute at one per 12 s), with a deadline well past that.
    const before = state.comments.length;
    await waitFor(async () => state.comments.length - before >= 6, 110_000, 1_000);
    expect(state.comments.length - before).toBeGreaterThanOrEqual(4);
    expect(state.ended).toBe(false);
    expect(state.events).toHaveLength(1);

    // Still open: a line written now arrives on it.
    await say(container.id, 'again');
    await waitFor(async () => expect(state.events.map(textOf)).toEqual(['hello', 'again']));
    const again = state.events[1]!;
    const [helloMs, helloSeq] = parseId(hello.id);
    const [againMs, againSeq] = parseId(again.id);
    expect(againMs > helloMs || (againMs === helloMs && againSeq > helloSeq)).toBe(true);

    // A reconnect after "hello" gets "again" and no "hello"; one after "again" gets neither,
    // then what comes next.
    const resumed = readEvents(
      await fetch(`${berth.url}/containers/${container.id}/logs?follow=1&tail=10`, {
        headers: { 'last-event-id': hello.id! },
      }),
    );
    await waitFor(async () => expect(resumed.state.events.map(textOf)).toEqual(['again']));
    expect(resumed.state.events[0]!.id).toBe(again.id);
    const caughtUp = readEvents(
      await fetch(`${berth.url}/containers/${container.id}/logs?follow=1`, {
        headers: { 'last-event-id': again.id! },
      }),
    );
    await waitFor(async () => caughtUp.state.comments.length >= 1);
    await say(container.id, 'third');
    await waitFor(async () => expect(caughtUp.state.events.map(textOf)).toEqual(['third']));
    await waitFor(async () => expect(state.events.map(textOf)).toEqual(['hello', 'again', 'third']));
    expect(caughtUp.state.events[0]!.id).toBe(state.events[2]!.id);

    await resumed.cancel();
    await caughtUp.cancel();
    abort.abort();
    // Every follower gone, every engine stream released (and with them their heartbeat timers).
    await waitFor(async () => berth.app.context.environments.local.logs.openFollows === follows);
  }, 180_000);

  it('refuses a Last-Event-ID it never sent, as the client’s mistake', async () => {
    const container = await berth.create({ command: ['sleep', '600'] });
    const response = await fetch(`${berth.url}/containers/${container.id}/logs?follow=1`, {
      headers: { 'last-event-id': 'yesterday' },
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'INVALID_INPUT', field: 'Last-Event-ID' } });
  });
});

describe('GraphQL over SSE', () => {
  it('numbers its events and sends comments between them', async () => {
    const container = await berth.create({ command: ['sleep', '600'] });
    const abort = new AbortController();
    const response = await fetch(`${berth.url}/graphql`, {
      method: 'POST',
      signal: abort.signal,
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({
        query: 'subscription ($id: String!) { containerStats(id: $id) { cpuPercent } }',
        variables: { id: container.id },
      }),
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const { state } = readEvents(response);
    await waitFor(async () => state.events.length >= 3, 20_000);
    expect(state.events.slice(0, 3).map((event) => event.id)).toEqual(['1', '2', '3']);
    expect(JSON.parse(state.events[0]!.data)).toMatchObject({ data: { containerStats: {} } });
    expect(state.comments.length).toBeGreaterThanOrEqual(1);
    abort.abort();
  });
});

// Small helpers for talking to a Docker engine from tests.
//
// Tests verify what berth did by asking Docker itself (through dockerode), never
// through berth, so these helpers deliberately avoid anything from src/.

import Docker from 'dockerode';
import type { DockerOptions } from 'dockerode';

/** Where a DOCKER_HOST string points: a unix socket, or a plain-HTTP TCP address. */
export type EngineAddress =
  | { readonly kind: 'unix'; readonly socketPath: string }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number };

/**
 * Parse a DOCKER_HOST value (`unix:///path/docker.sock`, `tcp://host:port`, or a bare
 * socket path). TLS (DOCKER_TLS_VERIFY) is not supported: test engines are local.
 */
export function parseDockerHost(dockerHost: string): EngineAddress {
  if (dockerHost.startsWith('unix://')) {
    return { kind: 'unix', socketPath: dockerHost.slice('unix://'.length) };
  }
  if (dockerHost.startsWith('/')) {
    return { kind: 'unix', socketPath: dockerHost };
  }
  if (dockerHost.startsWith('tcp://') || dockerHost.startsWith('http://')) {
    const url = new URL(dockerHost.replace(/^tcp:/, 'http:'));
    return { kind: 'tcp', host: url.hostname, port: url.port === '' ? 2375 : Number(url.port) };
  }
  throw new Error(
    `Unsupported DOCKER_HOST ${JSON.stringify(dockerHost)}: use unix:///path or tcp://host:port`,
  );
}

/**
 * Every container a test creates carries this label (any value, e.g. the test file's name)
 * so the harness's teardown can find and remove it.
 */
export const TEST_LABEL = 'berth.test';

/** A dockerode client for the engine at `dockerHost` (a DOCKER_HOST string). */
export function testDocker(dockerHost: string): Docker {
  const address = parseDockerHost(dockerHost);
  const options: DockerOptions =
    address.kind === 'unix'
      ? { socketPath: address.socketPath }
      : { host: address.host, port: address.port, protocol: 'http' };
  return new Docker(options);
}

/**
 * Force-remove (with anonymous volumes) every container carrying `label`.
 * `label` is either a key (`berth.test`, any value) or `key=value`.
 * Returns how many containers were removed. A container that vanished meanwhile is
 * not an error: parallel test files clean up after themselves too.
 */
export async function cleanupLabelled(docker: Docker, label: string): Promise<number> {
  const containers = await docker.listContainers({ all: true, filters: { label: [label] } });
  const results = await Promise.allSettled(
    containers.map((info) => docker.getContainer(info.Id).remove({ force: true, v: true })),
  );
  let removed = 0;
  for (const result of results) {
    if (result.status === 'fulfilled') {
      removed += 1;
    } else if (statusCodeOf(result.reason) !== 404) {
      throw result.reason;
    }
  }
  return removed;
}

/** One line of Docker's JSON progress stream (pull, push, import, build). */
export interface ProgressMessage {
  readonly status?: string;
  readonly id?: string;
  readonly progress?: string;
  readonly error?: string;
  readonly errorDetail?: { readonly message?: string };
}

/**
 * Read a Docker JSON progress stream to its end and reject if any line reports an error.
 * dockerode's own followProgress does not: Docker answers 200 and reports a failed
 * pull or push only inside the stream.
 */
export async function followProgress(stream: NodeJS.ReadableStream): Promise<ProgressMessage[]> {
  const messages: ProgressMessage[] = [];
  let buffered = '';
  for await (const chunk of stream) {
    buffered += String(chunk);
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (line !== '') messages.push(JSON.parse(line) as ProgressMessage);
    }
  }
  if (buffered.trim() !== '') messages.push(JSON.parse(buffered) as ProgressMessage);
  const failure = messages.find((m) => m.error !== undefined || m.errorDetail !== undefined);
  if (failure !== undefined) {
    throw new Error(failure.errorDetail?.message ?? failure.error ?? 'Docker reported an error');
  }
  return messages;
}

/** The HTTP status dockerode attached to an error, if any. */
export function statusCodeOf(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'statusCode' in error) {
    const { statusCode } = error;
    return typeof statusCode === 'number' ? statusCode : undefined;
  }
  return undefined;
}

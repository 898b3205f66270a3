import type { EngineContainer } from '../containers/model.js';
import type { RedeployFailure, RedeployHealthGate } from './model.js';

/**
 * Waits until a freshly started container may take traffic: HEALTHY by its healthcheck, or, with
 * none, running without a restart for `settleMs`. Decided on the container index's events as they
 * arrive, with an inspect each `pollMs` in case the event stream is away.
 */
export interface HealthGateOptions {
  id: string;
  gate: RedeployHealthGate;
  settleMs: number;
  timeoutMs: number;
  pollMs: number;
  signal: AbortSignal;
  /** Calls the listener with the container as the index sees it after each change; returns a stop. */
  watch(id: string, listener: (container: EngineContainer) => void): () => void;
  inspect(id: string): Promise<EngineContainer>;
}

const preview = (text: string) => {
  const trimmed = text.trim();
  return trimmed.length > 200 ? `${trimmed.slice(0, 200)}…` : trimmed;
};

/** null when ready; otherwise why not. */
export function waitUntilReady(options: HealthGateOptions): Promise<RedeployFailure | null> {
  const { id, gate, settleMs, timeoutMs, pollMs, signal } = options;
  return new Promise((resolve) => {
    let latest: EngineContainer | undefined;
    let firstRestartCount: number | undefined;
    let settled = false;
    const timers: NodeJS.Timeout[] = [];

    const finish = (failure: RedeployFailure | null) => {
      if (settled) return;
      settled = true;
      for (const timer of timers) clearTimeout(timer);
      clearInterval(poll);
      stopWatching();
      signal.removeEventListener('abort', onAbort);
      resolve(failure);
    };
    const fail = (reason: RedeployFailure['reason'], message: string, container = latest) =>
      finish({
        reason,
        message,
        lastProbe: container?.lastProbe ?? null,
        exitCode: container?.exitCode ?? null,
      });

    const evaluate = (container: EngineContainer) => {
      if (settled) return;
      latest = container;
      firstRestartCount ??= container.restartCount;
      if (container.status === 'EXITED' || container.status === 'DEAD') {
        fail('EXITED', `the new container exited with code ${container.exitCode ?? 'unknown'}`);
        return;
      }
      if (container.status === 'RESTARTING' || container.restartCount !== firstRestartCount) {
        fail('EXITED', 'the new container exited and its restart policy is restarting it');
        return;
      }
      if (container.status !== 'RUNNING') return;
      if (gate === 'HEALTHCHECK') {
        if (container.health === 'HEALTHY') finish(null);
        else if (container.health === 'UNHEALTHY') {
          const output = container.lastProbe ? `: ${preview(container.lastProbe.output)}` : '';
          fail('UNHEALTHY', `the new container's healthcheck failed${output}`);
        }
        return;
      }
      const runningForMs = Date.now() - (container.startedAt?.getTime() ?? Date.now());
      if (runningForMs >= settleMs) finish(null);
      else timers.push(setTimeout(() => latest && evaluate(latest), settleMs - runningForMs + 10));
    };

    const check = () => {
      options.inspect(id).then(evaluate, () => {
        // A failed look (the engine away for a moment) is retried at the next poll.
      });
    };
    const onAbort = () => fail('ABORTED', 'berth is stopping; the new container was not taken into service');

    const stopWatching = options.watch(id, evaluate);
    const poll = setInterval(check, pollMs);
    timers.push(
      setTimeout(() => {
        const state = latest
          ? `${latest.status.toLowerCase()}, health ${latest.health.toLowerCase()}`
          : 'unknown';
        fail(
          'TIMEOUT',
          gate === 'HEALTHCHECK'
            ? `the new container was not healthy within ${timeoutMs / 1000} s (${state})`
            : `the new container did not stay running for ${settleMs / 1000} s within ${timeoutMs / 1000} s (${state})`,
        );
      }, timeoutMs),
    );
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort);
    check();
  });
}

import { EventEmitter } from 'node:events';
import { FixedBuffer, Repeater } from '@repeaterjs/repeater';
import type { RedeployFailure, RedeployProgress, RedeployStep } from './model.js';

/**
 * The one owner of every redeploy's progress: each run's steps are kept while it runs (a late
 * subscriber gets them from the start) and fanned out to its subscribers, whose listeners go when
 * they leave. Runs are keyed by the id of the container being replaced.
 */

export interface RedeployRun {
  readonly containerId: string;
  readonly name: string;
  readonly history: RedeployProgress[];
  newContainerId: string | null;
}

const TERMINAL = new Set<RedeployStep>(['DONE', 'FAILED']);
// A run has at most one message per step; the buffer never fills.
const BUFFER = 32;

export class RedeployProgressBoard {
  readonly #runs = new Map<string, RedeployRun>();
  readonly #updates = new EventEmitter<Record<string, [RedeployProgress]>>();

  constructor() {
    this.#updates.setMaxListeners(0);
  }

  running(containerId: string): RedeployRun | undefined {
    return this.#runs.get(containerId);
  }

  begin(containerId: string, name: string): RedeployRun {
    const run: RedeployRun = { containerId, name, history: [], newContainerId: null };
    this.#runs.set(containerId, run);
    return run;
  }

  publish(
    run: RedeployRun,
    step: RedeployStep,
    message: string,
    failure: RedeployFailure | null = null,
  ): void {
    const progress: RedeployProgress = {
      containerId: run.containerId,
      name: run.name,
      step,
      at: new Date(),
      message,
      newContainerId: run.newContainerId,
      failure,
    };
    run.history.push(progress);
    // The run leaves the board in the same tick as its last message: a subscriber after that
    // waits for the next run, and none joins a run whose end it will not hear.
    if (TERMINAL.has(step)) this.#runs.delete(run.containerId);
    this.#updates.emit(run.containerId, progress);
  }

  /**
   * Follows the container's redeploy until DONE or FAILED: the steps so far first, or IDLE when
   * none runs (then the next one is followed). While idle, `onGone` ends it with the container.
   */
  watch(
    containerId: string,
    name: string,
    onGone: (listener: () => void) => () => void,
  ): AsyncIterableIterator<RedeployProgress> {
    return new Repeater<RedeployProgress>(async (push, stop) => {
      const deliver = (progress: RedeployProgress) => {
        void push(progress);
        if (TERMINAL.has(progress.step)) stop();
      };
      this.#updates.on(containerId, deliver);
      const cancelGone = onGone(() => {
        // The old container is removed during its own redeploy: that run's end closes the stream.
        if (!this.#runs.has(containerId)) stop();
      });
      const run = this.#runs.get(containerId);
      if (run) for (const progress of run.history) deliver(progress);
      else
        deliver({
          containerId,
          name,
          step: 'IDLE',
          at: new Date(),
          message: 'no redeploy of this container is running; the next one will be followed',
          newContainerId: null,
          failure: null,
        });
      await stop;
      cancelGone();
      this.#updates.off(containerId, deliver);
    }, new FixedBuffer(BUFFER));
  }

  /** Subscribers following the container now (tests check that leaving releases them). */
  watchers(containerId: string): number {
    return this.#updates.listenerCount(containerId);
  }
}

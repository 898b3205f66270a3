import { EventEmitter } from 'node:events';
import { Repeater, SlidingBuffer } from '@repeaterjs/repeater';
import type { DeployStep, StackDeployProgress } from './model.js';

/**
 * The one owner of every stack deploy's progress: a run's steps are kept while it runs (a late
 * subscriber gets them from the start) and fanned out to its subscribers, whose listeners go when
 * they leave. Runs are keyed by the stack's name; one runs per stack at a time.
 */

const TERMINAL = new Set<DeployStep>(['DONE', 'FAILED']);
/**
 * A deploy sends a few messages per replica; a subscriber that falls this far behind loses the
 * oldest, never the end (the terminal message is always the newest).
 */
const BUFFER = 1024;

export class StackProgressBoard {
  readonly #runs = new Map<string, StackDeployProgress[]>();
  readonly #updates = new EventEmitter<Record<string, [StackDeployProgress]>>();

  constructor() {
    this.#updates.setMaxListeners(0);
  }

  running(stack: string): boolean {
    return this.#runs.has(stack);
  }

  begin(stack: string): void {
    this.#runs.set(stack, []);
  }

  publish(stack: string, step: Omit<StackDeployProgress, 'stack' | 'at'>): void {
    const progress: StackDeployProgress = { ...step, stack, at: new Date() };
    this.#runs.get(stack)?.push(progress);
    // The run leaves the board in the same tick as its last message: a subscriber after that waits
    // for the next run, and none joins a run whose end it will not hear.
    if (TERMINAL.has(progress.step)) this.#runs.delete(stack);
    this.#updates.emit(stack, progress);
  }

  /** Follows the stack's deploy until DONE or FAILED: the steps so far, or IDLE first when none runs. */
  watch(stack: string): AsyncIterableIterator<StackDeployProgress> {
    return new Repeater<StackDeployProgress>(async (push, stop) => {
      const deliver = (progress: StackDeployProgress) => {
        void push(progress);
        if (TERMINAL.has(progress.step)) stop();
      };
      this.#updates.on(stack, deliver);
      const run = this.#runs.get(stack);
      if (run) for (const progress of run) deliver(progress);
      else
        deliver({
          stack,
          step: 'IDLE',
          service: null,
          container: null,
          message: 'no deploy of this stack is running; the next one will be followed',
          at: new Date(),
        });
      await stop;
      this.#updates.off(stack, deliver);
    }, new SlidingBuffer(BUFFER));
  }

  watchers(stack: string): number {
    return this.#updates.listenerCount(stack);
  }
}

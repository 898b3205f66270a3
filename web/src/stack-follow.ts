import { ApiError, type BerthApi } from './api.js';
import { STACK_DEPLOY_PROGRESS, type StackProgress } from './operations.js';

/** How long berth has to answer the subscription's first message (IDLE). */
const FIRST_MESSAGE_MS = 10_000;
/** How long the last steps may trail the mutation's answer (they come over the WebSocket). */
const TRAILING_MS = 5_000;

const isLast = (step: StackProgress['step']) => step === 'DONE' || step === 'FAILED';

/**
 * Runs a change of a stack (a deploy, a scale) while following it on stackDeployProgress, so that
 * no step is missed: subscribe, take IDLE (no other change of the stack is running), then run it.
 * Every message but IDLE goes to `onProgress`. When the first message is not IDLE another change
 * is running: its steps are shown and `run` is not called (STACK_BUSY). The subscription ends
 * with DONE or FAILED, or shortly after `run` answered when none comes (a typed error changes
 * nothing and reports no step).
 */
export async function runFollowed<T>(
  api: BerthApi,
  stack: string,
  onProgress: (message: StackProgress) => void,
  run: () => Promise<T>,
  /** True for an answer after which no step comes (a sync that found nothing new): no trailing wait. */
  changesNothing: (answer: T) => boolean = () => false,
): Promise<T> {
  let unsubscribe = () => {};
  let ended = false;
  let resolveEnded = () => {};
  const endedPromise = new Promise<void>((resolve) => (resolveEnded = resolve));
  const end = () => {
    ended = true;
    resolveEnded();
  };
  const first = new Promise<StackProgress>((resolve, reject) => {
    let seen = false;
    const timer = window.setTimeout(
      () => reject(new ApiError('TIMEOUT', 'berth did not start reporting the stack’s progress')),
      FIRST_MESSAGE_MS,
    );
    unsubscribe = api.subscribe(
      STACK_DEPLOY_PROGRESS,
      { name: stack },
      {
        next: ({ stackDeployProgress: message }) => {
          if (!seen) {
            seen = true;
            window.clearTimeout(timer);
            resolve(message);
          }
          if (message.step === 'IDLE') return;
          onProgress(message);
          if (isLast(message.step)) end();
        },
        error: (error) => {
          window.clearTimeout(timer);
          reject(error);
          end();
        },
        complete: () => {
          window.clearTimeout(timer);
          if (!seen) reject(new ApiError('CLOSED', 'berth ended the progress stream without a step'));
          end();
        },
      },
    );
  });
  let busy = false;
  try {
    const opening = await first;
    if (opening.step !== 'IDLE') {
      busy = true;
      throw new ApiError(
        'STACK_BUSY',
        `another change of ${stack} is running (${opening.step.toLowerCase()}): its steps follow; try again after it`,
      );
    }
    const answer = await run();
    if (!ended && !changesNothing(answer)) {
      await Promise.race([endedPromise, new Promise((resolve) => window.setTimeout(resolve, TRAILING_MS))]);
    }
    return answer;
  } finally {
    // A busy stack's steps keep coming until it ends; any other way, the stream is done with.
    if (busy && !ended) void endedPromise.then(unsubscribe);
    else unsubscribe();
  }
}

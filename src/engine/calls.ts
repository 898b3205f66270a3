import type Docker from 'dockerode';
import { BerthError, type ErrorCode } from '../shared/errors.js';
import { statusOf, toDomainError, type FailureDetails } from './errors.js';
import type { Operation } from './operations.js';

/** One finished engine call, in berth's terms, for whoever measures them (berth's metrics). */
export interface EngineCall {
  operation: Operation;
  /** `ok`, or the code of the typed error the failure became (`error` when none fits). */
  outcome: 'ok' | ErrorCode | 'error';
  seconds: number;
}

/** What a refusal becomes when it is an answer rather than a failure. */
export interface Answered<T> {
  value: T;
}

export interface CallOptions<T> {
  /**
   * A refusal that answers the question (304 to a start: it runs already; 404 to a look-up: there
   * is none), and what the call returns instead. It counts as `ok`.
   */
  answer?: (refusal: unknown) => Answered<T> | undefined;
  /** What the request asked for beyond its subject, where the engine's answer does not repeat it. */
  details?: FailureDetails;
  /**
   * The caller's own way to abort the call. A call it aborted measured nothing of the engine: it is
   * not reported, and its rejection is passed on as it is.
   */
  signal?: AbortSignal;
}

/** `answer` for one status code, e.g. `onStatus(304, undefined)`. */
export function onStatus<T>(status: number, value: T): (refusal: unknown) => Answered<T> | undefined {
  return (refusal) => (statusOf(refusal) === status ? { value } : undefined);
}

/**
 * The one way to the engine. Every request berth sends passes `run`, which times it, tells
 * `onCall` (berth_docker_call_duration_seconds) and maps its failure through errors.ts. The
 * dockerode client is handed to the call and to nobody else, so no request can go around it.
 *
 * A long-lived stream (a followed log, `/events`, a stats stream, a pull's progress) is timed
 * until the engine has answered and the stream is open: how long it then runs is the caller's
 * business, not the engine's speed.
 */
export class EngineCalls {
  readonly #docker: Docker;
  readonly #onCall: ((call: EngineCall) => void) | undefined;

  constructor(docker: Docker, onCall?: (call: EngineCall) => void) {
    this.#docker = docker;
    this.#onCall = onCall;
  }

  /** Makes one call of kind `operation` on `subject` (what a failure names: a container, an image…). */
  async run<T>(
    operation: Operation,
    subject: string,
    call: (docker: Docker) => Promise<T>,
    options: CallOptions<T> = {},
  ): Promise<T> {
    const started = performance.now();
    let outcome: EngineCall['outcome'] | undefined = 'ok';
    try {
      return await call(this.#docker);
    } catch (error) {
      if (options.signal?.aborted) {
        outcome = undefined;
        throw error;
      }
      const answered = options.answer?.(error);
      if (answered) return answered.value;
      const mapped = toDomainError(error, operation, subject, options.details);
      outcome = mapped instanceof BerthError ? mapped.code : 'error';
      throw mapped;
    } finally {
      if (outcome !== undefined) {
        this.#onCall?.({ operation, outcome, seconds: (performance.now() - started) / 1000 });
      }
    }
  }

  /**
   * Opens a stream (timed, as `run`) and reads it to its end with `read`; a failure while reading
   * (the engine gone mid-stream) is mapped as the call's own would be.
   */
  async stream<S, T>(
    operation: Operation,
    subject: string,
    open: (docker: Docker) => Promise<S>,
    read: (stream: S) => Promise<T>,
    options: CallOptions<S> = {},
  ): Promise<T> {
    const stream = await this.run(operation, subject, open, options);
    try {
      return await read(stream);
    } catch (error) {
      throw toDomainError(error, operation, subject, options.details);
    }
  }

  /** Splits an attached stream's frames into stdout and stderr. Local work: no engine call. */
  demux(stream: NodeJS.ReadableStream, stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): void {
    this.#docker.modem.demuxStream(stream, stdout, stderr);
  }
}

import { Repeater } from '@repeaterjs/repeater';
import type { ContainerIndex } from '../../domain/containers/container-index.js';
import { EngineUnavailableError } from '../../shared/errors.js';

/**
 * A subscription about an environment says when that environment's engine stops answering and
 * goes on when it is back. The environment's container index is the one owner of that signal
 * (`unavailable`, then `available`): the subscriptions do not guess from their own streams.
 *
 * The stream yields an {@link EnvironmentDown} for each outage, and the field's resolve throws its
 * error ({@link throwIfDown}): graphql-js executes each source event on its own, so the client gets
 * one result with `data: null` and an ENGINE_UNAVAILABLE error naming the environment
 * (`extensions.environment`), and the stream stays open for what comes once the engine is back.
 */
export class EnvironmentDown {
  readonly error: EngineUnavailableError;

  constructor(readonly environment: string) {
    this.error = new EngineUnavailableError(
      `the engine of environment "${environment}" does not answer; this subscription goes on when it is back`,
      undefined,
      environment,
    );
  }
}

/** An environment a stream is about: its name and the index that knows whether its engine answers. */
export interface Watched {
  readonly name: string;
  readonly index: ContainerIndex;
}

/**
 * `source`, with an {@link EnvironmentDown} whenever one of `environments` stops answering, and
 * first for each one that does not answer (or has not caught up with its engine) as it starts.
 * Ends when `source` ends (and fails with it); returning it returns `source`.
 */
export function sayingWhenDown<T>(
  source: AsyncIterableIterator<T>,
  environments: readonly Watched[],
): AsyncIterableIterator<T | EnvironmentDown> {
  return new Repeater<T | EnvironmentDown>(async (push, stop) => {
    for (const { name, index } of environments) if (!index.available) void push(new EnvironmentDown(name));
    const watches = environments.map(({ name, index }) => {
      const onDown = () => void push(new EnvironmentDown(name));
      index.on('unavailable', onDown);
      return () => index.off('unavailable', onDown);
    });
    const pump = async () => {
      // Awaited: the source is only asked for more as fast as the client takes it.
      for await (const item of source) await push(item);
      stop();
    };
    pump().catch((error: unknown) => stop(error));
    await stop;
    for (const unwatch of watches) unwatch();
    await source.return?.();
  });
}

/** What the four subscriptions' descriptions say of an outage, in the same words. */
export const OUTAGE_DESCRIPTION =
  ' When its engine stops answering it sends one result with data null and an ENGINE_UNAVAILABLE ' +
  'error naming the environment (extensions.environment), stays open, and goes on once the engine is back.';

/** The subscription field's resolve: a value as it is, an outage as its ENGINE_UNAVAILABLE error. */
export function throwIfDown<T>(payload: T | EnvironmentDown): T {
  if (payload instanceof EnvironmentDown) throw payload.error;
  return payload;
}

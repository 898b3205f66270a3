/**
 * A value a stream yields to say it ends with an error, delivered in order after what came
 * before it. Streams of every domain (events, pulls, rollouts, alerts) end this way, and the API
 * turns it into the subscription's error.
 */
export class StreamFailure {
  constructor(readonly error: Error) {}
}

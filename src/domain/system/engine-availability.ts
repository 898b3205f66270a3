import type { EngineEvents } from '../containers/ports.js';
import { EngineUnavailableError, type EngineUnavailableReason } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import type { EngineHost } from './ports.js';

/** Where berth tried to reach the engine: a unix socket's path, or a TCP address (`host:port`). */
export type EnginePlace = { kind: 'socket'; path: string } | { kind: 'tcp'; address: string };

/** Why the engine cannot be reached, and what to do about it, as berth tells its operator. */
export interface EngineFailure {
  reason: EngineUnavailableReason;
  /** What berth saw, and the fix where it knows one. */
  detail: string;
}

/**
 * What to tell the operator for each reason: the one place its wording lives, so the start-up
 * log, the GraphQL error and the system query say the same thing. `seen` is the socket error's
 * own words, kept for the reasons that have no fix of their own.
 */
export function describeEngineFailure(
  reason: EngineUnavailableReason,
  place: EnginePlace,
  seen: string,
): string {
  if (place.kind === 'socket') {
    const path = place.path;
    switch (reason) {
      case 'PERMISSION_DENIED':
        return (
          `cannot open ${path}: permission denied — add the user berth runs as to the docker group, ` +
          `the socket's (sudo usermod -aG docker $USER, then log in again), or run berth's container ` +
          `with the socket's group (docker run --group-add $(stat -c %g ${path}))`
        );
      case 'NOT_FOUND':
        return `no Docker Engine at ${path} (no such file) — start dockerd (sudo systemctl start docker) or set DOCKER_HOST to where the engine listens`;
      case 'REFUSED':
        return `nothing listens on ${path} (connection refused): dockerd is not running and left a stale socket — start dockerd (sudo systemctl start docker) or set DOCKER_HOST to where the engine listens`;
      case 'TIMEOUT':
        return `the Docker Engine on ${path} did not answer in time — it may be overloaded or hung; check dockerd's own log`;
      case 'OTHER':
        return `cannot talk to the Docker Engine on ${path}: ${seen}`;
    }
  }
  const address = place.address;
  switch (reason) {
    case 'PERMISSION_DENIED':
      return `cannot connect to ${address}: permission denied by this host — check its firewall rules for berth's user`;
    case 'NOT_FOUND':
      return `no Docker Engine at ${address}: the host name does not resolve — check DOCKER_HOST`;
    case 'REFUSED':
      return `nothing listens at ${address} (connection refused) — start dockerd listening there, or set DOCKER_HOST to where the engine listens`;
    case 'TIMEOUT':
      return `the Docker Engine at ${address} did not answer in time — check that the host is up and that the network lets berth reach it`;
    case 'OTHER':
      return `cannot talk to the Docker Engine at ${address}: ${seen}`;
  }
}

/** An engine as the `environments` query shows it: reachable or not since when, and what it is. */
export interface EngineState {
  /** CONNECTING until the first try ends; then UP while the event stream is connected, DOWN while it cannot be. */
  status: 'UP' | 'DOWN' | 'CONNECTING';
  /** When the engine stopped answering (the first failed try of this outage); null while UP. */
  downSince: Date | null;
  /** Why the engine could not be reached the last time it could not, and the fix; kept once it answers again. */
  lastError: string | null;
  /** The engine's version as it said when last asked (each connection, then every refresh); null before it ever answered. */
  engineVersion: string | null;
  /** `manager` or `worker` in a Docker Swarm, null when standalone, as when last asked. */
  swarmRole: 'manager' | 'worker' | null;
}

/**
 * What changed in an engine's state: it stopped answering (DOWN), answers again or for the first
 * time (UP, once its version and swarm role are read), or what it is changed while it answers
 * (UPDATED: engineVersion or swarmRole).
 */
export type EngineStateChange = 'DOWN' | 'UP' | 'UPDATED';

/** How often a reachable engine is asked what it is: a swarm joined with the CLI shows up within this. */
export const ENGINE_FACTS_REFRESH_MS = 30_000;

/**
 * Whether berth can reach its engine, and if not why, as the engine's event stream finds out: it
 * retries on its own with back-off for as long as the engine is away, which makes it the probe.
 * Says so in the log once per reason (at start, the first failed try), not at every retry; again
 * only when the reason changes, and once when the engine answers again. Each time the stream
 * connects it asks the engine what it is (`engine`: version, swarm role), and again every
 * `refreshMs` while it answers (one `GET /info`), since `docker swarm init` on the host says
 * nothing on the container event stream. Listeners hear each change of state.
 */
export class EngineAvailability {
  #failure: EngineFailure | null = null;
  #status: EngineState['status'] = 'CONNECTING';
  #downSince: Date | null = null;
  #lastError: string | null = null;
  #identity: Pick<EngineState, 'engineVersion' | 'swarmRole'> = { engineVersion: null, swarmRole: null };
  readonly #listeners = new Set<(change: EngineStateChange) => void>();
  /** The read of what the engine is in flight: a refresh during it joins it rather than asking twice. */
  #identifying: Promise<boolean> | null = null;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    events: Pick<EngineEvents, 'on'>,
    private readonly dockerHost: string,
    private readonly log: Logger,
    private readonly engine?: Pick<EngineHost, 'info'>,
    private readonly now: () => number = Date.now,
    private readonly refreshMs: number = ENGINE_FACTS_REFRESH_MS,
  ) {
    events.on('disconnected', (error) => this.#failed(error));
    events.on('connected', () => this.#answered());
  }

  /** Why the engine could not be reached at the last try; null while it answers (or before any try). */
  get failure(): EngineFailure | null {
    return this.#failure;
  }

  get state(): EngineState {
    return {
      status: this.#status,
      downSince: this.#downSince,
      lastError: this.#lastError,
      ...this.#identity,
    };
  }

  /** Tells `listener` of each change of state from now on; returns what stops it. */
  onChange(listener: (change: EngineStateChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Starts asking the engine what it is every `refreshMs` while it answers. */
  start(): void {
    if (this.#timer !== undefined || !this.engine) return;
    this.#timer = setInterval(() => void this.refresh(), this.refreshMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /**
   * Asks the engine what it is now (after a change berth made, or on the timer); listeners hear
   * UPDATED when its version or swarm role changed. Nothing while it does not answer: it is asked
   * when it does again.
   */
  async refresh(): Promise<void> {
    if (this.#status !== 'UP') return;
    const changed = await this.#identify();
    if (changed && this.#status === 'UP') this.#emit('UPDATED');
  }

  #emit(change: EngineStateChange): void {
    for (const listener of this.#listeners) {
      try {
        listener(change);
      } catch (error) {
        // One listener's bug must not keep the others (or the event stream) from hearing it.
        this.log.error(`a listener of the Docker Engine at ${this.dockerHost} failed`, error);
      }
    }
  }

  #failed(error: Error): void {
    // A stream the engine ended is not a failure to reach it: the event stream says so itself,
    // and its next try tells which it is.
    if (!(error instanceof EngineUnavailableError)) return;
    const failure: EngineFailure = { reason: error.reason ?? 'OTHER', detail: error.detail };
    const changed = this.#failure?.reason !== failure.reason;
    const wentDown = this.#status !== 'DOWN';
    this.#failure = failure;
    if (wentDown) this.#downSince = new Date(this.now());
    this.#status = 'DOWN';
    this.#lastError = failure.detail;
    if (changed) {
      this.log.warn(
        `the Docker Engine at ${this.dockerHost} cannot be reached: ${failure.detail}. ` +
          'berth keeps serving (ENGINE_UNAVAILABLE) and works again as soon as the engine answers',
      );
    }
    if (wentDown) this.#emit('DOWN');
  }

  #answered(): void {
    const cameUp = this.#status !== 'UP';
    this.#status = 'UP';
    this.#downSince = null;
    // UP is told once the engine said what it is, so that it carries its version and role.
    void this.#identify().then((changed) => {
      if (this.#status !== 'UP') return;
      if (cameUp) this.#emit('UP');
      else if (changed) this.#emit('UPDATED');
    });
    if (this.#failure === null) return;
    this.#failure = null;
    this.log.info(`the Docker Engine at ${this.dockerHost} answers again`);
  }

  /** Reads what the engine is; answers whether its version or swarm role changed. */
  #identify(): Promise<boolean> {
    this.#identifying ??= this.#readIdentity().finally(() => (this.#identifying = null));
    return this.#identifying;
  }

  async #readIdentity(): Promise<boolean> {
    if (!this.engine) return false;
    try {
      const info = await this.engine.info();
      const inSwarm = info.swarm.nodeState === 'active';
      const identity: Pick<EngineState, 'engineVersion' | 'swarmRole'> = {
        engineVersion: info.serverVersion || null,
        swarmRole: inSwarm ? (info.swarm.manager ? 'manager' : 'worker') : null,
      };
      const changed =
        identity.engineVersion !== this.#identity.engineVersion ||
        identity.swarmRole !== this.#identity.swarmRole;
      this.#identity = identity;
      return changed;
    } catch (error) {
      // The stream connected, so the engine answers: a failed info is told by the next try.
      this.log.debug(`the Docker Engine at ${this.dockerHost} did not say what it is`, error);
      return false;
    }
  }
}

import { randomUUID } from 'node:crypto';
import type { ContainerChange } from '../containers/container-index.js';
import type { Container } from '../containers/model.js';
import type { StatsTick } from '../stats/hub.js';
import { inScope, type AlertKind, type AlertRule, type AlertState } from './rules.js';

/** One message of an alert's life: it fired, or it resolved (both carry the alert's id). */
export interface AlertEvent {
  id: string;
  rule: AlertRule;
  containerId: string;
  containerName: string;
  state: AlertState;
  at: Date;
  /** The figure that decided: CPU or memory percent, restarts in the window, the exit code. */
  value: number | null;
  message: string;
  /** IMAGE_UPDATE_AVAILABLE: the tag, the digest the container runs and the registry's. */
  image?: ImageUpdateDetail;
}

/** What an IMAGE_UPDATE_AVAILABLE alert says about the image. */
export interface ImageUpdateDetail {
  reference: string;
  runningDigest: string;
  remoteDigest: string;
  /** When the newer image was first seen for the tag's local image; null when not known. */
  since: Date | null;
}

/**
 * Whether a container runs the image its registry has under its tag now (image-update detection,
 * src/domain/updates): null when that is not known.
 */
export type ImageUpdateLookup = (container: Container) => (ImageUpdateDetail & { behind: boolean }) | null;

interface Track {
  /** PENDING: the condition holds but not yet for the rule's `forSeconds`. */
  phase: 'PENDING' | 'FIRING';
  since: Date;
  /** The FIRING message, once sent; what `active()` lists. */
  firing: AlertEvent | null;
}

export interface AlertEvaluatorOptions {
  /** A container as the index knows it now, by full id. */
  lookup(containerId: string): Container | undefined;
  /** Every container known now; empty while that is unknown. */
  containers(): Container[];
  emit(event: AlertEvent): void;
  /** IMAGE_UPDATE_AVAILABLE's source; without it such rules never fire. */
  imageUpdate?: ImageUpdateLookup;
  newId?: () => string;
}

/** Kinds about a running container's condition: a container that stops resolves them. */
const WHILE_RUNNING: ReadonlySet<AlertKind> = new Set(['CPU_ABOVE', 'MEMORY_ABOVE', 'UNHEALTHY']);
/** Kinds about how a container ended: they hold until it starts again or is removed. */
const UNTIL_STARTED: ReadonlySet<AlertKind> = new Set(['OOM_KILLED', 'EXITED_NON_ZERO']);
/** Restarts kept per container for RESTART_LOOP windows. */
const MAX_RESTARTS_KEPT = 1000;

const percent = (value: number) => `${value.toFixed(1)}%`;

/**
 * The alert state machine, per (rule, container): nothing → PENDING → FIRING → RESOLVED (then
 * nothing again). Fed by stats ticks (CPU, memory), by the index's container changes (health,
 * exits, OOM kills, restarts, stops, removals) and by a periodic sweep (restart windows that
 * drain). It only decides; the service fans its messages out and delivers them.
 */
export class AlertEvaluator {
  readonly #rules = new Map<string, AlertRule>();
  /** rule id → container id → track. */
  readonly #tracks = new Map<string, Map<string, Track>>();
  /** Restart times (ms) per container, newest last. */
  readonly #restarts = new Map<string, number[]>();
  /** Containers a `kill` was sent to (a stop, a kill, a forced removal): their exit is not a failure. */
  readonly #killRequested = new Set<string>();
  readonly #newId: () => string;

  constructor(private readonly options: AlertEvaluatorOptions) {
    this.#newId = options.newId ?? randomUUID;
  }

  /** Adds or replaces a rule. A changed condition starts over: its open alerts resolve first. */
  setRule(rule: AlertRule, at: Date): void {
    const old = this.#rules.get(rule.id);
    this.#rules.set(rule.id, rule);
    if (old && old.enabled === rule.enabled && sameCondition(old, rule)) {
      // Only its name or webhook changed: open alerts go on, and resolve to the new webhook.
      for (const track of this.#tracksOf(rule.id).values()) {
        if (track.firing) track.firing = { ...track.firing, rule };
      }
      return;
    }
    if (old) this.#resolveRule(rule.id, at, rule.enabled ? 'the rule was changed' : 'the rule was disabled');
    if (rule.enabled) this.#scan(rule, at);
  }

  removeRule(id: string, at: Date): void {
    this.#resolveRule(id, at, 'the rule was deleted');
    this.#rules.delete(id);
    this.#tracks.delete(id);
  }

  /** The alerts firing now, oldest first. */
  active(): AlertEvent[] {
    const firing: AlertEvent[] = [];
    for (const tracks of this.#tracks.values()) {
      for (const track of tracks.values()) if (track.firing) firing.push(track.firing);
    }
    return firing.sort((a, b) => a.at.getTime() - b.at.getTime());
  }

  onTick(tick: StatsTick): void {
    for (const rule of this.#rules.values()) {
      if (!rule.enabled || (rule.kind !== 'CPU_ABOVE' && rule.kind !== 'MEMORY_ABOVE')) continue;
      const threshold = rule.thresholdPercent ?? 0;
      const what = rule.kind === 'CPU_ABOVE' ? 'CPU' : 'memory';
      for (const [id, sample] of tick.samples) {
        const container = this.options.lookup(id);
        if (!container || container.status !== 'RUNNING' || !inScope(rule.scope, container)) continue;
        const value = rule.kind === 'CPU_ABOVE' ? sample.cpuPercent : sample.memoryPercent;
        if (value === null) continue;
        const tracks = this.#tracksOf(rule.id);
        const track = tracks.get(id);
        if (value <= threshold) {
          if (track?.phase === 'PENDING') tracks.delete(id);
          else if (track)
            this.#resolve(
              rule.id,
              id,
              tick.at,
              value,
              `${what} ${percent(value)}, back at or below ${percent(threshold)}`,
            );
          continue;
        }
        const since = track?.since ?? tick.at;
        if (!track) tracks.set(id, { phase: 'PENDING', since, firing: null });
        const heldMs = tick.at.getTime() - since.getTime();
        if (track?.phase !== 'FIRING' && heldMs >= (rule.forSeconds ?? 0) * 1000) {
          const limit = rule.kind === 'MEMORY_ABOVE' ? ' of the limit' : '';
          this.#fire(
            rule,
            container,
            tick.at,
            value,
            `${what} ${percent(value)}${limit}, above ${percent(threshold)} for ${Math.round(heldMs / 1000)} s`,
          );
        }
      }
    }
  }

  onChange(change: ContainerChange): void {
    const { containerId, at, action, current } = change;
    if (!current) {
      this.#resolveContainer(containerId, at, () => true, 'the container was removed');
      this.#restarts.delete(containerId);
      this.#killRequested.delete(containerId);
      return;
    }
    if (action === 'kill') this.#killRequested.add(containerId);
    const restarted = current.restartCount - (change.previous?.restartCount ?? current.restartCount);
    if (restarted > 0) this.#recordRestarts(containerId, at, restarted);

    if (action === 'stop') {
      this.#resolveContainer(
        containerId,
        at,
        (kind) => kind === 'RESTART_LOOP' || WHILE_RUNNING.has(kind),
        'the container was stopped',
      );
    }
    if (current.status !== 'RUNNING') {
      this.#resolveContainer(containerId, at, (kind) => WHILE_RUNNING.has(kind), 'the container stopped');
    }
    if (action === 'start') {
      this.#killRequested.delete(containerId);
      this.#resolveContainer(
        containerId,
        at,
        (kind) => UNTIL_STARTED.has(kind),
        'the container started again',
      );
    }
    this.#resolveOutOfScope(current, at);

    for (const rule of this.#rules.values()) {
      if (!rule.enabled || !inScope(rule.scope, current)) continue;
      switch (rule.kind) {
        case 'UNHEALTHY':
          this.#checkHealth(rule, current, at);
          break;
        case 'OOM_KILLED':
          if (action === 'oom' || (action === 'die' && current.oomKilled)) {
            const limit = current.resources.memoryBytes;
            const detail = limit > 0 ? ` (memory limit ${Math.round(limit / 1024 / 1024)} MiB)` : '';
            this.#fire(rule, current, at, null, `killed by the kernel for lack of memory${detail}`);
          }
          break;
        case 'EXITED_NON_ZERO': {
          if (action !== 'die') break;
          const exitCode = Number(change.attributes['exitCode'] ?? current.exitCode ?? 0);
          if (exitCode !== 0 && !this.#killRequested.has(containerId)) {
            this.#fire(rule, current, at, exitCode, `exited with code ${exitCode}`);
          }
          break;
        }
        case 'IMAGE_UPDATE_AVAILABLE':
          this.#checkImage(rule, current, at);
          break;
        case 'RESTART_LOOP': {
          if (restarted <= 0) break;
          const count = this.#restartsWithin(containerId, rule.windowSeconds ?? 0, at.getTime());
          if (count >= (rule.restarts ?? Infinity)) {
            this.#fire(rule, current, at, count, `restarted ${count} times within ${rule.windowSeconds} s`);
          }
          break;
        }
        default:
          break;
      }
    }
    if (action === 'die') this.#killRequested.delete(containerId);
  }

  /**
   * After the index matched the engine again (at start, after a gap): alerts of containers that
   * are gone or stopped resolve, and states that hold now (unhealthy) fire.
   */
  reconcile(at: Date): void {
    for (const [ruleId, tracks] of this.#tracks) {
      const rule = this.#rules.get(ruleId);
      for (const containerId of [...tracks.keys()]) {
        const container = this.options.lookup(containerId);
        if (!container) this.#resolve(ruleId, containerId, at, null, 'the container was removed');
        else if (rule && WHILE_RUNNING.has(rule.kind) && container.status !== 'RUNNING') {
          this.#resolve(ruleId, containerId, at, null, 'the container stopped');
        } else if (rule && !inScope(rule.scope, container)) {
          this.#resolve(ruleId, containerId, at, null, 'the container no longer matches the rule');
        }
      }
    }
    for (const rule of this.#rules.values()) if (rule.enabled) this.#scan(rule, at);
  }

  /** Restart loops whose window has drained resolve; old restart times are forgotten. */
  sweep(now: number): void {
    let longestWindow = 0;
    for (const rule of this.#rules.values()) {
      if (rule.kind !== 'RESTART_LOOP' || !rule.enabled) continue;
      const window = rule.windowSeconds ?? 0;
      longestWindow = Math.max(longestWindow, window);
      for (const containerId of [...this.#tracksOf(rule.id).keys()]) {
        const count = this.#restartsWithin(containerId, window, now);
        if (count < (rule.restarts ?? 0)) {
          const message = `${count} restart${count === 1 ? '' : 's'} in the last ${window} s: no longer looping`;
          this.#resolve(rule.id, containerId, new Date(now), count, message);
        }
      }
    }
    for (const [containerId, times] of this.#restarts) {
      const kept = times.filter((time) => now - time <= longestWindow * 1000);
      if (kept.length === 0) this.#restarts.delete(containerId);
      else if (kept.length !== times.length) this.#restarts.set(containerId, kept);
    }
  }

  /**
   * After an image-update check: containers behind their registry's image fire, those that run
   * it (again) resolve.
   */
  onImageCheck(at: Date): void {
    for (const rule of this.#rules.values()) {
      if (rule.enabled && rule.kind === 'IMAGE_UPDATE_AVAILABLE') this.#scan(rule, at);
    }
  }

  #scan(rule: AlertRule, at: Date): void {
    if (rule.kind !== 'UNHEALTHY' && rule.kind !== 'IMAGE_UPDATE_AVAILABLE') return;
    for (const container of this.options.containers()) {
      if (!inScope(rule.scope, container)) continue;
      if (rule.kind === 'UNHEALTHY') this.#checkHealth(rule, container, at);
      else this.#checkImage(rule, container, at);
    }
  }

  #checkImage(rule: AlertRule, container: Container, at: Date): void {
    const finding = this.options.imageUpdate?.(container);
    // Not known (never checked, registry down): an open alert stays open until a check says.
    if (!finding) return;
    const { behind, ...image } = finding;
    const short = (digest: string) => digest.replace(/^sha256:/, '').slice(0, 12);
    if (behind) {
      this.#fire(
        rule,
        container,
        at,
        null,
        `a newer image exists for ${image.reference}: it runs ${short(image.runningDigest)}, the registry has ${short(image.remoteDigest)}`,
        image,
      );
    } else {
      this.#resolve(
        rule.id,
        container.id,
        at,
        null,
        `it runs the registry's image of ${image.reference} again`,
        image,
      );
    }
  }

  #checkHealth(rule: AlertRule, container: Container, at: Date): void {
    const unhealthy = container.status === 'RUNNING' && container.health === 'UNHEALTHY';
    if (unhealthy) {
      const probe = container.lastProbe;
      const output = probe?.output.trim().slice(0, 200);
      const detail = probe ? ` (exit ${probe.exitCode}${output ? `: ${output}` : ''})` : '';
      this.#fire(rule, container, at, null, `health check failing${detail}`);
    } else if (container.status === 'RUNNING') {
      this.#resolve(rule.id, container.id, at, null, `health is ${container.health.toLowerCase()} again`);
    }
  }

  #recordRestarts(containerId: string, at: Date, count: number): void {
    const times = this.#restarts.get(containerId) ?? [];
    for (let i = 0; i < count; i += 1) times.push(at.getTime());
    if (times.length > MAX_RESTARTS_KEPT) times.splice(0, times.length - MAX_RESTARTS_KEPT);
    this.#restarts.set(containerId, times);
  }

  #restartsWithin(containerId: string, windowSeconds: number, now: number): number {
    const times = this.#restarts.get(containerId) ?? [];
    return times.filter((time) => now - time < windowSeconds * 1000).length;
  }

  #tracksOf(ruleId: string): Map<string, Track> {
    let tracks = this.#tracks.get(ruleId);
    if (!tracks) {
      tracks = new Map();
      this.#tracks.set(ruleId, tracks);
    }
    return tracks;
  }

  #fire(
    rule: AlertRule,
    container: Container,
    at: Date,
    value: number | null,
    message: string,
    image?: ImageUpdateDetail,
  ): void {
    const tracks = this.#tracksOf(rule.id);
    const track = tracks.get(container.id);
    if (track?.phase === 'FIRING') return;
    const event: AlertEvent = {
      id: this.#newId(),
      rule,
      containerId: container.id,
      containerName: container.name,
      state: 'FIRING',
      at,
      value,
      message,
      ...(image ? { image } : {}),
    };
    tracks.set(container.id, { phase: 'FIRING', since: track?.since ?? at, firing: event });
    this.options.emit(event);
  }

  /** Ends a (rule, container) track; a FIRING one says so with a RESOLVED message. */
  #resolve(
    ruleId: string,
    containerId: string,
    at: Date,
    value: number | null,
    message: string,
    image?: ImageUpdateDetail,
  ): void {
    const tracks = this.#tracks.get(ruleId);
    const track = tracks?.get(containerId);
    if (!tracks || !track) return;
    tracks.delete(containerId);
    if (track.firing) {
      this.options.emit({
        ...track.firing,
        state: 'RESOLVED',
        at,
        value,
        message,
        ...(image ? { image } : {}),
      });
    }
  }

  #resolveRule(ruleId: string, at: Date, message: string): void {
    for (const containerId of [...(this.#tracks.get(ruleId)?.keys() ?? [])]) {
      this.#resolve(ruleId, containerId, at, null, message);
    }
  }

  #resolveContainer(
    containerId: string,
    at: Date,
    kinds: (kind: AlertKind) => boolean,
    message: string,
  ): void {
    for (const [ruleId, tracks] of this.#tracks) {
      const rule = this.#rules.get(ruleId);
      if (rule && kinds(rule.kind) && tracks.has(containerId))
        this.#resolve(ruleId, containerId, at, null, message);
    }
  }

  /** A renamed container may no longer match a rule that named it. */
  #resolveOutOfScope(container: Container, at: Date): void {
    for (const [ruleId, tracks] of this.#tracks) {
      const rule = this.#rules.get(ruleId);
      if (rule && tracks.has(container.id) && !inScope(rule.scope, container)) {
        this.#resolve(ruleId, container.id, at, null, 'the container no longer matches the rule');
      }
    }
  }
}

/** Whether two versions of a rule watch for the same thing. */
function sameCondition(a: AlertRule, b: AlertRule): boolean {
  return (
    a.kind === b.kind &&
    a.thresholdPercent === b.thresholdPercent &&
    a.forSeconds === b.forSeconds &&
    a.restarts === b.restarts &&
    a.windowSeconds === b.windowSeconds &&
    a.scope.container === b.scope.container &&
    a.scope.label === b.scope.label
  );
}

import { bytes, percent } from './format.js';
import type {
  Container,
  ContainerEvent,
  Environment,
  EnvironmentChange,
  ImageUpdate,
  StatsPoint,
  StatsSample,
} from './operations.js';
import { LOCAL, type Scope } from './router.js';

/** What a row shows of a container's latest sample, as text: a row re-renders only when it changes. */
export interface RowStats {
  readonly cpu: string;
  readonly memory: string;
  /** 0-100, for the row's bar (100 × CPUs is clamped). */
  readonly cpuBar: number;
}

export type Topic = 'containers' | 'stats' | 'events' | 'selection' | 'connection' | 'access' | 'hosts';
/** `waiting`: berth closed with 1013 (a rate passed) and the dashboard backs off before its retry. */
export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'waiting';

const EVENTS_KEPT = 100;

/**
 * The dashboard's state outside Preact: the container list (kept current by events), each row's
 * latest figures, the events feed and the selection. Components listen to the topics they show,
 * so a stats tick re-renders the table alone, and within it only rows whose text changed.
 */
export class DashboardStore {
  readonly containers = new Map<string, Container>();
  readonly stats = new Map<string, RowStats>();
  /** Newest first. */
  events: readonly ContainerEvent[] = [];
  selectedId: string | null = null;
  connection: ConnectionState = 'connecting';
  /** The selected container's chart data, fed by the same ticks. */
  series: LiveSeries | null = null;
  /**
   * Whether berth refused a change with FORBIDDEN: the token is a viewer's, and the pages that
   * know it hide their mutating controls. berth has no query that names the token's role, so it
   * is learned from the first refusal, for as long as the dashboard has this token.
   */
  readOnly = false;
  /** The environment whose containers the page shows, or ALL_HOSTS. */
  scope: Scope = LOCAL;
  /** Every environment the token may use, with its state, for the switcher. */
  environments: readonly Environment[] = [];
  /**
   * Environments whose containers the page lacks now: left out of the list (their engine did not
   * answer) or of the latest stats batch (`leftOut`). Sorted, so that a tick that names the same
   * ones changes nothing.
   */
  leftOut: readonly string[] = [];
  #listLeftOut: readonly string[] = [];
  #statsLeftOut: readonly string[] = [];

  #pendingSelection: string | null = null;
  #sorted: readonly Container[] | null = null;
  readonly #listeners = new Map<Topic, Set<() => void>>();

  on(topic: Topic, listener: () => void): () => void {
    let set = this.#listeners.get(topic);
    if (!set) this.#listeners.set(topic, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  #emit(topic: Topic): void {
    for (const listener of this.#listeners.get(topic) ?? []) listener();
  }

  /** By name; sorted again only when the list changes, never on a stats tick. */
  sorted(): readonly Container[] {
    this.#sorted ??= [...this.containers.values()].sort((a, b) => a.name.localeCompare(b.name));
    return this.#sorted;
  }

  load(containers: readonly Container[]): void {
    this.containers.clear();
    for (const container of containers) this.containers.set(container.id, container);
    for (const id of this.stats.keys()) {
      if (this.containers.get(id)?.status !== 'RUNNING') this.stats.delete(id);
    }
    this.#containersChanged();
    if (this.selectedId && !this.containers.has(this.selectedId)) this.select(null);
    if (this.#pendingSelection && this.containers.has(this.#pendingSelection)) {
      this.select(this.#pendingSelection);
    }
  }

  /** Selects it now, or once a list that holds it is loaded (after a switch of environment). */
  selectWhenListed(id: string): void {
    this.#pendingSelection = this.containers.has(id) ? null : id;
    this.select(id);
  }

  upsert(container: Container): void {
    this.containers.set(container.id, container);
    // A container that no longer runs gets no samples: its last figures would be stale.
    if (container.status !== 'RUNNING') this.stats.delete(container.id);
    this.#containersChanged();
  }

  remove(id: string): void {
    if (!this.containers.delete(id)) return;
    this.stats.delete(id);
    this.#containersChanged();
    if (this.selectedId === id) this.select(null);
  }

  /**
   * A tag's new check result onto the containers that showed one for it, for the image the tag
   * named. Answers false when the list must be read again: no container showed one for the tag
   * (berth names the tag normalized, `busybox` is `busybox:latest`, and rather than normalizing here
   * too, a container never checked before is read again with its result), or one showed a result
   * for another image than the new one's (left on an older image after a pull of the tag, or the
   * tag moved): berth answers each container's own, compared with the image it runs.
   */
  applyImageUpdate(update: ImageUpdate): boolean {
    let matched = false;
    let changed = false;
    let readAgain = false;
    for (const container of this.containers.values()) {
      const shown = container.imageUpdate;
      if (shown?.reference !== update.reference) continue;
      matched = true;
      if (shown.localDigest !== update.localDigest) {
        readAgain = true;
        continue;
      }
      changed = true;
      this.containers.set(container.id, { ...container, imageUpdate: update });
    }
    if (changed) this.#containersChanged();
    return matched && !readAgain;
  }

  #containersChanged(): void {
    this.#sorted = null;
    this.#emit('containers');
  }

  applyEvent(event: ContainerEvent): void {
    this.events = [event, ...this.events.slice(0, EVENTS_KEPT - 1)];
    this.#emit('events');
    if (event.type === 'DESTROY') this.remove(event.containerId);
    else if (event.container) this.upsert(event.container);
  }

  /** Another environment (or all): what the page showed belongs to the one before. */
  setScope(scope: Scope): void {
    if (scope === this.scope) return;
    this.scope = scope;
    this.events = [];
    this.stats.clear();
    this.#listLeftOut = [];
    this.#statsLeftOut = [];
    this.load([]);
    this.#leftOutChanged();
    this.#emit('hosts');
    this.#emit('events');
    this.#emit('stats');
  }

  setEnvironments(environments: readonly Environment[]): void {
    this.environments = environments;
    this.#emit('hosts');
  }

  /** One change from environmentChanged: a removed one leaves the list, any other takes its place in it. */
  applyEnvironmentChange(change: EnvironmentChange): void {
    const others = this.environments.filter(({ name }) => name !== change.environment.name);
    const next = change.kind === 'REMOVED' ? others : [...others, change.environment];
    // As berth lists them: local first, then by name.
    this.setEnvironments(
      next.sort((a, b) => (a.name === LOCAL ? -1 : b.name === LOCAL ? 1 : a.name.localeCompare(b.name))),
    );
  }

  /** The environments the last read of the list had to leave out. */
  get listLeftOut(): readonly string[] {
    return this.#listLeftOut;
  }

  setListLeftOut(names: readonly string[]): void {
    this.#listLeftOut = [...names].sort();
    this.#leftOutChanged();
  }

  #leftOutChanged(): void {
    const names = [...new Set([...this.#listLeftOut, ...this.#statsLeftOut])].sort();
    if (names.join('\n') === this.leftOut.join('\n')) return;
    this.leftOut = names;
    this.#emit('hosts');
  }

  /** One tick: every running container's sample. The work here is what must stay under a frame. */
  applyBatch(samples: readonly StatsSample[], leftOut: readonly string[] = []): void {
    if (leftOut.length > 0 || this.#statsLeftOut.length > 0) {
      this.#statsLeftOut = [...leftOut].sort();
      this.#leftOutChanged();
    }
    let changed = false;
    for (const sample of samples) {
      if (sample.containerId === this.selectedId) this.series?.push(sample);
      if (!this.containers.has(sample.containerId)) continue;
      const cpu = percent(sample.cpuPercent);
      const memory = bytes(sample.memoryUsageBytes);
      const previous = this.stats.get(sample.containerId);
      if (previous?.cpu === cpu && previous.memory === memory) continue;
      this.stats.set(sample.containerId, {
        cpu,
        memory,
        cpuBar: Math.min(100, Math.max(0, sample.cpuPercent ?? 0)),
      });
      changed = true;
    }
    if (changed) this.#emit('stats');
  }

  /** A bound function, so that memoized rows can all be handed the same one. */
  readonly select = (id: string | null): void => {
    if (id === this.selectedId || (id !== null && !this.containers.has(id))) return;
    this.#pendingSelection = null;
    this.selectedId = id;
    this.series = id === null ? null : new LiveSeries();
    this.#emit('selection');
  };

  markReadOnly(): void {
    if (this.readOnly) return;
    this.readOnly = true;
    this.#emit('access');
  }

  setConnection(state: ConnectionState): void {
    if (state === this.connection) return;
    this.connection = state;
    this.#emit('connection');
  }
}

/** Ten minutes at berth's 1 s tick: the span the charts show. */
export const CHART_SECONDS = 600;

export type HistoryState =
  { state: 'loading' } | { state: 'loaded'; points: number } | { state: 'unavailable'; reason: string };

/**
 * One container's CPU and memory over time, as uPlot wants them (columns, times in seconds):
 * history first, then every live sample, trimmed to the chart's span.
 */
export class LiveSeries {
  readonly times: number[] = [];
  readonly cpu: (number | null)[] = [];
  readonly memory: (number | null)[] = [];
  memoryLimit: number | null = null;
  history: HistoryState = { state: 'loading' };
  readonly #listeners = new Set<() => void>();

  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get length(): number {
    return this.times.length;
  }

  push(point: StatsPoint): void {
    const at = Date.parse(point.at) / 1000;
    if (!Number.isFinite(at) || (this.times.length > 0 && at <= this.times[this.times.length - 1]!)) return;
    this.times.push(at);
    this.cpu.push(point.cpuPercent);
    this.memory.push(point.memoryUsageBytes);
    this.memoryLimit = point.memoryLimitBytes;
    const excess = this.times.length - CHART_SECONDS;
    if (excess > 0) {
      this.times.splice(0, excess);
      this.cpu.splice(0, excess);
      this.memory.splice(0, excess);
    }
    this.#changed();
  }

  /** History (ascending) goes before what arrived live meanwhile; overlapping points are skipped. */
  loadHistory(points: readonly StatsPoint[]): void {
    const firstLive = this.times[0] ?? Number.POSITIVE_INFINITY;
    const older = points.filter((point) => Date.parse(point.at) / 1000 < firstLive);
    const room = Math.max(0, CHART_SECONDS - this.times.length);
    const kept = older.slice(Math.max(0, older.length - room));
    this.times.unshift(...kept.map((point) => Date.parse(point.at) / 1000));
    this.cpu.unshift(...kept.map((point) => point.cpuPercent));
    this.memory.unshift(...kept.map((point) => point.memoryUsageBytes));
    const last = points[points.length - 1];
    if (this.memoryLimit === null && last) this.memoryLimit = last.memoryLimitBytes;
    this.history = { state: 'loaded', points: points.length };
    this.#changed();
  }

  historyUnavailable(reason: string): void {
    this.history = { state: 'unavailable', reason };
    this.#changed();
  }

  #changed(): void {
    for (const listener of this.#listeners) listener();
  }
}

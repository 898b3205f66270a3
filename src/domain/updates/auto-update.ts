import { EventEmitter } from 'node:events';
import { Repeater } from '@repeaterjs/repeater';
import type { AuditEntryInput } from '../../platform/audit/log.js';
import type { BerthDatabase } from '../../platform/store/database.js';
import { BerthError, InvalidInputError, NotFoundError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import type { Container } from '../containers/model.js';
import type { ImageUpdateService } from './service.js';
import {
  nextOpening,
  validateWindow,
  windowOpen,
  type MaintenanceWindow,
  type MaintenanceWindowInput,
} from './window.js';

/** Automatic updates: a container or stack opted in is updated when a check finds a newer image. */

export const AUTO_UPDATE_TARGETS = ['CONTAINER', 'STACK'] as const;
export type AutoUpdateTargetKind = (typeof AUTO_UPDATE_TARGETS)[number];

export const AUTO_UPDATE_RESULTS = ['UPDATED', 'ROLLED_BACK', 'FAILED'] as const;
export type AutoUpdateResult = (typeof AUTO_UPDATE_RESULTS)[number];

/** How one automatic update ended. */
export interface AutoUpdateOutcome {
  at: Date;
  result: AutoUpdateResult;
  message: string;
  /** The tag updated (a stack's: each one behind, comma-separated). */
  reference: string;
  /** The registry digest it was updated to: an update to it that failed is not tried again. */
  toDigest: string;
}

export interface ImageAutoUpdate {
  kind: AutoUpdateTargetKind;
  /** The container's or the stack's name: a redeployed container keeps it, its id changes. */
  name: string;
  enabled: boolean;
  window: MaintenanceWindow;
  lastRunAt: Date | null;
  lastOutcome: AutoUpdateOutcome | null;
  /** An automatic update of it runs now. */
  running: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface SetImageAutoUpdateInput {
  container?: string | null | undefined;
  stack?: string | null | undefined;
  enabled: boolean;
  window?: MaintenanceWindowInput | null | undefined;
}

/** What updating a target needs, each wired in src/app.ts. */
export interface AutoUpdateActions {
  /** Every container the index knows now (throws while it is out of step). */
  containers(): Container[];
  /** Pulls `reference` with its registry's credential. */
  pull(reference: string): Promise<void>;
  /**
   * The health-gated redeploy of a container onto what its tag names now (RedeployService):
   * rejects with REDEPLOY_FAILED when the new one was not healthy (removed; the old one serves on).
   */
  redeployContainer(containerId: string, image: string): Promise<{ containerId: string | null }>;
  /** Throws STACK_NOT_FOUND when no stack has the name. */
  findStack(name: string): Promise<unknown>;
  /** StackService.redeploy with a pull; undefined until stacks can be redeployed. */
  redeployStack?: ((name: string, actor: string) => Promise<{ ok: boolean; summary: string }>) | undefined;
  audit(entry: AuditEntryInput): void;
}

/** A one-shot timer: how the service waits for the next window to open (tests pass their own). */
export interface WindowTimer {
  /** Calls `fire` once after `ms` milliseconds; must not keep the process alive. */
  set(fire: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const nodeTimer: WindowTimer = {
  set: (fire, ms) => setTimeout(fire, ms).unref(),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** The longest delay setTimeout takes (a longer one fires at once): a later opening is waited for in steps. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export interface AutoUpdateOptions {
  now?: () => Date;
  timer?: WindowTimer;
}

/** The actor automatic updates are audited and recorded as. */
export const AUTO_UPDATE_ACTOR = 'auto-update';
const PROJECT_LABEL = 'com.docker.compose.project';

interface Row {
  kind: AutoUpdateTargetKind;
  name: string;
  enabled: number;
  maintenance_window: string;
  last_run_at: number | null;
  last_outcome: string | null;
  created_at: number;
  updated_at: number;
}

type Stored = Omit<ImageAutoUpdate, 'running'>;

function toStored(row: Row): Stored {
  const outcome =
    row.last_outcome === null ? null : (JSON.parse(row.last_outcome) as AutoUpdateOutcome & { at: string });
  return {
    kind: row.kind,
    name: row.name,
    enabled: row.enabled === 1,
    window: JSON.parse(row.maintenance_window) as MaintenanceWindow,
    lastRunAt: row.last_run_at === null ? null : new Date(row.last_run_at),
    lastOutcome: outcome === null ? null : { ...outcome, at: new Date(outcome.at) },
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

/** The targets opted into automatic updates, in berth's database. */
export class AutoUpdateStore {
  readonly #statements;

  constructor(db: BerthDatabase) {
    this.#statements = {
      all: db.prepare<[], Row>('SELECT * FROM image_auto_updates ORDER BY kind, name'),
      get: db.prepare<[string, string], Row>('SELECT * FROM image_auto_updates WHERE kind = ? AND name = ?'),
      put: db.prepare<[string, string, number, string, number, number]>(
        `INSERT INTO image_auto_updates (kind, name, enabled, maintenance_window, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (kind, name) DO UPDATE SET enabled = excluded.enabled,
           maintenance_window = excluded.maintenance_window, updated_at = excluded.updated_at`,
      ),
      ran: db.prepare<[number, string, string, string]>(
        'UPDATE image_auto_updates SET last_run_at = ?, last_outcome = ? WHERE kind = ? AND name = ?',
      ),
    };
  }

  list(): Stored[] {
    return this.#statements.all.all().map(toStored);
  }

  get(kind: AutoUpdateTargetKind, name: string): Stored | undefined {
    const row = this.#statements.get.get(kind, name);
    return row && toStored(row);
  }

  put(
    kind: AutoUpdateTargetKind,
    name: string,
    enabled: boolean,
    window: MaintenanceWindow,
    now: number,
  ): Stored {
    this.#statements.put.run(kind, name, enabled ? 1 : 0, JSON.stringify(window), now, now);
    return this.get(kind, name)!;
  }

  recordRun(kind: AutoUpdateTargetKind, name: string, startedAt: Date, outcome: AutoUpdateOutcome): void {
    this.#statements.ran.run(startedAt.getTime(), JSON.stringify(outcome), kind, name);
  }
}

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,254}$/;

/** What a target needs updated: the tags behind and the digest each goes to. */
interface Behind {
  references: string[];
  toDigest: string;
  containerIds: string[];
}

/**
 * Automatic updates in maintenance windows. After each image-update check, and when a window
 * opens, every enabled target whose window is open and which runs an image its registry has a
 * newer one of (as the last check found) is updated: a
 * container by a pull and a health-gated redeploy (rolled back when the new one is not healthy), a
 * stack by its redeploy with a pull. One run per target at a time; an update to a digest that
 * failed is not tried again until the registry has another.
 */
export class AutoUpdateService {
  readonly #running = new Set<string>();
  readonly #inFlight = new Set<Promise<void>>();
  readonly #changes = new EventEmitter<{ change: [ImageAutoUpdate] }>().setMaxListeners(0);
  #offChecked: (() => void) | undefined;
  readonly #now: () => Date;
  readonly #timer: WindowTimer;
  #started = false;
  #windowTimer: unknown;
  /** When the next window of an enabled target opens, as the armed timer waits for it. */
  #nextOpening: Date | null = null;

  constructor(
    private readonly store: AutoUpdateStore,
    private readonly updates: Pick<
      ImageUpdateService,
      'onChecked' | 'findingFor' | 'recheckLocally' | 'check' | 'checkOverdue'
    >,
    private readonly actions: AutoUpdateActions,
    private readonly log: Logger,
    options: AutoUpdateOptions = {},
  ) {
    this.#now = options.now ?? (() => new Date());
    this.#timer = options.timer ?? nodeTimer;
  }

  start(): void {
    this.#offChecked = this.updates.onChecked(() => this.#applyPending(this.#now()));
    this.#started = true;
    this.#arm(this.#now());
  }

  /** Stops starting runs and waits for those running (a redeploy's own close gives up its wait). */
  async stop(): Promise<void> {
    this.#started = false;
    this.#disarm();
    this.#offChecked?.();
    this.#offChecked = undefined;
    await Promise.allSettled([...this.#inFlight]);
  }

  /** When the next window of an enabled target opens; null when none will (or not started). */
  nextWindowOpening(): Date | null {
    return this.#nextOpening;
  }

  list(): ImageAutoUpdate[] {
    return this.store.list().map((stored) => this.#view(stored));
  }

  /** Opts a container or stack in or out; a window is required the first time. */
  async set(input: SetImageAutoUpdateInput): Promise<ImageAutoUpdate> {
    const given = [input.container, input.stack].filter((value) => value !== null && value !== undefined);
    if (given.length !== 1) throw new InvalidInputError('input', 'give exactly one of container and stack');
    const kind: AutoUpdateTargetKind = input.container != null ? 'CONTAINER' : 'STACK';
    const field = kind === 'CONTAINER' ? 'input.container' : 'input.stack';
    const name = (input.container ?? input.stack ?? '').replace(/^\//, '');
    if (!NAME.test(name)) throw new InvalidInputError(field, 'is not a container or stack name');
    const existing = this.store.get(kind, name);
    let window = existing?.window;
    if (input.window != null) window = validateWindow(input.window, ['input', 'window']);
    if (!window) throw new InvalidInputError('input.window', 'is required to opt in the first time');
    if (input.enabled) {
      if (kind === 'CONTAINER') {
        if (!this.actions.containers().some((container) => container.name === name)) {
          throw new NotFoundError(name);
        }
      } else {
        await this.actions.findStack(name);
        if (!this.actions.redeployStack) {
          throw new InvalidInputError(field, 'stacks cannot be updated automatically by this berth yet');
        }
      }
    }
    const stored = this.store.put(kind, name, input.enabled, window, this.#now().getTime());
    this.#arm(this.#now());
    const view = this.#view(stored);
    this.#changes.emit('change', view);
    return view;
  }

  /** Each change of a target: opted in or out, a run started, a run ended. Ends when the client leaves. */
  watch(): AsyncIterableIterator<ImageAutoUpdate> {
    return new Repeater<ImageAutoUpdate>(async (push, stop) => {
      const deliver = (update: ImageAutoUpdate) => void push(update);
      this.#changes.on('change', deliver);
      await stop;
      this.#changes.off('change', deliver);
    });
  }

  watchers(): number {
    return this.#changes.listenerCount('change');
  }

  #view(stored: Stored): ImageAutoUpdate {
    return { ...stored, running: this.#running.has(`${stored.kind}/${stored.name}`) };
  }

  #disarm(): void {
    if (this.#windowTimer !== undefined) this.#timer.clear(this.#windowTimer);
    this.#windowTimer = undefined;
    this.#nextOpening = null;
  }

  /** Waits for the earliest opening after `after` of an enabled target's window. */
  #arm(after: Date): void {
    this.#disarm();
    if (!this.#started) return;
    let next: Date | null = null;
    try {
      for (const target of this.store.list()) {
        if (!target.enabled) continue;
        const opening = nextOpening(target.window, after);
        if (opening && (next === null || opening < next)) next = opening;
      }
    } catch (error) {
      this.log.warn('auto-update: could not read the targets to wait for their windows', error);
      return;
    }
    if (next === null) return;
    this.#nextOpening = next;
    const delay = Math.min(Math.max(0, next.getTime() - this.#now().getTime()), MAX_TIMER_MS);
    const due = next;
    this.#windowTimer = this.#timer.set(() => void this.#windowOpened(due), delay);
  }

  /**
   * A window opened: what the last check found behind is updated now, after a check first when
   * the schedule's is overdue (a restart, a long interval), so an old finding is not acted on.
   */
  async #windowOpened(due: Date): Promise<void> {
    this.#windowTimer = undefined;
    if (!this.#started) return;
    const now = this.#now();
    // A timer clamped to setTimeout's limit wakes before the opening: wait on.
    if (due.getTime() - now.getTime() > 1000) {
      this.#arm(now);
      return;
    }
    // A timer may fire a moment early: the window is read as at its opening.
    const at = now < due ? due : now;
    this.log.info(`auto-update: a maintenance window opened at ${due.toISOString()}`);
    if (this.updates.checkOverdue()) {
      try {
        // Its results reach #applyPending through onChecked.
        await this.updates.check();
      } catch (error) {
        this.log.warn('auto-update: the check at a window opening failed; acting on the last one', error);
        this.#applyPending(at);
      }
    } else {
      this.#applyPending(at);
    }
    if (this.#started) this.#arm(at);
  }

  /** Starts an update of each enabled target whose window is open at `at` and which is behind. */
  #applyPending(at: Date): void {
    let containers: Container[];
    try {
      containers = this.actions.containers();
    } catch {
      return; // The index is out of step: the next check tries again.
    }
    for (const target of this.store.list()) {
      const key = `${target.kind}/${target.name}`;
      if (!target.enabled || this.#running.has(key) || !windowOpen(target.window, at)) continue;
      const mine =
        target.kind === 'CONTAINER'
          ? containers.filter((container) => container.name === target.name)
          : containers.filter((container) =>
              container.labels.some((label) => label.name === PROJECT_LABEL && label.value === target.name),
            );
      const behind = this.#behind(mine);
      if (!behind) continue;
      const tried = target.lastOutcome;
      if (tried && tried.result !== 'UPDATED' && tried.toDigest === behind.toDigest) continue;
      this.#running.add(key);
      const run = this.#run(target, behind).finally(() => {
        this.#running.delete(key);
        this.#inFlight.delete(run);
      });
      this.#inFlight.add(run);
    }
  }

  #behind(containers: Container[]): Behind | null {
    const references = new Set<string>();
    const digests: string[] = [];
    const containerIds: string[] = [];
    for (const container of containers) {
      const finding = this.updates.findingFor(container);
      if (!finding?.behind) continue;
      references.add(finding.update.reference);
      digests.push(finding.remoteDigest);
      containerIds.push(container.id);
    }
    if (containerIds.length === 0) return null;
    return {
      references: [...references].sort(),
      toDigest: [...new Set(digests)].sort().join(','),
      containerIds,
    };
  }

  async #run(target: Stored, behind: Behind): Promise<void> {
    const startedAt = this.#now();
    const reference = behind.references.join(',');
    this.#changes.emit('change', { ...this.#view(target), running: true });
    this.log.info(
      `auto-update: ${target.kind.toLowerCase()} ${target.name} to ${reference} (${behind.toDigest})`,
    );
    let result: AutoUpdateResult = 'UPDATED';
    let message: string;
    let code: string | null = null;
    try {
      message =
        target.kind === 'CONTAINER'
          ? await this.#updateContainer(behind)
          : await this.#updateStack(target.name);
    } catch (error) {
      code = error instanceof BerthError ? error.code : 'INTERNAL';
      result = code === 'REDEPLOY_FAILED' ? 'ROLLED_BACK' : 'FAILED';
      message = error instanceof Error ? error.message : String(error);
      if (code === 'INTERNAL') this.log.warn(`auto-update of ${target.name} failed`, error);
    }
    const outcome: AutoUpdateOutcome = {
      at: this.#now(),
      result,
      message,
      reference,
      toDigest: behind.toDigest,
    };
    try {
      this.store.recordRun(target.kind, target.name, startedAt, outcome);
      this.actions.audit({
        tokenId: null,
        tokenName: AUTO_UPDATE_ACTOR,
        action: target.kind === 'CONTAINER' ? 'autoUpdateContainer' : 'autoUpdateStack',
        target: target.name,
        result: code === null ? 'ok' : `error:${code}`,
        detail: `${result}: ${reference} to ${behind.toDigest}: ${message}`.slice(0, 1000),
      });
    } catch (error) {
      this.log.warn(`auto-update: could not record the run of ${target.name}`, error);
    }
    this.log.info(`auto-update: ${target.kind.toLowerCase()} ${target.name}: ${result}: ${message}`);
    // What runs changed (or the tag did, by the pull): the results say so without a registry request.
    for (const updated of behind.references) {
      await this.updates.recheckLocally(updated).catch(() => null);
    }
    const stored = this.store.get(target.kind, target.name);
    if (stored) this.#changes.emit('change', { ...stored, running: false });
    // A run can end after the opening the timer waited for; the next one is waited for now.
    if (this.#started) this.#arm(this.#now());
  }

  async #updateContainer(behind: Behind): Promise<string> {
    const [containerId] = behind.containerIds;
    const container = this.actions.containers().find((candidate) => candidate.id === containerId);
    if (!container || containerId === undefined) throw new Error('the container went away before its update');
    // The redeploy pulls only an image the engine lacks; the tag is here, naming the older image.
    await this.actions.pull(container.image);
    const { containerId: newId } = await this.actions.redeployContainer(containerId, container.image);
    return `redeployed onto ${container.image}: container ${newId?.slice(0, 12) ?? '?'} replaced ${containerId.slice(0, 12)}`;
  }

  async #updateStack(name: string): Promise<string> {
    const redeploy = this.actions.redeployStack;
    if (!redeploy)
      throw new InvalidInputError('stack', 'stacks cannot be updated automatically by this berth yet');
    const { ok, summary } = await redeploy(name, AUTO_UPDATE_ACTOR);
    if (!ok) throw new StackUpdateFailed(summary);
    return summary;
  }
}

/** A stack redeploy that reported failure (its applier rolled back what it could). */
class StackUpdateFailed extends BerthError {
  readonly code = 'REDEPLOY_FAILED';
}

import type { z } from 'zod';

/**
 * What became of one item of a backup when it was restored:
 * - `restored`: berth made it again from the backup;
 * - `skipped`: it already exists here (same name) and was left as it is;
 * - `failed`: berth tried and could not (the reason says why: an image that cannot be pulled, a
 *   host port in use, a spec the create policy now refuses, …);
 * - `notRestorable`: a backup cannot bring it back by design (a token, whose secret a backup never
 *   holds); the reason says what to do instead.
 */
export type RestoreOutcome = 'restored' | 'skipped' | 'failed' | 'notRestorable';

export interface RestoreItem {
  /** The section the item belongs to (`templates`, `containers`, …). */
  section: string;
  /** What names the item to a user: a template's, container's or token's name, `createPolicy`. */
  item: string;
  outcome: RestoreOutcome;
  /** Why it was not restored; for `restored`, an optional note (e.g. "started"). */
  reason: string | null;
}

/** Where a section writes what it did, item by item; `restore` answers what was written. */
export interface RestoreReport {
  restored(item: string, note?: string): void;
  skipped(item: string, reason: string): void;
  failed(item: string, reason: string): void;
  notRestorable(item: string, reason: string): void;
}

/**
 * One part of berth's state in a backup. A backup document holds one entry per registered
 * section, under the section's `name`; `restore` hands each section back its own entry.
 *
 * Sections are registered in `buildApp` (`backup.register(section)`). A section restores after
 * the sections it names in `restoreAfter` (the containers after the create policy that governs
 * them), otherwise in registration order; the document keeps registration order. The backup service
 * validates each section's entry with its `schema` before calling `restore`, so `restore` gets
 * typed data; an entry that does not validate fails the whole restore before anything is changed.
 *
 * A section must:
 * - export only what can be shown to an admin (never a secret or a hash: a backup is a file that
 *   travels);
 * - make `restore` additive and idempotent: an item that already exists (by name) is reported
 *   `skipped`, never overwritten or removed, so restoring twice is harmless;
 * - report every item it was given, exactly once, through `report`, and throw only for faults
 *   that stop the whole section (the service then reports the section itself as failed and goes
 *   on with the next one);
 * - keep a section missing from a document (written by a berth without it) a no-op: the service
 *   does not call `restore` for an absent entry.
 */
export interface BackupSection<Data = unknown> {
  /** The key in the document: camelCase from a lower-case letter, never renamed (`templates`, `alertRules`). */
  readonly name: string;
  /** Sections whose items must exist before this one's are made (`['policy']` for containers). */
  readonly restoreAfter?: readonly string[];
  /**
   * The shape of this section's entry, checked for every section before any restores. Check
   * what `restore` relies on; a per-item check that should fail one item, not the whole restore,
   * belongs in `restore` (the containers section validates each spec there).
   */
  readonly schema: z.ZodType<Data>;
  /** This section's state now, as JSON-serialisable data that `schema` accepts. */
  export(): Promise<Data>;
  /** Recreates what `data` describes and is missing here, reporting each item. */
  restore(data: Data, report: RestoreReport): Promise<void>;
}

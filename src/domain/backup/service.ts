import { z } from 'zod';
import { InvalidInputError, InvalidStateError } from '../../shared/errors.js';
import type { BackupSection, RestoreItem, RestoreOutcome, RestoreReport } from './section.js';

/**
 * The backup document: berth's own state and the specs of what it manages, one entry per
 * section. `version` changes only when an older berth could no longer read the document; a new
 * section does not change it (a berth without that section reports it as not restored).
 */
export const BACKUP_FORMAT = 'berth-backup';
export const BACKUP_FORMAT_VERSION = 1;

export interface BackupDocument {
  format: typeof BACKUP_FORMAT;
  version: typeof BACKUP_FORMAT_VERSION;
  createdAt: string;
  sections: Record<string, unknown>;
}

const SECTION_NAME = /^[a-z][a-zA-Z0-9]{0,63}$/;

const envelopeSchema = z.object({
  format: z.literal(BACKUP_FORMAT, { error: `must be "${BACKUP_FORMAT}"` }),
  version: z.number({ error: 'must be a number' }),
  createdAt: z.string().optional(),
  sections: z.record(z.string(), z.unknown(), { error: 'must be an object of sections' }),
});

export interface RestoreResult {
  /** When the restored backup was taken, as the document says. */
  backupCreatedAt: string | null;
  items: RestoreItem[];
}

/**
 * Takes and restores backups from the sections registered with it (see BackupSection). One
 * restore runs at a time: two at once would each find the other's half-made items.
 */
export class BackupService {
  readonly #sections: BackupSection[] = [];
  #restoring = false;

  /** Adds a section; see BackupSection for the order sections are restored in. */
  register(section: BackupSection): void {
    if (!SECTION_NAME.test(section.name)) throw new Error(`bad backup section name "${section.name}"`);
    if (this.#sections.some((existing) => existing.name === section.name)) {
      throw new Error(`backup section "${section.name}" is registered twice`);
    }
    this.#sections.push(section);
  }

  get sectionNames(): string[] {
    return this.#sections.map((section) => section.name);
  }

  async create(): Promise<BackupDocument> {
    const sections: Record<string, unknown> = {};
    for (const section of this.#sections) sections[section.name] = await section.export();
    return {
      format: BACKUP_FORMAT,
      version: BACKUP_FORMAT_VERSION,
      createdAt: new Date().toISOString(),
      sections,
    };
  }

  /**
   * Validates the whole document first (an unknown format version or a malformed section changes
   * nothing and is INVALID_INPUT naming the field), then restores section by section.
   */
  async restore(document: unknown, field = 'document'): Promise<RestoreResult> {
    const envelope = envelopeSchema.safeParse(document);
    if (!envelope.success) throw invalid(field, envelope.error);
    const { version, sections, createdAt } = envelope.data;
    if (version !== BACKUP_FORMAT_VERSION) {
      throw new InvalidInputError(
        `${field}.version`,
        `backup format version ${version} is not supported; this berth reads version ${BACKUP_FORMAT_VERSION}`,
      );
    }
    const plan: { section: BackupSection; data: unknown }[] = [];
    for (const section of restoreOrder(this.#sections)) {
      if (!(section.name in sections)) continue;
      const parsed = section.schema.safeParse(sections[section.name]);
      if (!parsed.success) throw invalid(`${field}.sections.${section.name}`, parsed.error);
      plan.push({ section, data: parsed.data });
    }

    if (this.#restoring) throw new InvalidStateError('a restore is already running; wait for its report');
    this.#restoring = true;
    const items: RestoreItem[] = [];
    try {
      for (const name of Object.keys(sections)) {
        if (this.#sections.some((section) => section.name === name)) continue;
        items.push({
          section: name,
          item: name,
          outcome: 'failed',
          reason: `this berth has no "${name}" section (the backup was taken by a berth with more features)`,
        });
      }
      for (const { section, data } of plan) {
        const report = reportInto(items, section.name);
        try {
          await section.restore(data, report);
        } catch (error) {
          items.push({
            section: section.name,
            item: '*',
            outcome: 'failed',
            reason: `the section stopped: ${error instanceof Error ? error.message : String(error)}`,
          });
        }
      }
    } finally {
      this.#restoring = false;
    }
    return { backupCreatedAt: createdAt ?? null, items };
  }
}

/**
 * Registration order, moved so that every section comes after those it names in `restoreAfter`.
 * A name no registered section has is ignored (that section is simply not in this berth).
 */
function restoreOrder(sections: readonly BackupSection[]): BackupSection[] {
  const ordered: BackupSection[] = [];
  const placed = new Set<string>();
  const registered = new Set(sections.map((section) => section.name));
  let pending = [...sections];
  while (pending.length > 0) {
    const ready = pending.filter((section) =>
      (section.restoreAfter ?? []).every((name) => placed.has(name) || !registered.has(name)),
    );
    if (ready.length === 0) {
      throw new Error(`backup sections depend on each other: ${pending.map((s) => s.name).join(', ')}`);
    }
    const next = ready[0]!;
    ordered.push(next);
    placed.add(next.name);
    pending = pending.filter((section) => section !== next);
  }
  return ordered;
}

function reportInto(items: RestoreItem[], section: string): RestoreReport {
  const add = (outcome: RestoreOutcome) => (item: string, reason?: string) => {
    items.push({ section, item, outcome, reason: reason ?? null });
  };
  return {
    restored: add('restored'),
    skipped: add('skipped'),
    failed: add('failed'),
    notRestorable: add('notRestorable'),
  };
}

function invalid(field: string, error: z.ZodError): InvalidInputError {
  const issue = error.issues[0];
  return new InvalidInputError(
    [field, ...(issue?.path ?? []).map(String)].join('.'),
    issue?.message ?? 'is invalid',
  );
}

import { z } from 'zod';
import type { Container } from '../containers/model.js';
import type { CreateActor } from '../lifecycle/journal.js';
import type { ContainerService } from '../lifecycle/service.js';
import { validateCreateSpec } from '../lifecycle/validation.js';
import { BerthError, InvalidInputError, TemplateNotFoundError } from '../../shared/errors.js';
import type { BerthDatabase } from '../../platform/store/database.js';
import {
  applyOverrides,
  parseOverrides,
  parseTemplateSpec,
  withoutNulls,
  type TemplateSpec,
} from './spec.js';

/** A saved container spec, by name. */
export interface Template {
  name: string;
  description: string | null;
  spec: TemplateSpec;
  createdAt: Date;
  updatedAt: Date;
}

/** What `importTemplates` did with one template of the document. */
export type ImportOutcome = 'created' | 'replaced' | 'skipped' | 'invalid';

export interface ImportItem {
  /** The template's name, or `#<index>` for an entry without a usable one. */
  name: string;
  outcome: ImportOutcome;
  /** Why it was skipped or invalid; null otherwise. */
  reason: string | null;
}

/**
 * The exchange format of `exportTemplates`/`importTemplates`. `version` changes only when an older
 * berth could no longer read the document; a spec's new fields do not change it.
 */
export const TEMPLATES_FORMAT = 'berth-templates';
export const TEMPLATES_FORMAT_VERSION = 1;

export interface TemplatesDocument {
  format: typeof TEMPLATES_FORMAT;
  version: typeof TEMPLATES_FORMAT_VERSION;
  exportedAt: string;
  templates: { name: string; description: string | null; spec: TemplateSpec }[];
}

const NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;
const MAX_DESCRIPTION = 1024;
const MAX_TEMPLATES = 10_000;

const nameSchema = z
  .string()
  .regex(NAME_PATTERN, 'must match [a-zA-Z0-9][a-zA-Z0-9_.-]* (1 to 128 characters)');
const descriptionSchema = z
  .string()
  .max(MAX_DESCRIPTION, `must be at most ${MAX_DESCRIPTION} characters`)
  .refine((value) => !value.includes('\0'), 'must not contain NUL')
  .nullish();

const documentSchema = z.object({
  format: z.literal(TEMPLATES_FORMAT, { error: `must be "${TEMPLATES_FORMAT}"` }),
  version: z.number({ error: 'must be a number' }),
  templates: z.array(z.unknown()).max(MAX_TEMPLATES, `must hold at most ${MAX_TEMPLATES} templates`),
});

const entrySchema = z.object({
  name: nameSchema,
  description: descriptionSchema,
  spec: z.unknown(),
});

export function validateTemplateName(value: unknown, field = 'name'): string {
  const parsed = nameSchema.safeParse(value);
  if (!parsed.success) throw new InvalidInputError(field, parsed.error.issues[0]?.message ?? 'is invalid');
  return parsed.data;
}

interface TemplateRow {
  name: string;
  description: string | null;
  spec: string;
  created_at: number;
  updated_at: number;
}

/**
 * Container templates in berth's database, and containers made from them. A container from a
 * template goes through the same validation and the same ContainerService.create as
 * createContainer, so the create policy, quota, default limits and implicit pulls all apply.
 */
export class TemplateService {
  readonly #all;
  readonly #byName;
  readonly #delete;
  readonly #upsertRow;

  constructor(
    private readonly db: BerthDatabase,
    private readonly containers: Pick<ContainerService, 'create'>,
  ) {
    this.#all = db.prepare<[], TemplateRow>('SELECT * FROM container_templates ORDER BY name');
    this.#byName = db.prepare<[string], TemplateRow>('SELECT * FROM container_templates WHERE name = ?');
    this.#delete = db.prepare<[string]>('DELETE FROM container_templates WHERE name = ?');
    this.#upsertRow = db.prepare<[string, string | null, string, number, number]>(
      `INSERT INTO container_templates (name, description, spec, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET description = excluded.description, spec = excluded.spec,
         updated_at = excluded.updated_at`,
    );
  }

  list(): Template[] {
    return this.#all.all().map(toTemplate);
  }

  /** The template, or null when none has the name. */
  find(name: string): Template | null {
    const row = this.#byName.get(name);
    return row ? toTemplate(row) : null;
  }

  get(name: string): Template {
    const template = this.find(validateTemplateName(name));
    if (!template) throw new TemplateNotFoundError(name);
    return template;
  }

  /** Creates the template, or replaces the spec and description of the one with the same name. */
  save(input: { name: unknown; description?: unknown; spec: unknown }): Template {
    const name = validateTemplateName(input.name);
    const description = parseDescription(input.description, 'description');
    const spec = parseTemplateSpec(input.spec, ['spec']);
    this.#upsert(name, description, spec, Date.now());
    return this.get(name);
  }

  /** Deletes the template and returns it as it was. */
  delete(name: string): Template {
    const template = this.get(name);
    this.#delete.run(template.name);
    return template;
  }

  /**
   * Merges `overrides` into the template's spec (see `applyOverrides` for the rules), validates
   * the result as createContainer validates its input, and creates the container: on `on`, an
   * environment's container service, or the local one berth was built with.
   */
  async createContainer(
    name: string,
    overrides: unknown,
    actor?: CreateActor,
    on: Pick<ContainerService, 'create'> = this.containers,
  ): Promise<Container> {
    const parsedOverrides = parseOverrides(overrides, ['overrides']);
    const template = this.get(name);
    const merged = applyOverrides(template.spec, parsedOverrides);
    // A template saved under older rules may fail today's: the error names the merged `spec`.
    return on.create(validateCreateSpec(merged, ['spec']), {
      fieldPrefix: 'spec.',
      ...(actor && { actor }),
    });
  }

  export(): TemplatesDocument {
    return {
      format: TEMPLATES_FORMAT,
      version: TEMPLATES_FORMAT_VERSION,
      exportedAt: new Date().toISOString(),
      templates: this.list().map(({ name, description, spec }) => ({ name, description, spec })),
    };
  }

  /**
   * Saves each valid template of an exported document in one transaction. An existing name is
   * replaced only with `replace`, otherwise skipped; an entry that does not validate is reported
   * invalid and the others still go in. A document of another format or version is refused whole.
   */
  import(document: unknown, options: { replace: boolean }, field = 'document'): ImportItem[] {
    const parsed = documentSchema.safeParse(document);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new InvalidInputError(
        [field, ...(issue?.path ?? []).map(String)].join('.'),
        issue?.message ?? 'is invalid',
      );
    }
    if (parsed.data.version !== TEMPLATES_FORMAT_VERSION) {
      throw new InvalidInputError(
        `${field}.version`,
        `format version ${parsed.data.version} is not supported; this berth reads version ${TEMPLATES_FORMAT_VERSION}`,
      );
    }
    const now = Date.now();
    return this.db.transaction(() => {
      const seen = new Set<string>();
      return parsed.data.templates.map((raw, index): ImportItem => {
        const named =
          isRecord(raw) && typeof raw['name'] === 'string' && raw['name'] !== ''
            ? raw['name'].slice(0, 128)
            : `#${index}`;
        try {
          const entry = entrySchema.safeParse(raw);
          if (!entry.success) {
            const issue = entry.error.issues[0];
            throw new InvalidInputError(
              ['templates', String(index), ...(issue?.path ?? []).map(String)].join('.'),
              issue?.message ?? 'is invalid',
            );
          }
          const spec = parseTemplateSpec(entry.data.spec, ['templates', String(index), 'spec']);
          const { name } = entry.data;
          if (seen.has(name)) {
            return { name, outcome: 'invalid', reason: 'the document holds this name more than once' };
          }
          seen.add(name);
          const exists = this.find(name) !== null;
          if (exists && !options.replace) {
            return {
              name,
              outcome: 'skipped',
              reason: 'a template with this name exists (import with replace to overwrite it)',
            };
          }
          this.#upsert(name, entry.data.description ?? null, spec, now);
          return { name, outcome: exists ? 'replaced' : 'created', reason: null };
        } catch (error) {
          if (!(error instanceof BerthError)) throw error;
          return { name: named, outcome: 'invalid', reason: error.message };
        }
      });
    });
  }

  #upsert(name: string, description: string | null, spec: TemplateSpec, now: number): void {
    this.#upsertRow.run(name, description, JSON.stringify(withoutNulls(spec)), now, now);
  }
}

function parseDescription(value: unknown, field: string): string | null {
  const parsed = descriptionSchema.safeParse(value);
  if (!parsed.success) throw new InvalidInputError(field, parsed.error.issues[0]?.message ?? 'is invalid');
  return parsed.data ?? null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toTemplate(row: TemplateRow): Template {
  return {
    name: row.name,
    description: row.description,
    spec: JSON.parse(row.spec) as TemplateSpec,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

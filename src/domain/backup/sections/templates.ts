import { z } from 'zod';
import { TEMPLATES_FORMAT, TEMPLATES_FORMAT_VERSION, type TemplateService } from '../../templates/service.js';
import type { BackupSection } from '../section.js';

const schema = z.array(
  z.object({
    name: z.string(),
    description: z.string().nullish(),
    spec: z.record(z.string(), z.unknown()),
  }),
);

/** Container templates, whole; restored through the templates import, so the same rules hold. */
export function templatesSection(templates: TemplateService): BackupSection<z.output<typeof schema>> {
  return {
    name: 'templates',
    schema,
    export: () =>
      Promise.resolve(templates.list().map(({ name, description, spec }) => ({ name, description, spec }))),
    restore(data, report) {
      const items = templates.import(
        { format: TEMPLATES_FORMAT, version: TEMPLATES_FORMAT_VERSION, templates: data },
        { replace: false },
        'sections.templates',
      );
      for (const item of items) {
        if (item.outcome === 'created') report.restored(item.name);
        else if (item.outcome === 'skipped')
          report.skipped(item.name, 'a template with this name exists here');
        else report.failed(item.name, item.reason ?? 'invalid');
      }
      return Promise.resolve();
    },
  };
}

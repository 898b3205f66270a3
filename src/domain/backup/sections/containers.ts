import { z } from 'zod';
import type { ContainerService } from '../../lifecycle/service.js';
import { INTENT_LABEL } from '../../lifecycle/journal.js';
import { MANAGED_LABEL } from '../../lifecycle/service.js';
import { validateCreateSpec } from '../../lifecycle/validation.js';
import type { ContainerSpecReader } from '../../lifecycle/ports.js';
import { BerthError, NotFoundError } from '../../../shared/errors.js';
import type { BackupSection } from '../section.js';

const schema = z.array(
  z.object({
    name: z.string(),
    running: z.boolean(),
    // Checked per container on restore, with createContainer's own rules: one bad spec fails
    // that container only.
    spec: z.record(z.string(), z.unknown()),
  }),
);

/**
 * The containers berth manages (those carrying MANAGED_LABEL, which every container berth creates
 * gets), as the createContainer input that makes each again, read back from the engine, and
 * whether it was running. Restored through ContainerService.create like any create: validated,
 * under the create policy (restored before this section), pulling images the engine lacks, and
 * started when it was running.
 */
export function containersSection(
  containers: Pick<ContainerService, 'list' | 'create'>,
  specs: ContainerSpecReader,
): BackupSection<z.output<typeof schema>> {
  return {
    name: 'containers',
    // The create policy governs what may be made again.
    restoreAfter: ['policy'],
    schema,
    async export() {
      const managed = containers
        .list({ label: `${MANAGED_LABEL.name}=${MANAGED_LABEL.value}` })
        .sort((a, b) => a.name.localeCompare(b.name));
      const read = await Promise.all(
        managed.map((container) =>
          // One removed between the list and its read is simply not in the backup.
          specs.read(container.id).catch((error: unknown) => {
            if (error instanceof NotFoundError) return null;
            throw error;
          }),
        ),
      );
      return read
        .filter((entry) => entry !== null)
        .map(({ name, running, spec }) => ({
          name,
          running,
          spec: {
            ...spec,
            // berth adds its label to whatever it creates; the spec is what a user asked for.
            labels: (spec.labels ?? []).filter(
              (label) => label.name !== MANAGED_LABEL.name && label.name !== INTENT_LABEL,
            ),
          },
        }));
    },
    async restore(data, report) {
      for (const { name, running, spec } of data) {
        if (containers.list().some((container) => container.name === name)) {
          report.skipped(name, 'a container with this name exists here');
          continue;
        }
        try {
          const validated = validateCreateSpec({ ...spec, name, start: running }, [
            'containers',
            name,
            'spec',
          ]);
          await containers.create(validated);
          report.restored(
            name,
            running ? 'created and started' : 'created, not started (it was not running)',
          );
        } catch (error) {
          const reason =
            error instanceof BerthError
              ? `${error.code}: ${error.message}`
              : `unexpected: ${error instanceof Error ? error.message : String(error)}`;
          report.failed(name, reason);
        }
      }
    },
  };
}

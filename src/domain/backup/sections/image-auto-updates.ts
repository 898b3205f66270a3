import { z } from 'zod';
import { BerthError } from '../../../shared/errors.js';
import type { AutoUpdateService } from '../../updates/auto-update.js';
import type { MaintenanceWindowInput } from '../../updates/window.js';
import type { BackupSection, RestoreReport } from '../section.js';

// Each target is checked on restore by setImageAutoUpdate's own rules: one bad entry fails alone.
const schema = z.array(
  z.looseObject({
    container: z.string().nullish(),
    stack: z.string().nullish(),
    enabled: z.boolean(),
    window: z.looseObject({}),
  }),
);

type TargetEntry = z.output<typeof schema>[number];

/** How the report names a target: a container and a stack may share a name. */
function itemOf(entry: Pick<TargetEntry, 'container' | 'stack'>): string {
  if (entry.container != null) return `container/${entry.container}`;
  if (entry.stack != null) return `stack/${entry.stack}`;
  return '(no container or stack)';
}

/**
 * The containers and stacks opted into automatic image updates (setImageAutoUpdate), each as that
 * mutation's input: the target by name, enabled or not, and its maintenance window. No secret is
 * involved. The last run and its outcome are history of the berth that ran them, not kept.
 *
 * A target that exists here (same kind and name) is skipped, whatever its window. An enabled one
 * needs its container or stack here, as setImageAutoUpdate does: this section restores after the
 * containers and stacks, and one whose container did not come back fails with NOT_FOUND.
 */
export function imageAutoUpdatesSection(
  autoUpdates: Pick<AutoUpdateService, 'list' | 'set'>,
): BackupSection<z.output<typeof schema>> {
  return {
    name: 'imageAutoUpdates',
    restoreAfter: ['containers', 'stacks'],
    schema,
    export: () =>
      Promise.resolve(
        autoUpdates.list().map(({ kind, name, enabled, window }) => ({
          ...(kind === 'CONTAINER' ? { container: name } : { stack: name }),
          enabled,
          window: { ...window },
        })),
      ),
    async restore(data, report) {
      const here = new Set(autoUpdates.list().map((target) => `${target.kind}/${target.name}`));
      for (const entry of data) await restoreTarget(entry, autoUpdates, here, report);
    },
  };
}

async function restoreTarget(
  entry: TargetEntry,
  autoUpdates: Pick<AutoUpdateService, 'set'>,
  here: ReadonlySet<string>,
  report: RestoreReport,
): Promise<void> {
  const item = itemOf(entry);
  const key = entry.container != null ? `CONTAINER/${entry.container}` : `STACK/${entry.stack ?? ''}`;
  if (here.has(key)) {
    report.skipped(item, 'this target is opted in or out here already; its window here is kept');
    return;
  }
  try {
    const { container, stack, enabled, window } = entry;
    await autoUpdates.set({ container, stack, enabled, window: window as MaintenanceWindowInput });
    if (enabled) report.restored(item);
    else report.restored(item, 'opted out, with its window kept');
  } catch (error) {
    if (!(error instanceof BerthError)) throw error;
    report.failed(item, `${error.code}: ${error.message}`);
  }
}

import { z } from 'zod';
import { BerthError, NotSwarmManagerError, ServiceExistsError } from '../../../shared/errors.js';
import type { SwarmService } from '../../swarm/service.js';
import { validateServiceSpec } from '../../swarm/validation.js';
import type { BackupSection } from '../section.js';

// Each entry is a deployService input, checked on restore with deployService's own rules: one
// bad spec fails that service only.
const schema = z.array(z.looseObject({ name: z.string() }));

/**
 * The swarm services berth deployed (those carrying MANAGED_LABEL), each as the deployService
 * input that makes it again, read from the manager. An engine that is not a swarm manager has no
 * services to back up: the entry is an empty list, not a failed backup.
 *
 * Restored through SwarmService.deploy like any deployService: validated first, and the swarm
 * schedules the tasks afterwards (each node pulls the image). A service whose name exists here is
 * skipped. On an engine that is not a manager, each service is reported failed with
 * NOT_SWARM_MANAGER: it can be restored later, onto a manager, from the same document.
 */
export function swarmServicesSection(
  swarm: Pick<SwarmService, 'managedSpecs' | 'list' | 'deploy'>,
): BackupSection<z.output<typeof schema>> {
  return {
    name: 'swarmServices',
    schema,
    async export() {
      try {
        return (await swarm.managedSpecs()).map((spec) => ({ ...spec }));
      } catch (error) {
        if (error instanceof NotSwarmManagerError) return [];
        throw error;
      }
    },
    async restore(data, report) {
      if (data.length === 0) return;
      let existing: Set<string>;
      try {
        existing = new Set((await swarm.list()).map((service) => service.name));
      } catch (error) {
        if (!(error instanceof BerthError)) throw error;
        for (const { name } of data) report.failed(name, reasonOf(error));
        return;
      }
      for (const input of data) {
        const { name } = input;
        if (existing.has(name)) {
          report.skipped(name, 'a service with this name exists here');
          continue;
        }
        try {
          const spec = validateServiceSpec(input, ['swarmServices', name]);
          const service = await swarm.deploy(spec);
          const tasks = service.replicas === 1 ? '1 task' : `${service.replicas ?? 0} tasks`;
          report.restored(name, `deployed; the swarm schedules its ${tasks}`);
        } catch (error) {
          // Made meanwhile by someone else: it exists, as a skip says.
          if (error instanceof ServiceExistsError)
            report.skipped(name, 'a service with this name exists here');
          else if (error instanceof BerthError) report.failed(name, reasonOf(error));
          else report.failed(name, `unexpected: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    },
  };
}

function reasonOf(error: BerthError): string {
  return `${error.code}: ${error.message}`;
}

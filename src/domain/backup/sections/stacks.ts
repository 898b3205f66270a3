import { z } from 'zod';
import { BerthError } from '../../../shared/errors.js';
import type { StackService } from '../../stacks/service.js';
import type { BackupSection } from '../section.js';

const schema = z.array(z.object({ name: z.string(), compose: z.string(), env: z.string() }));

/**
 * The stacks berth deployed, each as its file and env text; restored by deploying the file again,
 * so every rule of deployStack holds (the loader, the create policy, quotas, pulls). A stack with
 * containers here already is skipped. Its replicas are not in the containers section, nor its
 * swarm services in the swarm services section: the file makes them.
 */
export function stacksSection(
  stacks: Pick<StackService, 'records' | 'list' | 'deploy'>,
): BackupSection<z.output<typeof schema>> {
  return {
    name: 'stacks',
    // Networks and volumes a file names as external, and the policy, are made first.
    restoreAfter: ['policy', 'containers'],
    schema,
    export: () => Promise.resolve(stacks.records().map(({ name, compose, env }) => ({ name, compose, env }))),
    async restore(data, report) {
      const existing = new Set((await stacks.list()).map((stack) => stack.name));
      for (const { name, compose, env } of data) {
        if (existing.has(name)) {
          report.skipped(name, 'a stack with this name exists here');
          continue;
        }
        try {
          const result = await stacks.deploy(
            { name, compose, env, dryRun: false, removeOrphans: false, timeoutSeconds: 120 },
            { tokenId: null, tokenName: null, action: 'restore', principal: 'restore' },
          );
          if (result.ok) report.restored(name, `${result.outcomes.length} service(s)`);
          else
            report.failed(
              name,
              result.outcomes
                .filter((outcome) => outcome.message !== null)
                .map((outcome) => `${outcome.service}: ${outcome.message}`)
                .join('; '),
            );
        } catch (error) {
          if (!(error instanceof BerthError)) throw error;
          report.failed(name, `${error.code}: ${error.message}`);
        }
      }
    },
  };
}

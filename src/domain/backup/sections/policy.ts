import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { BerthError } from '../../../shared/errors.js';
import { DEFAULT_POLICY, type PolicyStore } from '../../policy/policy.js';
import type { BackupSection } from '../section.js';

// Each field is checked by PolicyStore.set on restore, with the same rules as setCreatePolicy.
const schema = z.record(z.string(), z.unknown());

/**
 * The admin's create policy. Restored only onto a berth still on the default policy: an admin's
 * own choice here is never overwritten by a backup (it is reported skipped).
 */
export function policySection(policy: PolicyStore): BackupSection<z.output<typeof schema>> {
  return {
    name: 'policy',
    schema,
    export: () => Promise.resolve({ ...policy.get() }),
    restore(data, report) {
      const current = policy.get();
      if (isDeepStrictEqual({ ...current }, { ...DEFAULT_POLICY, ...data })) {
        report.skipped('createPolicy', 'this berth already has the same create policy');
      } else if (!isDeepStrictEqual(current, DEFAULT_POLICY)) {
        report.skipped(
          'createPolicy',
          'this berth has a create policy of its own, left as it is (setCreatePolicy sets the backup’s)',
        );
      } else {
        try {
          policy.set(data);
          report.restored('createPolicy');
        } catch (error) {
          if (!(error instanceof BerthError)) throw error;
          report.failed('createPolicy', error.message);
        }
      }
      return Promise.resolve();
    },
  };
}

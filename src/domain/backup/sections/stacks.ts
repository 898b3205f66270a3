import { z } from 'zod';
import { BerthError } from '../../../shared/errors.js';
import type { StackDeployResult } from '../../stacks/model.js';
import type { GitStackService } from '../../stacks/git/service.js';
import { GIT_AUTH_KINDS } from '../../stacks/git/store.js';
import type { StackService } from '../../stacks/service.js';
import type { BackupSection, RestoreReport } from '../section.js';

const schema = z.array(
  z.object({
    name: z.string(),
    compose: z.string(),
    env: z.string(),
    /** Where a stack from git comes from; its token or deploy key is never here. */
    git: z
      .object({
        repository: z.string(),
        ref: z.string(),
        path: z.string(),
        auth: z.enum(GIT_AUTH_KINDS),
        pollMinutes: z.number().int(),
        removeOrphans: z.boolean(),
        timeoutSeconds: z.number().int(),
      })
      .optional(),
  }),
);

const ACTOR = { tokenId: null, tokenName: null, action: 'restore', principal: 'restore' };

/**
 * The stacks berth deployed, each as its file and env text; restored by deploying the file again,
 * so every rule of deployStack holds (the loader, the create policy, quotas, pulls). A stack from
 * git is kept as its source (never its secret) and restored by fetching it again; one that needs a
 * token or deploy key cannot be, and is reported with what to do. A stack with containers here
 * already is skipped. Its replicas are not in the containers section, nor its swarm services in
 * the swarm services section: the file makes them.
 */
export function stacksSection(
  stacks: Pick<StackService, 'records' | 'list' | 'deploy'>,
  git: Pick<GitStackService, 'source' | 'deployFromGit'>,
): BackupSection<z.output<typeof schema>> {
  return {
    name: 'stacks',
    // Networks and volumes a file names as external, and the policy, are made first.
    restoreAfter: ['policy', 'containers'],
    schema,
    export: () =>
      Promise.resolve(
        stacks.records().map(({ name, compose, env }) => {
          const source = git.source(name);
          if (!source) return { name, compose, env };
          const { repository, ref, path, auth, pollMinutes, removeOrphans, timeoutSeconds } = source;
          return {
            name,
            compose,
            env: source.env,
            git: { repository, ref, path, auth, pollMinutes, removeOrphans, timeoutSeconds },
          };
        }),
      ),
    async restore(data, report) {
      const existing = new Set((await stacks.list()).map((stack) => stack.name));
      for (const { name, compose, env, git: source } of data) {
        if (existing.has(name)) {
          report.skipped(name, 'a stack with this name exists here');
          continue;
        }
        if (source && source.auth !== 'NONE') {
          report.notRestorable(
            name,
            `a backup holds no git credentials: deploy it again with deployStackFromGit(repository: "${source.repository}", ref: "${source.ref}", path: "${source.path}") and its ${source.auth === 'TOKEN' ? 'token' : 'deploy key'}`,
          );
          continue;
        }
        try {
          const result = source
            ? (
                await git.deployFromGit(
                  {
                    name,
                    repository: source.repository,
                    ref: source.ref,
                    path: source.path,
                    env,
                    dryRun: false,
                    removeOrphans: source.removeOrphans,
                    timeoutSeconds: source.timeoutSeconds,
                    pollMinutes: source.pollMinutes,
                    auth: null,
                  },
                  ACTOR,
                )
              ).deploy
            : await stacks.deploy(
                { name, compose, env, dryRun: false, removeOrphans: false, timeoutSeconds: 120 },
                ACTOR,
              );
          reportDeploy(name, result, report);
        } catch (error) {
          if (!(error instanceof BerthError)) throw error;
          report.failed(name, `${error.code}: ${error.message}`);
        }
      }
    },
  };
}

function reportDeploy(name: string, result: StackDeployResult, report: RestoreReport): void {
  if (result.ok) report.restored(name, `${result.outcomes.length} service(s)`);
  else
    report.failed(
      name,
      result.outcomes
        .filter((outcome) => outcome.message !== null)
        .map((outcome) => `${outcome.service}: ${outcome.message}`)
        .join('; '),
    );
}

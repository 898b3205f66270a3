import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The berth being measured: where its sources are, and which commit they are. */
export interface BerthSource {
  /** A directory with `src/` and `node_modules/`, berth's working directory. */
  root: string;
  /** The commit, for the report: short hash, and what differs from it. */
  commit: string;
}

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' });
}

/**
 * The working tree by default. With a git ref (BENCH_BERTH_REF=HEAD), a clean export of that
 * commit under `into`, sharing this checkout's node_modules: what to use while the working tree
 * is being edited, so that the numbers belong to one known commit.
 */
export function berthSource(ref: string | undefined, into: string): BerthSource {
  if (ref === undefined) {
    const commit = git('rev-parse', '--short', 'HEAD').trim();
    const changes = git('status', '--porcelain')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => line.slice(3));
    return {
      root: REPO_ROOT,
      commit:
        changes.length === 0
          ? `${commit}, the working tree (clean)`
          : `${commit} dirty: the working tree, with ${changes.length} changed or untracked paths (${changes.join(', ')})`,
    };
  }
  const commit = git('rev-parse', '--short', `${ref}^{commit}`).trim();
  const root = join(into, `berth-${commit}`);
  mkdirSync(root, { recursive: true });
  execFileSync('sh', ['-c', 'git archive "$1" | tar -x -C "$2"', 'sh', commit, root], { cwd: REPO_ROOT });
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'));
  return {
    root,
    commit: `${commit} (\`${ref}\`), clean: berth ran from \`git archive ${commit}\` (BENCH_BERTH_REF=${ref}); the benchmark's own code from the working tree's bench/`,
  };
}

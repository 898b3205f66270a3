import { existsSync, lstatSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, join, posix, relative, resolve, sep } from 'node:path';
import type { StackFiles } from '../model.js';
import type { StackSources } from '../service.js';
import type { GitSourceStore } from './store.js';

/** Larger than any compose or env file; a checkout's big files are for the containers, not for berth. */
const MAX_FILE_BYTES = 1024 * 1024;

/**
 * Where the git stacks' files live: `<data dir>/git-stacks/<stack>/checkout`, one work tree per
 * stack at a path that never changes (a relative bind source resolves to the same path commit
 * after commit, so its service's config hash changes only when the file does), and beside it the
 * stack's SSH known_hosts.
 */
export class GitCheckouts implements StackSources {
  constructor(
    readonly root: string,
    private readonly store: GitSourceStore,
  ) {}

  directoryOf(stack: string): string {
    return join(this.root, stack);
  }

  checkoutOf(stack: string): string {
    return join(this.root, stack, 'checkout');
  }

  knownHostsOf(stack: string): string {
    return join(this.root, stack, 'known_hosts');
  }

  filesOf(stack: string): StackFiles | undefined {
    const source = this.store.get(stack);
    if (!source) return undefined;
    return checkoutFiles(this.checkoutOf(stack), posix.dirname(source.path));
  }

  async removed(stack: string): Promise<void> {
    this.store.delete(stack);
    await rm(this.directoryOf(stack), { recursive: true, force: true });
  }
}

/** The files of the checkout at `root`, the compose file in its `composeDir` (relative, `.` for the top). */
export function checkoutFiles(
  root: string,
  composeDir: string,
): StackFiles & { readonly read: ReadonlyMap<string, string> } {
  const read = new Map<string, string>();
  const workingDir = resolve(root, composeDir);
  const contains = (path: string) => isInside(root, path);
  return {
    root,
    workingDir,
    read,
    contains,
    readFile(relativePath) {
      const path = resolve(workingDir, relativePath);
      if (!contains(path)) return { problem: "leads out of the stack's files (a symbolic link?)" };
      if (!existsSync(path)) return null;
      const stat = statSync(path);
      if (!stat.isFile()) return { problem: 'is not a file' };
      if (stat.size > MAX_FILE_BYTES) return { problem: 'is larger than 1 MiB' };
      const text = readFileSync(path, 'utf8');
      read.set(relative(root, path), text);
      return text;
    },
  };
}

/**
 * Whether `path` lies within `root` once every symbolic link is followed: the longest part of it
 * that exists is resolved (a bind source the engine will make is not there yet).
 */
export function isInside(root: string, path: string): boolean {
  const within = (base: string, candidate: string) => {
    const rel = relative(base, candidate);
    return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !rel.startsWith(sep));
  };
  if (!within(root, path)) return false;
  let realRoot: string;
  try {
    realRoot = realpathSync(root);
  } catch {
    return false;
  }
  let existing = path;
  const rest: string[] = [];
  // lstat, not exists: a link that leads nowhere is there, and must resolve like any other.
  const present = (candidate: string) => {
    try {
      lstatSync(candidate);
      return true;
    } catch {
      return false;
    }
  };
  while (!present(existing)) {
    const parent = dirname(existing);
    if (parent === existing) return false;
    rest.unshift(existing.slice(parent.length + 1));
    existing = parent;
  }
  try {
    return within(realRoot, join(realpathSync(existing), ...rest));
  } catch {
    return false;
  }
}

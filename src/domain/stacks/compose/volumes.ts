import { posix } from 'node:path';
import type { Privileges, TmpfsMountSpec, VolumeMountSpec } from '../../containers/model.js';
import type { Path, ProblemList } from './problems.js';
import { parseBytes } from './units.js';

export type BindMount = Privileges['mounts'][number];

export interface ServiceMounts {
  /** Named volumes, by their key in the file's `volumes` (resolved to engine names by the caller). */
  volumes: (VolumeMountSpec & { path: Path })[];
  binds: BindMount[];
  tmpfs: TmpfsMountSpec[];
}

export interface MountContext {
  /** The stack's directory on the engine's host: relative bind sources resolve against it. */
  workingDir: string | undefined;
  /**
   * Whether a relative source, resolved, stays within the stack's files (a checkout: neither `..`
   * nor a symbolic link may lead out of it); absent, anywhere.
   */
  contains?: ((absolutePath: string) => boolean) | undefined;
}

/**
 * A service's `volumes` (short `src:target[:ro|rw]` and long syntax) and `tmpfs`. A source that is a
 * path is a bind mount (which the create policy judges like any other host path); any other source
 * is the key of a named volume.
 */
export function parseMounts(
  volumes: unknown,
  tmpfs: unknown,
  context: MountContext,
  path: Path,
  problems: ProblemList,
): ServiceMounts {
  const mounts: ServiceMounts = { volumes: [], binds: [], tmpfs: [] };
  if (Array.isArray(volumes))
    volumes.forEach((entry, index) => {
      const at = [...path, 'volumes', index];
      if (typeof entry === 'string') parseShort(entry, context, at, problems, mounts);
      else if (entry !== null && typeof entry === 'object')
        parseLong(entry as Record<string, unknown>, context, at, problems, mounts);
    });
  const tmpfsList = typeof tmpfs === 'string' ? [tmpfs] : Array.isArray(tmpfs) ? tmpfs : [];
  tmpfsList.forEach((entry, index) => {
    const at = typeof tmpfs === 'string' ? [...path, 'tmpfs'] : [...path, 'tmpfs', index];
    const mount = parseTmpfsShort(String(entry), at, problems);
    if (mount !== undefined) mounts.tmpfs.push(mount);
  });
  return mounts;
}

function parseShort(
  text: string,
  context: MountContext,
  path: Path,
  problems: ProblemList,
  mounts: ServiceMounts,
): void {
  const parts = text.split(':');
  if (parts.length === 1) {
    problems.add(
      path,
      `"${text}" is an anonymous volume: berth names what it makes, so declare a named volume at the top level and mount it as "name:${text}"`,
    );
    return;
  }
  if (parts.length > 3) {
    problems.add(path, `"${text}" is not "source:target[:mode]"`);
    return;
  }
  const [source = '', target = '', mode = 'rw'] = parts;
  const modes = mode.split(',');
  const unknown = modes.filter((option) => option !== 'ro' && option !== 'rw');
  if (unknown.length > 0) {
    problems.add(
      path,
      `berth does not implement the mount option ${unknown.map((o) => `"${o}"`).join(', ')} (only ro and rw)`,
    );
    return;
  }
  add(
    isPathSource(source) ? 'bind' : 'volume',
    source,
    target,
    modes.includes('ro'),
    context,
    path,
    problems,
    mounts,
  );
}

function parseLong(
  entry: Record<string, unknown>,
  context: MountContext,
  path: Path,
  problems: ProblemList,
  mounts: ServiceMounts,
): void {
  const type = entry['type'];
  const target = String(entry['target'] ?? '');
  const source = entry['source'] === undefined || entry['source'] === null ? '' : String(entry['source']);
  const readOnly = entry['read_only'] === true;
  if (type === 'tmpfs') {
    if (source !== '') problems.add([...path, 'source'], 'a tmpfs mount has no source');
    const size = (entry['tmpfs'] as Record<string, unknown> | undefined)?.['size'];
    const mount = tmpfsMount(target, size, [...path, 'tmpfs', 'size'], path, problems);
    if (mount !== undefined) mounts.tmpfs.push(mount);
    return;
  }
  if (type !== 'volume' && type !== 'bind') {
    problems.add(
      [...path, 'type'],
      `berth does not implement "${String(type)}" mounts (volume, bind and tmpfs)`,
    );
    return;
  }
  if (source === '') {
    problems.add(
      path,
      type === 'volume'
        ? 'an anonymous volume: name a volume declared at the top level in "source"'
        : 'a bind mount needs a "source"',
    );
    return;
  }
  add(type, source, target, readOnly, context, path, problems, mounts);
}

function add(
  type: 'bind' | 'volume',
  source: string,
  target: string,
  readOnly: boolean,
  context: MountContext,
  path: Path,
  problems: ProblemList,
  mounts: ServiceMounts,
): void {
  if (!posix.isAbsolute(target)) {
    problems.add(path, `the target "${target}" must be an absolute path in the container`);
    return;
  }
  if (type === 'volume') {
    mounts.volumes.push({ name: source, target, readOnly, path });
    return;
  }
  const resolved = resolveBindSource(source, context);
  if (typeof resolved === 'object') problems.add(path, resolved.problem);
  else mounts.binds.push({ type: 'bind', source: resolved, target, readOnly });
}

function resolveBindSource(source: string, context: MountContext): string | { problem: string } {
  if (source.startsWith('~'))
    return { problem: `"${source}": a home directory means nothing on a server; give an absolute path` };
  if (posix.isAbsolute(source)) return posix.normalize(source);
  if (context.workingDir === undefined)
    return {
      problem: `"${source}" is relative, and this stack has no directory to resolve it against: give an absolute path`,
    };
  const resolved = posix.resolve(context.workingDir, source);
  if (context.contains && !context.contains(resolved))
    return { problem: `"${source}" leads out of the stack's files: a relative source must stay inside them` };
  return resolved;
}

/** Compose reads a source that starts like a path as a bind: `/x`, `./x`, `../x`, `~/x`, `.`. */
function isPathSource(source: string): boolean {
  return source.startsWith('/') || source.startsWith('.') || source.startsWith('~');
}

function parseTmpfsShort(text: string, path: Path, problems: ProblemList): TmpfsMountSpec | undefined {
  const [target = '', options] = text.split(/:(.*)/s);
  let size: string | undefined;
  for (const option of options === undefined || options === '' ? [] : options.split(',')) {
    if (option.startsWith('size=')) size = option.slice('size='.length);
    else if (option !== 'rw') {
      problems.add(path, `berth does not implement the tmpfs option "${option}" (only size and rw)`);
      return undefined;
    }
  }
  return tmpfsMount(target, size, path, path, problems);
}

function tmpfsMount(
  target: string,
  size: unknown,
  sizePath: Path,
  path: Path,
  problems: ProblemList,
): TmpfsMountSpec | undefined {
  if (!posix.isAbsolute(target)) {
    problems.add(path, `the tmpfs target "${target}" must be an absolute path in the container`);
    return undefined;
  }
  if (size === undefined || size === null) return { target };
  const bytes = parseBytes(typeof size === 'number' ? size : String(size));
  if (bytes === null || bytes === 0) {
    problems.add(sizePath, `"${String(size)}" is not a size (e.g. 64m)`);
    return undefined;
  }
  return { target, sizeBytes: bytes };
}

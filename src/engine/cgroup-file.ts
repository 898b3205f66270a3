import { closeSync, openSync, readFileSync, readSync, statfsSync } from 'node:fs';

/**
 * A kernel-made file (a cgroup counter, `/proc/stat`, `/proc/<pid>/net/dev`) held open and read
 * again from offset 0 at every sample: one `pread` instead of the open, fstat, two reads and close
 * of `readFileSync`, and no path lookup. These files are seq_files, which make their text anew on
 * every read from offset 0, so a held descriptor always reads the current figures.
 *
 * A cgroup that is removed (its container stopped) answers ENODEV on a descriptor opened before;
 * a restarted container gets a new cgroup at the same path. So a descriptor that fails is closed
 * and the path opened again at once: the caller sees what a fresh read would have seen, the new
 * cgroup's figures or its absence.
 *
 * Only files of the kernel's own filesystems are held (cgroup, cgroup2, proc, sysfs): an ordinary
 * file (a test's fixture) that is deleted and written anew would keep answering its old text
 * through an old descriptor, so it is opened at every read, as before.
 *
 * Reads are synchronous, on purpose: the files are tiny and made by the kernel on read, never
 * waiting on a disk (see CgroupStatsSource).
 */
export class KernelFile {
  readonly path: string;
  /** Whether one read returns the whole file (one seq_file record) or it must be read to its end. */
  readonly #records: 'one' | 'many';
  #fd: number | null = null;

  constructor(path: string, records: 'one' | 'many' = 'one') {
    this.path = path;
    this.#records = records;
  }

  /** The file's text, or null when it (or its cgroup, or its process) does not exist. */
  read(): string | null {
    const length = this.#read();
    return length < 0 ? null : shared.toString('latin1', 0, length);
  }

  /** Gives the descriptor back; a later read opens the path again. */
  close(): void {
    if (this.#fd === null) return;
    const fd = this.#fd;
    this.#fd = null;
    held -= 1;
    try {
      closeSync(fd);
    } catch {
      // Closing a descriptor of a removed cgroup cannot fail in a way that matters here.
    }
  }

  /** Bytes read into the shared buffer, or -1 when the file is gone. */
  #read(): number {
    if (this.#fd !== null) {
      try {
        return this.#readAll(this.#fd);
      } catch (error) {
        this.close();
        // The cgroup was removed under the descriptor; a new one may be at the same path.
        if (!isGone(error)) throw error;
      }
    }
    let fd: number;
    try {
      fd = openSync(this.path, 'r');
    } catch (error) {
      if (isGone(error)) return -1;
      throw error;
    }
    const keep = held < budget() && madeByKernel(this.path);
    if (keep) {
      this.#fd = fd;
      held += 1;
    }
    try {
      return this.#readAll(fd);
    } catch (error) {
      if (keep) this.close();
      if (isGone(error)) return -1;
      throw error;
    } finally {
      if (!keep) closeSync(fd);
    }
  }

  #readAll(fd: number): number {
    for (;;) {
      let length = 0;
      for (;;) {
        const read = readSync(fd, shared, length, shared.length - length, length);
        length += read;
        // One record: a read with room to spare returned all of it. Several (one per network
        // interface): the kernel hands out at most a page of them per read, so read to the end.
        if (length === shared.length) break;
        if (read === 0 || this.#records === 'one') return length;
      }
      // Did not fit: a larger buffer, and the file again from its start.
      shared = Buffer.allocUnsafe(shared.length * 2);
    }
  }
}

/** One buffer for every read: reads are synchronous and their text is copied out at once. */
let shared = Buffer.allocUnsafe(16 * 1024);

/** Descriptors held open by all KernelFiles now. */
let held = 0;
let limit: number | undefined;

/**
 * How many descriptors KernelFiles may hold: half of the process's open-files limit, so that a
 * host with thousands of containers leaves room for sockets and the database; past it, files are
 * opened and closed at each read, as before.
 */
function budget(): number {
  limit ??= openFilesBudget();
  return limit;
}

function openFilesBudget(): number {
  try {
    const soft = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1];
    if (soft === 'unlimited') return 1 << 20;
    if (soft !== undefined) return Math.floor(Number(soft) / 2);
  } catch {
    // No procfs of our own: keep to what every system allows.
  }
  return 256;
}

/** statfs(2) magic numbers of the filesystems whose files are made on read: cgroup, cgroup2, proc, sysfs. */
const KERNEL_FILESYSTEMS = new Set([0x27e0eb, 0x63677270, 0x9fa0, 0x62656572]);

/** Asked once per open, not per read: a descriptor is opened once per container, or after its cgroup went. */
function madeByKernel(path: string): boolean {
  try {
    return KERNEL_FILESYSTEMS.has(Number(statfsSync(path).type));
  } catch {
    return false;
  }
}

/** Descriptors held open now, for tests. */
export function heldKernelFiles(): number {
  return held;
}

/** ENODEV: the cgroup is being removed; ESRCH: the process is gone. */
function isGone(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENODEV' || code === 'ESRCH';
}

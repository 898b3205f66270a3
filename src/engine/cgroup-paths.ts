import { join } from 'node:path';

export type CgroupVersion = '1' | '2';
export type CgroupDriver = 'cgroupfs' | 'systemd';

/** Narrows the engine's `CgroupDriver` to one whose layout is known here (not `none`, rootless). */
export function isCgroupDriver(driver: string): driver is CgroupDriver {
  return driver === 'cgroupfs' || driver === 'systemd';
}

/** Where one container's counters live. Worked out once per collector: sampling never lists a directory. */
export interface CgroupFiles {
  /** Required: their absence means the cgroup is gone (container stopped or removed). */
  cpu: string;
  memoryUsage: string;
  memoryStat: string;
  memoryLimit: string;
  /** Optional: a controller may be absent or not delegated; its figures then read 0. */
  pids: string;
  /** Block IO byte counters, best first: the first that exists is read from then on. */
  io: string[];
}

/**
 * The directory under which the engine creates its containers' cgroups for one controller (v1) or
 * for all (v2). Docker's default `--cgroup-parent` is `/docker` with cgroupfs and `system.slice`
 * with systemd; a custom parent is not supported here.
 */
export function containerParentDir(
  root: string,
  version: CgroupVersion,
  driver: CgroupDriver,
  controller = 'cpuacct',
): string {
  const parent = driver === 'systemd' ? 'system.slice' : 'docker';
  return version === '1' ? join(root, controller, parent) : join(root, parent);
}

function containerDir(
  root: string,
  version: CgroupVersion,
  driver: CgroupDriver,
  id: string,
  controller?: string,
): string {
  const leaf = driver === 'systemd' ? `docker-${id}.scope` : id;
  return join(containerParentDir(root, version, driver, controller), leaf);
}

export function containerCgroupFiles(
  root: string,
  version: CgroupVersion,
  driver: CgroupDriver,
  id: string,
): CgroupFiles {
  if (version === '2') {
    const dir = containerDir(root, version, driver, id);
    return {
      cpu: join(dir, 'cpu.stat'),
      memoryUsage: join(dir, 'memory.current'),
      memoryStat: join(dir, 'memory.stat'),
      memoryLimit: join(dir, 'memory.max'),
      pids: join(dir, 'pids.current'),
      io: [join(dir, 'io.stat')],
    };
  }
  const v1 = (controller: string, file: string) =>
    join(containerDir(root, version, driver, id, controller), file);
  return {
    cpu: v1('cpuacct', 'cpuacct.usage'),
    memoryUsage: v1('memory', 'memory.usage_in_bytes'),
    memoryStat: v1('memory', 'memory.stat'),
    memoryLimit: v1('memory', 'memory.limit_in_bytes'),
    pids: v1('pids', 'pids.current'),
    // The throttle layer counts every byte a cgroup submits whatever the IO scheduler; the CFQ
    // files (gone since Linux 5.0) only matter on kernels built without it. `_recursive` first, as
    // Docker reports it, so cgroups a container makes inside its own are counted too.
    io: [
      v1('blkio', 'blkio.throttle.io_service_bytes_recursive'),
      v1('blkio', 'blkio.throttle.io_service_bytes'),
      v1('blkio', 'blkio.io_service_bytes_recursive'),
      v1('blkio', 'blkio.io_service_bytes'),
    ],
  };
}

/**
 * The container's cgroup relative to the hierarchy's root, as cAdvisor names a container (its `id`
 * label): the same on v1 and v2, since the leaf and parent do not depend on the controller.
 */
export function containerCgroupPath(driver: CgroupDriver, id: string): string {
  return driver === 'systemd' ? `/system.slice/docker-${id}.scope` : `/docker/${id}`;
}

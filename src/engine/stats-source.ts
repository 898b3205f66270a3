import type { Logger } from '../shared/logger.js';
import type { Config } from '../platform/config.js';
import type { DockerEngine } from './engine.js';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { CgroupStatsSource, type CgroupAccess } from './cgroup.js';
import type { StatsSource } from '../domain/stats/model.js';

/**
 * Picks where stats come from, once the engine answers: the host's cgroup files when berth shares
 * the engine's host (a unix socket) and can read them, the engine's stats API otherwise, unless
 * the configuration forces one. The reason is logged.
 */
export async function chooseStatsSource(
  config: Config,
  engine: DockerEngine,
  log: Logger,
  /** A running container's id, when there is one: reading its cgroup proves the engine is local. */
  probeContainerId: string | undefined,
): Promise<StatsSource> {
  const preference = config.stats.source;
  if (preference === 'docker-api') {
    log.info('stats: the engine stats API (BERTH_STATS_SOURCE=docker-api)');
    return engine.apiStatsSource(log);
  }
  const info = await engine.info();
  const driver = info.cgroupDriver === 'systemd' ? 'systemd' : 'cgroupfs';
  const layout = {
    root: config.stats.cgroupRoot,
    procRoot: config.stats.procRoot,
    version: info.cgroupVersion,
    driver,
  } as const;
  const cgroup = () =>
    new CgroupStatsSource({
      ...layout,
      sysRoot: sysfsOf(layout.root),
      onlineCpus: info.ncpu,
      hostMemoryBytes: info.memTotalBytes,
      log: (message, error) => log.warn(message, error),
    });
  if (preference === 'cgroup') {
    log.info(
      `stats: cgroup v${layout.version} files (${driver}) under ${layout.root} (BERTH_STATS_SOURCE=cgroup)`,
    );
    return cgroup();
  }
  if (config.engine.kind !== 'socket') {
    log.info('stats: the engine stats API (the engine is remote, its cgroups are not visible here)');
    return engine.apiStatsSource(log);
  }
  let readable = probeContainerId
    ? await CgroupStatsSource.canRead(layout, probeContainerId)
    : await hierarchyReadable(layout.root, layout.version);
  // The probe container may have stopped or gone since it was picked: its missing cgroup then
  // proves nothing, and berth would read the costlier stats API for the rest of its life.
  if (!readable.readable && probeContainerId && !(await stillRunning(engine, probeContainerId))) {
    readable = await hierarchyReadable(layout.root, layout.version);
  }
  if (!readable.readable) {
    log.info(`stats: the engine stats API (${readable.reason})`);
    return engine.apiStatsSource(log);
  }
  log.info(`stats: cgroup v${layout.version} files (${driver}) under ${layout.root}`);
  return cgroup();
}

async function stillRunning(engine: DockerEngine, id: string): Promise<boolean> {
  try {
    return (await engine.inspect(id)).status === 'RUNNING';
  } catch {
    return false;
  }
}

/**
 * With no container running there is nothing to prove locality with; the engine is on a local
 * socket, so the host's hierarchy being mounted and readable is enough.
 */
async function hierarchyReadable(root: string, version: '1' | '2'): Promise<CgroupAccess> {
  const path = join(root, version === '2' ? 'cgroup.controllers' : 'cpuacct');
  try {
    await access(path, constants.R_OK);
    return { readable: true };
  } catch (error) {
    return {
      readable: false,
      reason: `cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? error})`,
    };
  }
}

/**
 * Where sysfs is, for naming block devices: the cgroup hierarchy is mounted at `<sysfs>/fs/cgroup`
 * (`/sys/fs/cgroup` on a host, `/host/sys/fs/cgroup` when berth runs in a container with the host's
 * /sys mounted), so the same mount tells where sysfs is without a setting of its own.
 */
export function sysfsOf(cgroupRoot: string): string {
  const match = /^(.*)\/fs\/cgroup\/?$/.exec(cgroupRoot);
  return match?.[1] || '/sys';
}

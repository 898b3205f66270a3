import type { EngineInfo } from '../domain/system/ports.js';
import type { EngineCalls } from './calls.js';

/** The subset of `GET /info` read here; dockerode types the answer as `any`. */
interface WireInfo {
  ID?: string;
  ServerVersion?: string;
  CgroupVersion?: string;
  CgroupDriver?: string;
  NCPU?: number;
  MemTotal?: number;
  DockerRootDir?: string;
  Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean };
}

export async function readEngineInfo(calls: EngineCalls): Promise<EngineInfo> {
  const info = (await calls.run('info', 'engine info', (docker) => docker.info())) as WireInfo;
  return {
    id: info.ID ?? '',
    serverVersion: info.ServerVersion ?? '',
    // Engines before API 1.40 do not report it, and they only ran on cgroup v1.
    cgroupVersion: info.CgroupVersion === '2' ? '2' : '1',
    cgroupDriver: info.CgroupDriver ?? 'cgroupfs',
    ncpu: info.NCPU ?? 0,
    memTotalBytes: info.MemTotal ?? 0,
    dockerRootDir: info.DockerRootDir ?? '',
    swarm: {
      nodeState: info.Swarm?.LocalNodeState || 'inactive',
      // A worker is in the swarm too, but only a manager takes swarm-scoped requests.
      manager: info.Swarm?.LocalNodeState === 'active' && info.Swarm.ControlAvailable === true,
    },
  };
}

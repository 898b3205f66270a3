import type Docker from 'dockerode';
import type { EngineInfo } from '../domain/system/ports.js';
import { toDomainError } from './errors.js';

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

export async function readEngineInfo(docker: Docker): Promise<EngineInfo> {
  let info: WireInfo;
  try {
    info = (await docker.info()) as WireInfo;
  } catch (error) {
    throw toDomainError(error, 'list', 'engine info');
  }
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

/** What berth needs to know about the engine's host to choose and configure a stats source. */
export interface EngineInfo {
  id: string;
  serverVersion: string;
  cgroupVersion: '1' | '2';
  /** `none` on rootless engines; other values are passed through as the engine says them. */
  cgroupDriver: 'cgroupfs' | 'systemd' | (string & {});
  ncpu: number;
  memTotalBytes: number;
  dockerRootDir: string;
  /** The engine's part in a Docker Swarm: `inactive` when standalone. */
  swarm: {
    nodeState: 'inactive' | 'pending' | 'active' | 'error' | 'locked' | (string & {});
    manager: boolean;
  };
}

/** The engine as a host: whether it answers, and what it says of itself. */
export interface EngineHost {
  /** Whether the engine answers within `timeoutMs`. Never throws. */
  ping(timeoutMs?: number): Promise<boolean>;
  info(): Promise<EngineInfo>;
}

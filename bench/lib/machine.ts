import { readFileSync } from 'node:fs';
import os from 'node:os';
import type Docker from 'dockerode';

/** Where and on what the numbers were taken. */
export interface Machine {
  cpu: string;
  cores: number;
  memory: string;
  kernel: string;
  node: string;
  engine: string;
  cgroups: string;
}

export async function describeMachine(docker: Docker): Promise<Machine> {
  const model =
    /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ??
    os.cpus()[0]?.model ??
    'unknown';
  const version = await docker.version();
  const info = (await docker.info()) as { CgroupVersion?: string; CgroupDriver?: string };
  const component = (name: string) => version.Components?.find((c) => c.Name.toLowerCase() === name)?.Version;
  return {
    cpu: model,
    cores: os.cpus().length,
    memory: `${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    engine: `dockerd ${version.Version} (API ${version.ApiVersion}), containerd ${component('containerd') ?? '?'}, runc ${component('runc') ?? '?'}`,
    cgroups: `v${info.CgroupVersion ?? '?'}, ${info.CgroupDriver ?? '?'} driver`,
  };
}

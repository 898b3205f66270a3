import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * What /proc says about processes and the machine: CPU time, resident memory, and which
 * processes belong to the benchmark's own engine. Linux only, as the project's engines are.
 */

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

export interface ProcessInfo {
  pid: number;
  ppid: number;
  comm: string;
  cmdline: string;
  /** utime + stime of the process (all its threads), in seconds. */
  ownCpu: number;
  /** utime and stime apart: user space, and the kernel working for it (syscalls, loopback TCP). */
  userCpu: number;
  systemCpu: number;
  /** cutime + cstime: children that exited and were waited for (e.g. runc invocations), in seconds. */
  reapedChildrenCpu: number;
}

/** One process from /proc/<pid>/stat, or undefined when it is gone. */
export function readProcess(pid: number): ProcessInfo | undefined {
  let stat: string;
  let cmdline: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
  } catch {
    return undefined;
  }
  // comm is in parentheses and may itself contain spaces or parentheses: split after the last ')'.
  const close = stat.lastIndexOf(')');
  const comm = stat.slice(stat.indexOf('(') + 1, close);
  const fields = stat.slice(close + 2).split(' ');
  // fields[0] is field 3 (state) of proc(5): utime is field 14, so fields[11].
  const at = (field: number) => Number(fields[field - 3]);
  return {
    pid,
    ppid: at(4),
    comm,
    cmdline,
    ownCpu: (at(14) + at(15)) / TICKS_PER_SECOND,
    userCpu: at(14) / TICKS_PER_SECOND,
    systemCpu: at(15) / TICKS_PER_SECOND,
    reapedChildrenCpu: (at(16) + at(17)) / TICKS_PER_SECOND,
  };
}

export function allProcesses(): ProcessInfo[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readProcess(Number(name)))
    .filter((info): info is ProcessInfo => info !== undefined);
}

/** `pid` and every process below it. */
export function processTree(pid: number, table: readonly ProcessInfo[] = allProcesses()): ProcessInfo[] {
  const members = new Set([pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const info of table) {
      if (!members.has(info.pid) && members.has(info.ppid)) {
        members.add(info.pid);
        grew = true;
      }
    }
  }
  return table.filter((info) => members.has(info.pid));
}

/**
 * The processes of one private engine: its dockerd, the containerd that dockerd started, and
 * every containerd-shim of that containerd. Shims daemonize (reparent to init), so they are not
 * found by parentage: each one's command line names its containerd's socket, which lies under
 * the engine's own directory (`-address <dir>/exec/containerd/containerd.sock`), and so does the
 * containerd's `--config`. Another engine on the machine has another directory.
 */
export function engineProcesses(engineDir: string): ProcessInfo[] {
  return allProcesses().filter(
    (info) =>
      (info.comm === 'dockerd' || info.comm === 'containerd' || info.comm.startsWith('containerd-shim')) &&
      info.cmdline.includes(`${engineDir}/`),
  );
}

/** Total CPU seconds (own + reaped children) of a set of processes, by kind. */
export interface CpuBreakdown {
  total: number;
  byKind: Record<string, number>;
  pids: number[];
}

export function cpuOf(processes: readonly ProcessInfo[], kind: (info: ProcessInfo) => string): CpuBreakdown {
  const byKind: Record<string, number> = {};
  let total = 0;
  for (const info of processes) {
    const seconds = info.ownCpu + info.reapedChildrenCpu;
    const key = kind(info);
    byKind[key] = (byKind[key] ?? 0) + seconds;
    total += seconds;
  }
  return { total, byKind, pids: processes.map((info) => info.pid) };
}

/**
 * The CPU used between two snapshots, per kind. A process present only in `after` (a shim
 * started meanwhile) counts from zero; one gone by `after` is left out (its last figures are lost).
 */
export function cpuDelta(
  before: Map<number, ProcessInfo>,
  after: readonly ProcessInfo[],
  kind: (info: ProcessInfo) => string,
): CpuBreakdown {
  const byKind: Record<string, number> = {};
  let total = 0;
  for (const info of after) {
    const earlier = before.get(info.pid);
    const seconds =
      info.ownCpu + info.reapedChildrenCpu - (earlier ? earlier.ownCpu + earlier.reapedChildrenCpu : 0);
    const key = kind(info);
    byKind[key] = (byKind[key] ?? 0) + seconds;
    total += seconds;
  }
  return { total, byKind, pids: after.map((info) => info.pid) };
}

export function byPid(processes: readonly ProcessInfo[]): Map<number, ProcessInfo> {
  return new Map(processes.map((info) => [info.pid, info]));
}

/** VmRSS of `pid` in bytes. */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
  if (kib === undefined) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(kib) * 1024;
}

/** The machine's CPU counters, to tell how busy it was (with anyone's work) during a benchmark. */
export interface MachineCpu {
  busy: number;
  total: number;
}

export function machineCpu(): MachineCpu {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const values = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = values.reduce((sum, v) => sum + v, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { busy: total - idle, total };
}

/** Fraction of all cores busy between two readings (0..1). */
export function utilization(before: MachineCpu, after: MachineCpu): number {
  const total = after.total - before.total;
  return total > 0 ? (after.busy - before.busy) / total : 0;
}

export function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').trim();
}

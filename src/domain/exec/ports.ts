export interface ExecRequest {
  command: string[];
  env: string[];
  workingDir?: string;
  /** As `docker exec --user`: a name or uid, with an optional group; the container's user when left out. */
  user?: string;
  timeoutMs: number;
  /** Bytes kept of each of stdout and stderr; the rest is read and dropped. */
  maxOutputBytes: number;
}

export interface ExecOutcome {
  /** null when the command did not finish within the timeout. */
  exitCode: number | null;
  stdout: string;
  stderr: string;
  truncated: boolean;
  /** The command's process on the engine's host, for stopping it after a timeout. */
  pid: number | null;
}

/** What the exec domain needs of an engine (implemented by src/engine/exec.ts). */
export interface ExecEngine {
  /** Runs a command in a running container and collects what it prints. */
  exec(id: string, request: ExecRequest): Promise<ExecOutcome>;
}

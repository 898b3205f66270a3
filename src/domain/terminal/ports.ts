import type { Duplex } from 'node:stream';
import type { ExecOutcome, ExecRequest } from '../exec/ports.js';

/** A process to start on a pseudo-terminal in a running container (`docker exec -it`). */
export interface TerminalRequest {
  command: string[];
  /** `NAME=value`, added to the container's own environment. */
  env: string[];
  user?: string;
  workingDir?: string;
  cols: number;
  rows: number;
}

/** The exec as the engine reports it. */
export interface TerminalProcessState {
  running: boolean;
  /** Once it ended; null while it runs, or when the engine knows none. */
  exitCode: number | null;
}

/** A process running on a pseudo-terminal, as the engine started it. */
export interface TerminalProcess {
  /**
   * The terminal's one byte stream (a TTY merges stdout and stderr): what is written is typed,
   * what is read is shown. It ends when the process's terminal closes.
   */
  readonly stream: Duplex;
  resize(cols: number, rows: number): Promise<void>;
  state(): Promise<TerminalProcessState>;
}

/** What terminal sessions need of an engine (implemented by src/engine/terminal.ts). */
export interface TerminalEngine {
  /** Whether `path` is in the container's filesystem: how a shell is looked for, without running anything. */
  pathExists(containerId: string, path: string): Promise<boolean>;
  /** Starts `request` with a TTY and stdin attached, and hands over the hijacked stream. */
  start(containerId: string, request: TerminalRequest): Promise<TerminalProcess>;
  /** Whether the container runs now (false when it is gone). */
  isRunning(containerId: string): Promise<boolean>;
  /** A short command without a TTY, waited for: how a session's processes are killed. */
  exec(containerId: string, request: ExecRequest): Promise<ExecOutcome>;
}

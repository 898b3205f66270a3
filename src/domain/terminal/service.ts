import { randomUUID } from 'node:crypto';
import {
  InvalidInputError,
  InvalidStateError,
  NotFoundError,
  ShellNotFoundError,
  TerminalDisabledError,
} from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import type { Container } from '../containers/model.js';
import type { ExecRequest } from '../exec/ports.js';
import type { TerminalEngine, TerminalProcess, TerminalProcessState } from './ports.js';

/** What a caller may choose of a session; everything is optional. */
export interface TerminalInput {
  /** An absolute path; detected when left out (DETECTED_SHELLS, in order). */
  shell?: string | null | undefined;
  /** As `docker exec --user`: a name or uid, with an optional `:group`. */
  user?: string | null | undefined;
  workingDir?: string | null | undefined;
  cols?: number | null | undefined;
  rows?: number | null | undefined;
}

/** The shells looked for when the caller names none, in order. */
export const DETECTED_SHELLS = ['/bin/bash', '/bin/sh'] as const;

/** The terminal's size when the caller gives none: a VT100's. */
export const DEFAULT_SIZE = { cols: 80, rows: 24 } as const;
const MAX_SIZE = 1000;

/**
 * Every process of a session carries this variable (with the session's id), inherited by what it
 * starts: how the session's processes are found again to be killed, since the engine has no call
 * to stop an exec and the exec's PID it reports is the host's, not the container's.
 */
export const SESSION_VARIABLE = 'BERTH_TERMINAL_SESSION';

/**
 * Kills every process in the container whose environment holds `$1` (`BERTH_TERMINAL_SESSION=<id>`),
 * and again, for those started meanwhile, until none is left (three passes at most). POSIX sh with
 * `tr` and `grep`: /proc/<pid>/environ is NUL-separated, which no shell's `read` takes.
 */
const KILL_SCRIPT = `command -v tr >/dev/null && command -v grep >/dev/null || { echo 'needs tr and grep' >&2; exit 2; }
marker="$1"
for pass in 1 2 3; do
  found=
  for dir in /proc/[0-9]*; do
    pid="\${dir#/proc/}"
    [ "$pid" = "$$" ] && continue
    if tr '\\0' '\\n' 2>/dev/null < "$dir/environ" | grep -qxF "$marker"; then
      kill -9 "$pid" 2>/dev/null && found=1
    fi
  done
  [ -z "$found" ] && exit 0
done
exit 1`;

const USER_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,63})?$/;

interface ValidTerminalInput {
  shell?: string;
  user?: string;
  workingDir?: string;
  cols: number;
  rows: number;
}

function absolutePath(value: unknown, field: string, max: number): string | undefined {
  if (value == null) return undefined;
  if (typeof value !== 'string' || !value.startsWith('/') || value.length > max || /[\0-\x1f]/.test(value)) {
    throw new InvalidInputError(field, `must be an absolute path of at most ${max} characters`);
  }
  return value;
}

function size(value: unknown, field: string, fallback: number): number {
  if (value == null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_SIZE) {
    throw new InvalidInputError(field, `must be a whole number from 1 to ${MAX_SIZE}`);
  }
  return value;
}

export function validateTerminalSize(cols: unknown, rows: unknown): { cols: number; rows: number } {
  return { cols: size(cols, 'cols', DEFAULT_SIZE.cols), rows: size(rows, 'rows', DEFAULT_SIZE.rows) };
}

export function validateTerminalInput(input: TerminalInput): ValidTerminalInput {
  const shell = absolutePath(input.shell, 'shell', 255);
  const workingDir = absolutePath(input.workingDir, 'workingDir', 4096);
  const { user } = input;
  if (user != null && (typeof user !== 'string' || !USER_PATTERN.test(user))) {
    throw new InvalidInputError('user', 'must be a user name or uid, with an optional ":group"');
  }
  return {
    ...(shell !== undefined && { shell }),
    ...(user != null && { user }),
    ...(workingDir !== undefined && { workingDir }),
    ...validateTerminalSize(input.cols, input.rows),
  };
}

/** How a session ended. */
export type TerminalEndReason =
  /** The shell exited (`exit`, Ctrl-D, killed from inside). */
  | 'exited'
  /** The client left, its token was revoked, or berth stopped: the session's processes were killed. */
  | 'closed'
  /** The container stopped (or was removed) under it. */
  | 'container-stopped';

export interface TerminalEnd {
  reason: TerminalEndReason;
  /** The shell's exit code as the engine reports it; null when it knows none (the container stopped). */
  exitCode: number | null;
  endedAt: Date;
  /**
   * False when processes of the session may still run in the container: the command that kills
   * them could not run (no `tr` or `grep`, say) or found some it could not kill.
   */
  cleanedUp: boolean;
}

/** How long the shell's exit may take to show in the engine's exec state after its stream ended. */
const EXIT_STATE_WAIT_MS = 2000;
/** How long a container whose shell was killed by a signal may take to show as stopped. */
const STOP_STATE_WAIT_MS = 2000;
/** How long a closed session's stream may take to end once its processes were killed. */
const CLOSE_GRACE_MS = 5000;

/**
 * One interactive shell in a container: its bytes both ways, its size, and how it ends. It ends
 * when the process exits, the container stops, or `close()` is called (the client left), and in
 * every case leaves none of its processes behind while the container runs.
 */
export class TerminalSession {
  readonly id: string;
  readonly shell: string;
  readonly user: string | undefined;
  readonly startedAt = new Date();
  /** Settles once, when the session is over and its processes are gone; never rejects. */
  readonly ended: Promise<TerminalEnd>;
  readonly #killRequest: ExecRequest;
  #closing = false;
  /** The stream ended: there is nothing left to close. */
  #over = false;
  #killed: Promise<boolean> | undefined;

  constructor(
    private readonly engine: TerminalEngine,
    private readonly process: TerminalProcess,
    readonly container: Container,
    details: { id: string; shell: string; user: string | undefined; killShell: string },
    private readonly log: Logger,
  ) {
    this.id = details.id;
    this.shell = details.shell;
    this.user = details.user;
    this.#killRequest = {
      command: [
        details.killShell,
        '-c',
        KILL_SCRIPT,
        'berth-terminal-end',
        `${SESSION_VARIABLE}=${details.id}`,
      ],
      env: [],
      // As the session's own user: its processes are that user's, and a container that dropped
      // CAP_KILL still lets a user signal its own.
      ...(details.user !== undefined && { user: details.user }),
      timeoutMs: 10_000,
      maxOutputBytes: 4096,
    };
    const { stream } = process;
    this.ended = new Promise<void>((resolve) => {
      stream.once('end', resolve);
      stream.once('close', resolve);
      // `on`, not `once`: a second error with no listener left would be thrown.
      stream.on('error', (error: Error) => {
        this.log.debug(`terminal session ${this.id}: its stream failed: ${error.message}`);
        resolve();
      });
    }).then(() => this.#settle());
  }

  /** Each chunk of the terminal's output, in order. */
  onOutput(listener: (chunk: Buffer) => void): void {
    this.process.stream.on('data', listener);
  }

  /** Stops reading the terminal (the client is behind): the process blocks on its writes. */
  pauseOutput(): void {
    this.process.stream.pause();
  }

  resumeOutput(): void {
    this.process.stream.resume();
  }

  /** Types `data`; false when the engine's side is full: wait for `onceDrained`. */
  write(data: Buffer): boolean {
    const { stream } = this.process;
    if (stream.destroyed || stream.writableEnded) return true;
    return stream.write(data);
  }

  onceDrained(listener: () => void): void {
    this.process.stream.once('drain', listener);
  }

  async resize(cols: number, rows: number): Promise<void> {
    if (cols == null || rows == null) throw new InvalidInputError('cols', 'a resize needs cols and rows');
    const size = validateTerminalSize(cols, rows);
    try {
      await this.process.resize(size.cols, size.rows);
    } catch (error) {
      // The process may have just ended: its end is reported by `ended`, not by a resize.
      this.log.debug(`terminal session ${this.id}: resize failed: ${(error as Error).message}`);
    }
  }

  /** Ends the session: its processes are killed; resolves once it is over. */
  close(): Promise<TerminalEnd> {
    if (this.#closing || this.#over) return this.ended;
    this.#closing = true;
    // Nobody reads the output any more; read to the end, so the stream can end once the shell is gone.
    this.process.stream.resume();
    void this.#kill().finally(() => {
      // Whatever the kill managed, the stream is not held open past the grace: the session is over.
      const timer = setTimeout(() => this.process.stream.destroy(), CLOSE_GRACE_MS);
      timer.unref();
      void this.ended.then(() => clearTimeout(timer));
    });
    return this.ended;
  }

  /** Kills the session's processes, once; resolves whether none is left. */
  #kill(): Promise<boolean> {
    this.#killed ??= this.engine.exec(this.container.id, this.#killRequest).then(
      (outcome) => {
        if (outcome.exitCode === 0) return true;
        this.log.warn(
          `terminal session ${this.id} in container "${this.container.name}": ending its processes ` +
            `failed (exit code ${outcome.exitCode ?? 'none: timed out'}): ${outcome.stderr.trim().slice(0, 200)}`,
        );
        return false;
      },
      (error: unknown) => {
        // A stopped or removed container has no process left to kill.
        if (error instanceof InvalidStateError || error instanceof NotFoundError) return true;
        this.log.warn(
          `terminal session ${this.id}: ending its processes failed: ${(error as Error).message}`,
        );
        return false;
      },
    );
    return this.#killed;
  }

  async #settle(): Promise<TerminalEnd> {
    this.#over = true;
    this.process.stream.destroy();
    const state = await this.#finalState();
    let running = await this.#containerRunning();
    if (running && !this.#closing && (state?.exitCode ?? 0) >= 128) {
      // Killed by a signal: a stopping container kills its processes so, a moment before the
      // engine records it stopped. Told apart from a `kill -9 $$` by waiting that moment out.
      const deadline = Date.now() + STOP_STATE_WAIT_MS;
      while (running && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        running = await this.#containerRunning();
      }
    }
    let cleanedUp = true;
    if (running) {
      // Background jobs outlive their shell's exit: they go too.
      cleanedUp = await this.#kill();
      running = await this.#containerRunning();
    }
    const endedAt = new Date();
    if (!running)
      return { reason: 'container-stopped', exitCode: state?.exitCode ?? null, endedAt, cleanedUp };
    return {
      reason: this.#closing ? 'closed' : 'exited',
      exitCode: state?.exitCode ?? null,
      endedAt,
      cleanedUp: cleanedUp && state?.running !== true,
    };
  }

  #containerRunning(): Promise<boolean> {
    return this.engine.isRunning(this.container.id).catch(() => false);
  }

  /** The exec's state once the engine has recorded its end (or as it stands after a short wait). */
  async #finalState(): Promise<TerminalProcessState | undefined> {
    const deadline = Date.now() + EXIT_STATE_WAIT_MS;
    let state: TerminalProcessState | undefined;
    for (;;) {
      state = await this.process.state().catch(() => state);
      if (state?.running === false || Date.now() >= deadline) return state;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/**
 * Opens interactive shells in one environment's running containers and keeps the sessions open
 * there, to end them when berth stops.
 */
export class TerminalService {
  readonly #sessions = new Set<TerminalSession>();

  constructor(
    private readonly engine: TerminalEngine,
    private readonly options: { enabled: boolean; log: Logger },
  ) {}

  get enabled(): boolean {
    return this.options.enabled;
  }

  /** Sessions open now. */
  get sessions(): number {
    return this.#sessions.size;
  }

  /**
   * Starts a shell on a terminal in `container`: TERMINAL_DISABLED, INVALID_INPUT, INVALID_STATE
   * (not running) or SHELL_NOT_FOUND before anything runs in it.
   */
  async open(container: Container, input: TerminalInput): Promise<TerminalSession> {
    if (!this.options.enabled) throw new TerminalDisabledError();
    const request = validateTerminalInput(input);
    if (container.status !== 'RUNNING') {
      throw new InvalidStateError(
        `container "${container.name}" is ${container.status.toLowerCase()}, not running`,
      );
    }
    const shell = await this.#findShell(container, request.shell);
    // The kill command is POSIX sh; a shell named by the caller need not be one (fish, say).
    const killShell = shell === '/bin/sh' || !(await this.#has(container, '/bin/sh')) ? shell : '/bin/sh';
    const id = randomUUID();
    const process = await this.engine.start(container.id, {
      command: [shell],
      env: ['TERM=xterm-256color', `${SESSION_VARIABLE}=${id}`],
      ...(request.user !== undefined && { user: request.user }),
      ...(request.workingDir !== undefined && { workingDir: request.workingDir }),
      cols: request.cols,
      rows: request.rows,
    });
    const session = new TerminalSession(
      this.engine,
      process,
      container,
      { id, shell, user: request.user, killShell },
      this.options.log,
    );
    this.#sessions.add(session);
    void session.ended.then(() => this.#sessions.delete(session));
    return session;
  }

  /** Ends every open session (berth stopping, or the environment removed). */
  async close(): Promise<void> {
    await Promise.all([...this.#sessions].map((session) => session.close()));
  }

  async #findShell(container: Container, asked: string | undefined): Promise<string> {
    const candidates = asked === undefined ? DETECTED_SHELLS : [asked];
    for (const candidate of candidates) {
      if (await this.#has(container, candidate)) return candidate;
    }
    // The engine answers a missing path and a missing container alike.
    if (!(await this.engine.isRunning(container.id))) {
      throw new InvalidStateError(`container "${container.name}" is no longer running`);
    }
    throw new ShellNotFoundError(container.name, candidates);
  }

  #has(container: Container, path: string): Promise<boolean> {
    return this.engine.pathExists(container.id, path);
  }
}

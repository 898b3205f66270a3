import type { Logger } from '../../shared/logger.js';
import type { Container } from '../containers/model.js';
import type { ExecEngine } from './ports.js';
import { ExecTimeoutError, InvalidInputError, InvalidStateError } from '../../shared/errors.js';
import { processTree } from './process-tree.js';

export interface ExecInput {
  command: string[];
  env?: { name: string; value: string }[] | null | undefined;
  workingDir?: string | null | undefined;
  timeoutSeconds?: number | null | undefined;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** True when stdout or stderr passed the output cap and was cut. */
  truncated: boolean;
}

const DEFAULT_TIMEOUT_SECONDS = 30;
const MAX_TIMEOUT_SECONDS = 3600;

function validateExec(input: ExecInput): {
  command: string[];
  env: string[];
  workingDir?: string;
  timeoutSeconds: number;
} {
  const { command } = input;
  if (command.length === 0 || command[0] === '')
    throw new InvalidInputError('command', 'must name a program to run');
  command.forEach((arg, i) => {
    if (arg.includes('\0')) throw new InvalidInputError(`command.${i}`, 'must not contain NUL');
  });
  const env = (input.env ?? []).map(({ name, value }, i) => {
    if (!name || name.includes('=') || name.includes('\0')) {
      throw new InvalidInputError(`env.${i}.name`, 'must be non-empty, without "=" or NUL');
    }
    if (value.includes('\0')) throw new InvalidInputError(`env.${i}.value`, 'must not contain NUL');
    return `${name}=${value}`;
  });
  const { workingDir } = input;
  if (workingDir != null && (!workingDir.startsWith('/') || workingDir.includes('\0'))) {
    throw new InvalidInputError('workingDir', 'must be an absolute path');
  }
  const timeoutSeconds = input.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0 || timeoutSeconds > MAX_TIMEOUT_SECONDS) {
    throw new InvalidInputError('timeoutSeconds', `must be more than 0 and at most ${MAX_TIMEOUT_SECONDS}`);
  }
  return { command, env, ...(workingDir != null && { workingDir }), timeoutSeconds };
}

/** Runs one-off commands in running containers, with an output cap and a timeout. */
export class ExecService {
  constructor(
    private readonly engine: ExecEngine,
    private readonly options: {
      maxOutputBytes: number;
      /** True when berth shares the engine's host, so it can kill a command that overran. */
      canSignalHostProcesses: boolean;
      log: Logger;
    },
  ) {}

  async run(container: Container, input: ExecInput): Promise<ExecResult> {
    const request = validateExec(input);
    if (container.status !== 'RUNNING') {
      throw new InvalidStateError(
        `container "${container.name}" is ${container.status.toLowerCase()}, not running`,
      );
    }
    const outcome = await this.engine.exec(container.id, {
      command: request.command,
      env: request.env,
      ...(request.workingDir && { workingDir: request.workingDir }),
      timeoutMs: request.timeoutSeconds * 1000,
      maxOutputBytes: this.options.maxOutputBytes,
    });
    if (outcome.exitCode === null) {
      throw new ExecTimeoutError(request.timeoutSeconds, this.#kill(outcome.pid));
    }
    return {
      exitCode: outcome.exitCode,
      stdout: outcome.stdout,
      stderr: outcome.stderr,
      truncated: outcome.truncated,
    };
  }

  /**
   * The engine has no call to stop an exec; on its own host the command's processes can be
   * signalled, children included.
   */
  #kill(pid: number | null): boolean {
    if (pid === null || !this.options.canSignalHostProcesses) return false;
    let killed = false;
    for (const target of processTree(pid)) {
      try {
        process.kill(target, 'SIGKILL');
        killed = true;
      } catch (error) {
        this.options.log.warn(`could not kill exec process ${target}: ${(error as Error).message}`);
      }
    }
    return killed;
  }
}

import type { Duplex } from 'node:stream';
import type Docker from 'dockerode';
import type { ExecOutcome, ExecRequest } from '../domain/exec/ports.js';
import type { TerminalEngine, TerminalProcess, TerminalRequest } from '../domain/terminal/ports.js';
import { onStatus, type EngineCalls } from './calls.js';
import { runExec } from './exec.js';

/** Tries of the first resize: an engine before API 1.42 ignores ConsoleSize, and may not have the process yet. */
const FIRST_RESIZE_TRIES = 5;

/**
 * Terminal sessions on the engine: an exec with a TTY and stdin, started hijacked, so one raw
 * socket carries the keystrokes in and the terminal's output out (a TTY has no stdout/stderr
 * framing).
 */
export class DockerTerminals implements TerminalEngine {
  constructor(private readonly calls: EngineCalls) {}

  async pathExists(containerId: string, path: string): Promise<boolean> {
    // HEAD /containers/{id}/archive: the path's stat, nothing run in the container. Its 404 has no
    // body, so a missing path and a missing container look alike: the caller tells them apart.
    return this.calls.run(
      'archive.stat',
      containerId,
      async (docker) => {
        const response = (await docker
          .getContainer(containerId)
          .infoArchive({ path })) as NodeJS.ReadableStream;
        response.resume();
        return true;
      },
      { answer: onStatus(404, false) },
    );
  }

  async isRunning(containerId: string): Promise<boolean> {
    const info = await this.calls.run(
      'inspect',
      containerId,
      (docker) => docker.getContainer(containerId).inspect(),
      { answer: onStatus(404, undefined) },
    );
    return info?.State.Running === true;
  }

  exec(containerId: string, request: ExecRequest): Promise<ExecOutcome> {
    return runExec(this.calls, containerId, request);
  }

  async start(containerId: string, request: TerminalRequest): Promise<TerminalProcess> {
    const consoleSize = [request.rows, request.cols];
    const exec: Docker.Exec = await this.calls.run('exec.create', containerId, (docker) =>
      docker.getContainer(containerId).exec({
        Cmd: request.command,
        Env: request.env,
        AttachStdin: true,
        AttachStdout: true,
        AttachStderr: true,
        Tty: true,
        ...(request.user && { User: request.user }),
        ...(request.workingDir && { WorkingDir: request.workingDir }),
        // API 1.42 and later start the terminal at this size; older engines ignore it.
        ...({ ConsoleSize: consoleSize } as object),
      }),
    );
    const stream = (await this.calls.run('exec.start', containerId, () =>
      exec.start({ hijack: true, stdin: true, Tty: true, ...({ ConsoleSize: consoleSize } as object) }),
    )) as Duplex;
    const resize = (cols: number, rows: number) =>
      this.calls.run('exec.resize', containerId, () => exec.resize({ h: rows, w: cols }));
    // As the Docker CLI does: the process may not be running yet when the stream opens.
    for (let attempt = 1; attempt <= FIRST_RESIZE_TRIES; attempt += 1) {
      try {
        await resize(request.cols, request.rows);
        break;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, attempt * 20));
      }
    }
    return {
      stream,
      resize: (cols, rows) => resize(cols, rows).then(() => undefined),
      state: async () => {
        const info = await this.calls.run('exec.inspect', containerId, () => exec.inspect());
        return { running: info.Running, exitCode: info.Running ? null : (info.ExitCode ?? null) };
      },
    };
  }
}

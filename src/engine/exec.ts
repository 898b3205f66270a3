import type Docker from 'dockerode';
import type { ExecOutcome, ExecRequest } from '../domain/exec/ports.js';
import { toDomainError } from './errors.js';

/** Keeps the first `limit` bytes written to it and counts the rest. */
class CappedBuffer {
  readonly #parts: Buffer[] = [];
  #kept = 0;
  overflowed = false;

  constructor(private readonly limit: number) {}

  write(chunk: Buffer): void {
    const room = this.limit - this.#kept;
    if (chunk.length > room) this.overflowed = true;
    if (room <= 0) return;
    const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.#parts.push(kept);
    this.#kept += kept.length;
  }

  text(): string {
    // A cut in the middle of a multi-byte character shows as U+FFFD rather than failing.
    return Buffer.concat(this.#parts).toString('utf8');
  }
}

/** Runs a command in a running container without a TTY, collecting its output and exit code. */
export async function runExec(docker: Docker, id: string, request: ExecRequest): Promise<ExecOutcome> {
  const container = docker.getContainer(id);
  let exec: Docker.Exec;
  let stream: NodeJS.ReadableStream;
  try {
    exec = await container.exec({
      Cmd: request.command,
      Env: request.env,
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
      ...(request.workingDir && { WorkingDir: request.workingDir }),
    });
    stream = (await exec.start({ hijack: true, stdin: false })) as NodeJS.ReadableStream;
  } catch (error) {
    throw toDomainError(error, 'exec', id);
  }

  const stdout = new CappedBuffer(request.maxOutputBytes);
  const stderr = new CappedBuffer(request.maxOutputBytes);
  docker.modem.demuxStream(
    stream,
    { write: (chunk: Buffer) => stdout.write(chunk) } as never,
    {
      write: (chunk: Buffer) => stderr.write(chunk),
    } as never,
  );

  let timer: NodeJS.Timeout | undefined;
  const finished = await Promise.race([
    new Promise<boolean>((resolve) => {
      stream.once('end', () => resolve(true));
      stream.once('close', () => resolve(true));
      stream.once('error', () => resolve(true));
    }),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), request.timeoutMs);
    }),
  ]);
  clearTimeout(timer);

  let exitCode: number | null = null;
  let pid: number | null = null;
  try {
    const info = await exec.inspect();
    pid = info.Pid > 0 ? info.Pid : null;
    if (finished && !info.Running) exitCode = info.ExitCode ?? null;
  } catch (error) {
    throw toDomainError(error, 'exec', id);
  }
  if (!finished) (stream as unknown as { destroy(): void }).destroy();
  return {
    exitCode,
    stdout: stdout.text(),
    stderr: stderr.text(),
    truncated: stdout.overflowed || stderr.overflowed,
    pid,
  };
}

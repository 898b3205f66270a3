import type Docker from 'dockerode';
import type { ExecOutcome, ExecRequest } from '../domain/exec/ports.js';
import type { EngineCalls } from './calls.js';

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
export async function runExec(calls: EngineCalls, id: string, request: ExecRequest): Promise<ExecOutcome> {
  const exec: Docker.Exec = await calls.run('exec.create', id, (docker) =>
    docker.getContainer(id).exec({
      Cmd: request.command,
      Env: request.env,
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
      ...(request.workingDir && { WorkingDir: request.workingDir }),
      ...(request.user && { User: request.user }),
    }),
  );
  // Timed until the output stream is open; the command then runs as long as it runs.
  const stream = (await calls.run('exec.start', id, () =>
    exec.start({ hijack: true, stdin: false }),
  )) as NodeJS.ReadableStream;

  const stdout = new CappedBuffer(request.maxOutputBytes);
  const stderr = new CappedBuffer(request.maxOutputBytes);
  calls.demux(
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

  const info = await calls.run('exec.inspect', id, () => exec.inspect());
  const pid = info.Pid > 0 ? info.Pid : null;
  const exitCode = finished && !info.Running ? (info.ExitCode ?? null) : null;
  if (!finished) (stream as unknown as { destroy(): void }).destroy();
  return {
    exitCode,
    stdout: stdout.text(),
    stderr: stderr.text(),
    truncated: stdout.overflowed || stderr.overflowed,
    pid,
  };
}

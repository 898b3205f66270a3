import { WebSocket } from 'ws';
import { waitFor } from './wait.js';

/** What the open message may carry besides the token (docs/terminal.md). */
export interface TerminalOpen {
  container: string;
  environment?: string;
  shell?: string;
  user?: string;
  workingDir?: string;
  cols?: number;
  rows?: number;
}

/**
 * A terminal session as a program (or the dashboard) drives it: the WebSocket at `/terminal`, the
 * open message with the token, keystrokes as binary frames, everything the terminal printed kept
 * as text, and how the socket closed.
 */
export class TerminalClient {
  readonly socket: WebSocket;
  /** Everything the terminal printed so far, decoded. */
  output = '';
  /** The server's `opened` message, once the shell runs. */
  readonly opened: Promise<{ type: 'opened'; session: string; shell: string }>;
  readonly closed: Promise<{ code: number; reason: string }>;

  constructor(baseUrl: string, token: string | undefined, open: TerminalOpen) {
    const url = new URL(`${baseUrl}/terminal`);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    this.socket = new WebSocket(url);
    let resolveOpened: (message: { type: 'opened'; session: string; shell: string }) => void;
    this.opened = new Promise((resolve) => (resolveOpened = resolve));
    this.closed = new Promise((resolve) =>
      this.socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    this.socket.on('error', () => undefined);
    this.socket.once('open', () =>
      this.socket.send(
        JSON.stringify({
          type: 'open',
          ...(token !== undefined && { authorization: `Bearer ${token}` }),
          ...open,
        }),
      ),
    );
    const decoder = new TextDecoder();
    this.socket.on('message', (data: Buffer, isBinary) => {
      if (isBinary) this.output += decoder.decode(data, { stream: true });
      else resolveOpened(JSON.parse(data.toString()) as never);
    });
  }

  /** Sends keystrokes, as a person types them (`\r` is Enter, `\x03` Ctrl-C). */
  type(text: string): void {
    this.socket.send(Buffer.from(text), { binary: true });
  }

  resize(cols: number, rows: number): void {
    this.socket.send(JSON.stringify({ type: 'resize', cols, rows }));
  }

  /** Waits until the output since `from` (an index into `output`) matches; returns the match. */
  async waitForOutput(pattern: RegExp, from = 0, timeoutMs = 20_000): Promise<RegExpExecArray> {
    return waitFor(async () => {
      const match = pattern.exec(this.output.slice(from));
      if (!match)
        throw new Error(`no ${pattern} in the output yet: ${JSON.stringify(this.output.slice(from))}`);
      return match;
    }, timeoutMs);
  }

  close(): void {
    this.socket.close(1000);
  }
}

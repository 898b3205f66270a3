import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { BerthApi } from '../api.js';

/*
 * The container's terminal: xterm.js on berth's `/terminal` WebSocket (docs/terminal.md). Loaded
 * only when its tab is opened (container-detail.tsx imports it dynamically): xterm.js is larger
 * than the rest of the dashboard, and most visits never open a shell.
 */

type Status =
  | { state: 'connecting' }
  | { state: 'open'; shell: string }
  /** The shell exited: the session is over, a new one can be started. */
  | { state: 'ended'; message: string }
  /** The connection dropped, or berth refused or ended the session. */
  | { state: 'dropped'; message: string };

/** What a close code means for the person at the keyboard (docs/terminal.md#close-codes). */
export function describeClose(code: number, reason: string): Status {
  if (code >= 4000 && code <= 4255) {
    return { state: 'ended', message: `The shell exited with code ${code - 4000}.` };
  }
  if (code === 1006 || code === 1001 || reason === '') {
    return { state: 'dropped', message: `The connection dropped${reason ? `: ${reason}` : ''}.` };
  }
  return { state: 'dropped', message: `The session ended: ${reason}` };
}

export function TerminalPane(props: { api: BerthApi; containerId: string; environment: string }) {
  const { api, containerId, environment } = props;
  const host = useRef<HTMLDivElement>(null);
  const [status, setStatus] = useState<Status>({ state: 'connecting' });
  /** Bumped by Reconnect: a new session in a new terminal. */
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const element = host.current!;
    const terminal = new Terminal({
      cursorBlink: true,
      fontSize: 13,
      fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
      scrollback: 5000,
      theme: { background: '#0b1020', foreground: '#e5e7eb' },
    });
    const fit = new FitAddon();
    terminal.loadAddon(fit);
    terminal.open(element);
    fit.fit();
    setStatus({ state: 'connecting' });

    const socket = api.openTerminal({
      container: containerId,
      environment,
      cols: terminal.cols,
      rows: terminal.rows,
    });
    const encoder = new TextEncoder();
    const send = (data: Uint8Array | string) => {
      if (socket.readyState === WebSocket.OPEN) socket.send(data);
    };
    const typed = terminal.onData((data) => send(encoder.encode(data)));
    // Some mouse reports are bytes, not text.
    const typedBytes = terminal.onBinary((data) =>
      send(Uint8Array.from(data, (c) => c.charCodeAt(0) & 0xff)),
    );
    const resized = terminal.onResize(({ cols, rows }) =>
      send(JSON.stringify({ type: 'resize', cols, rows })),
    );

    socket.addEventListener('message', (event: MessageEvent<ArrayBuffer | string>) => {
      if (typeof event.data !== 'string') {
        terminal.write(new Uint8Array(event.data));
        return;
      }
      const message = JSON.parse(event.data) as { type?: string; shell?: string };
      if (message.type === 'opened') {
        setStatus({ state: 'open', shell: message.shell ?? 'a shell' });
        terminal.focus();
      }
    });
    let disposed = false;
    socket.addEventListener('close', (event) => {
      if (disposed) return;
      const next = describeClose(event.code, event.reason);
      setStatus(next);
      if (next.state !== 'connecting' && next.state !== 'open') {
        terminal.write(`\r\n\x1b[33m[${next.message}]\x1b[0m\r\n`);
      }
    });

    // Copy and paste: Ctrl+Shift+C copies the selection (plain Ctrl+C is the shell's interrupt);
    // Ctrl+Shift+V is left to the browser, whose paste xterm.js types in (as Ctrl+V, the menu's).
    terminal.attachCustomKeyEventHandler((event) => {
      if (event.type !== 'keydown' || !event.ctrlKey || !event.shiftKey) return true;
      if (event.code === 'KeyC') {
        const selection = terminal.getSelection();
        if (selection) void navigator.clipboard?.writeText(selection).catch(() => undefined);
        return false;
      }
      return event.code !== 'KeyV';
    });

    // Fit to the pane whenever it changes size (the window, the layout); the resize goes to berth.
    const observer = new ResizeObserver(() => {
      if (element.clientWidth > 0 && element.clientHeight > 0) fit.fit();
    });
    observer.observe(element);

    return () => {
      disposed = true;
      observer.disconnect();
      typed.dispose();
      typedBytes.dispose();
      resized.dispose();
      socket.close(1000);
      terminal.dispose();
    };
  }, [api, containerId, environment, attempt]);

  return (
    <section class="terminal" aria-label="Terminal" data-terminal={status.state}>
      <h3>
        Terminal{' '}
        <small class={status.state === 'dropped' ? 'error' : undefined}>
          {status.state === 'connecting'
            ? 'connecting…'
            : status.state === 'open'
              ? `${status.shell} · Ctrl+Shift+C copies, Ctrl+Shift+V pastes`
              : status.message}
        </small>{' '}
        {(status.state === 'dropped' || status.state === 'ended') && (
          <button type="button" onClick={() => setAttempt((n) => n + 1)}>
            {status.state === 'dropped' ? 'Reconnect' : 'New session'}
          </button>
        )}
      </h3>
      <div class="terminal-view" ref={host} />
    </section>
  );
}

import { useEffect, useRef, useState } from 'preact/hooks';
import type { BerthApi } from '../api.js';
import { time } from '../format.js';
import { CONTAINER_LOGS, type LogLine } from '../operations.js';

const LINES_KEPT = 2000;
const TAIL = 200;

/**
 * Follows one container's output (`containerLogs`, over the shared WebSocket). Lines are appended
 * to the DOM directly, once per animation frame however many arrived, and the oldest dropped past
 * LINES_KEPT; the view sticks to the bottom unless the reader scrolled up.
 * `restartedAt` changes when the container starts again: following resumes from then.
 */
export function LogsPane(props: {
  api: BerthApi;
  containerId: string;
  environment: string;
  restartedAt: string | null;
}) {
  const { api, containerId, environment, restartedAt } = props;
  const view = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<'following' | 'ended' | string>('following');

  useEffect(() => {
    const element = view.current!;
    let pending: LogLine[] = [];
    let frame = 0;
    const flush = () => {
      frame = 0;
      const atBottom = element.scrollHeight - element.scrollTop - element.clientHeight < 24;
      const fragment = document.createDocumentFragment();
      for (const line of pending) {
        const row = document.createElement('div');
        row.className = `log-line ${line.stream.toLowerCase()}`;
        const at = document.createElement('time');
        at.textContent = time(line.at);
        row.append(at, line.text);
        fragment.append(row);
      }
      pending = [];
      element.append(fragment);
      while (element.childElementCount > LINES_KEPT) element.firstElementChild!.remove();
      if (atBottom) element.scrollTop = element.scrollHeight;
    };
    const enqueue = (line: LogLine) => {
      pending.push(line);
      if (pending.length > LINES_KEPT) pending.splice(0, pending.length - LINES_KEPT);
      frame ||= requestAnimationFrame(flush);
    };
    setState('following');
    if (restartedAt !== null) enqueue({ stream: 'SYSTEM', at: restartedAt, text: '— started again —' });
    const variables =
      restartedAt === null
        ? { id: containerId, environment, tail: TAIL }
        : { id: containerId, environment, since: restartedAt };
    const unsubscribe = api.subscribe(CONTAINER_LOGS, variables, {
      next: (data) => {
        setState('following');
        enqueue(data.containerLogs);
      },
      // The engine is away: said until it is back and lines come again.
      down: (error) => setState(error.toString()),
      error: (error) => setState(error.toString()),
      complete: () => setState('ended'),
    });
    return () => {
      unsubscribe();
      cancelAnimationFrame(frame);
    };
  }, [api, containerId, environment, restartedAt]);

  return (
    <section class="logs" aria-label="Logs">
      <h3>
        Logs{' '}
        <small class={state === 'following' || state === 'ended' ? undefined : 'error'}>
          {state === 'following' ? 'following' : state === 'ended' ? 'the container stopped' : state}
        </small>
      </h3>
      <div class="log-view" ref={view} role="log" aria-live="off" />
    </section>
  );
}

import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type BerthApi } from '../api.js';
import { dateTime, ports, shortId, time } from '../format.js';
import { useTopics } from '../hooks.js';
import { LIFECYCLE, STATS_HISTORY, type Container, type LifecycleAction } from '../operations.js';
import { CHART_SECONDS, type DashboardStore, type LiveSeries } from '../store.js';
import { HealthBadge, StatusBadge, UpdateBadge, updateText } from './badges.js';
import { LogsPane } from './logs-pane.js';
import { CPU_CHART, MEMORY_CHART, StatsChart } from './stats-chart.js';

type TerminalPaneComponent = typeof import('./terminal-pane.js').TerminalPane;

/** The selected container: its actions, live charts (history first) and logs. */
export function ContainerDetail(props: { api: BerthApi; store: DashboardStore }) {
  const { api, store } = props;
  useTopics(store, 'containers', 'selection');
  const container = store.selectedId ? store.containers.get(store.selectedId) : undefined;
  if (!container || !store.series) {
    return (
      <section class="card detail empty" aria-label="Container">
        <p>Select a container to see its CPU and memory, its logs and its actions.</p>
      </section>
    );
  }
  return <Detail key={container.id} api={api} store={store} container={container} series={store.series} />;
}

function Detail(props: { api: BerthApi; store: DashboardStore; container: Container; series: LiveSeries }) {
  const { api, store, container, series } = props;
  const [busy, setBusy] = useState<LifecycleAction | null>(null);
  const [confirmRemove, setConfirmRemove] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [history, setHistory] = useState(series.history);
  const [tab, setTab] = useState<'logs' | 'terminal'>('logs');
  const firstStartedAt = useRef(container.startedAt);

  useEffect(() => series.onChange(() => setHistory(series.history)), [series]);

  // Charts open with what berth kept, then continue with the live ticks that fill `series`.
  useEffect(() => {
    const to = new Date();
    const from = new Date(to.getTime() - CHART_SECONDS * 1000);
    api
      .request(STATS_HISTORY, {
        id: container.id,
        environment: container.environment,
        from: from.toISOString(),
        to: to.toISOString(),
        stepSeconds: 1,
      })
      .then(
        (result) => series.loadHistory(result.container?.statsHistory ?? []),
        (failure: unknown) =>
          // A berth without stats history (older, or its history store failing) still charts live.
          series.historyUnavailable(failure instanceof ApiError ? failure.message : String(failure)),
      );
  }, [api, series, container.id, container.environment]);

  const run = async (action: LifecycleAction) => {
    setBusy(action);
    setError(null);
    setConfirmRemove(false);
    try {
      const { result } = await api.request(LIFECYCLE[action], {
        id: container.id,
        environment: container.environment,
      });
      if (!('container' in result)) {
        const field = 'field' in result ? result.field : undefined;
        setError(new ApiError(result.code, result.message, field).toString());
      } else if (action === 'remove') store.remove(container.id);
      else store.upsert(result.container);
    } catch (failure) {
      setError(failure instanceof ApiError ? failure.toString() : String(failure));
    } finally {
      setBusy(null);
    }
  };

  const running = container.status === 'RUNNING' || container.status === 'RESTARTING';
  const restartedAt = container.startedAt !== firstStartedAt.current ? container.startedAt : null;
  return (
    <section class="card detail" aria-label="Container" data-id={container.id}>
      <header>
        <h2>
          {container.name} <StatusBadge status={container.status} /> <HealthBadge health={container.health} />{' '}
          <UpdateBadge update={container.imageUpdate} />
        </h2>
        <p class="meta">
          <span class="host" data-environment={container.environment}>
            on {container.environment}
          </span>{' '}
          · <code>{shortId(container.id)}</code> · {container.image}
          {container.command.length > 0 && (
            <>
              {' '}
              · <code>{container.command.join(' ')}</code>
            </>
          )}
          {container.startedAt && <> · started {time(container.startedAt)}</>}
          {container.exitCode !== null && !running && <> · exit code {container.exitCode}</>}
          {container.ports.length > 0 && <> · {ports(container.ports)}</>}
          {' · restart '}
          {container.restartPolicy.name.toLowerCase()}
        </p>
        <ImageUpdateNote update={container.imageUpdate} />
        <div class="actions">
          <button type="button" disabled={busy !== null || running} onClick={() => void run('start')}>
            {busy === 'start' ? 'Starting…' : 'Start'}
          </button>
          <button type="button" disabled={busy !== null || !running} onClick={() => void run('stop')}>
            {busy === 'stop' ? 'Stopping…' : 'Stop'}
          </button>
          <button type="button" disabled={busy !== null} onClick={() => void run('restart')}>
            {busy === 'restart' ? 'Restarting…' : 'Restart'}
          </button>
          {confirmRemove ? (
            <>
              <button
                type="button"
                class="danger"
                disabled={busy !== null}
                onClick={() => void run('remove')}
              >
                {running ? 'Kill and remove' : 'Really remove'}
              </button>
              <button type="button" onClick={() => setConfirmRemove(false)}>
                Keep
              </button>
            </>
          ) : (
            <button
              type="button"
              class="danger"
              disabled={busy !== null}
              onClick={() => setConfirmRemove(true)}
            >
              {busy === 'remove' ? 'Removing…' : 'Remove'}
            </button>
          )}
        </div>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
      </header>
      <div class="charts">
        <StatsChart series={series} spec={CPU_CHART} />
        <StatsChart series={series} spec={MEMORY_CHART} />
      </div>
      <p class="history-note" data-history={history.state}>
        {history.state === 'loading'
          ? 'Loading history…'
          : history.state === 'loaded'
            ? history.points > 0
              ? `${history.points} samples of history, then live`
              : 'No history yet: live from now'
            : `Live only: no history (${history.reason})`}
      </p>
      <div class="tabs" role="tablist" aria-label="Logs or terminal">
        <button type="button" role="tab" aria-selected={tab === 'logs'} onClick={() => setTab('logs')}>
          Logs
        </button>
        <button
          type="button"
          role="tab"
          aria-selected={tab === 'terminal'}
          onClick={() => setTab('terminal')}
        >
          Terminal
        </button>
      </div>
      {tab === 'logs' ? (
        <LogsPane
          api={api}
          containerId={container.id}
          environment={container.environment}
          restartedAt={restartedAt}
        />
      ) : (
        // Mounted whatever the container's state: berth says why a session cannot open or ended
        // (not running, stopped under it), and Reconnect tries again.
        <LazyTerminalPane api={api} containerId={container.id} environment={container.environment} />
      )}
    </section>
  );
}

/** The terminal pane, with xterm.js fetched the first time a terminal tab is opened. */
function LazyTerminalPane(props: { api: BerthApi; containerId: string; environment: string }) {
  const [Pane, setPane] = useState<TerminalPaneComponent | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  useEffect(() => {
    import('./terminal-pane.js').then(
      (module) => setPane(() => module.TerminalPane),
      (error: unknown) => setFailure(String(error)),
    );
  }, []);
  if (failure) return <p class="error">The terminal could not be loaded: {failure}</p>;
  return Pane ? <Pane {...props} /> : <p class="terminal-note">Loading the terminal…</p>;
}

/** What the last check found for the container's tag; nothing before any check. */
function ImageUpdateNote(props: { update: Container['imageUpdate'] }) {
  const { update } = props;
  if (!update) return null;
  const checked = `checked ${dateTime(update.checkedAt)}`;
  return (
    <p class={`update-note update-${update.status.toLowerCase()}`} data-update-note={update.status}>
      {update.status === 'AVAILABLE'
        ? `Update available: ${updateText(update)} (${checked}).`
        : update.status === 'UP_TO_DATE'
          ? `Image up to date with ${update.reference} (${checked}).`
          : `Update status unknown for ${update.reference}${update.error ? `: ${update.error}` : ''} (${checked}).`}
    </p>
  );
}

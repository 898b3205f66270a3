import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { useEffect, useMemo } from 'preact/hooks';
import { BerthApi } from '../api.js';
import { useTopics } from '../hooks.js';
import { applyImageUpdates, reloadContainers } from '../container-list.js';
import { CONTAINER_EVENTS, IMAGE_UPDATES, STATS_BATCHES, type StatsSample } from '../operations.js';
import { href, useRoute, type Route } from '../router.js';
import { DashboardStore, type ConnectionState } from '../store.js';
import { ContainerDetail } from './container-detail.js';
import { ContainerTable } from './container-table.js';
import { CreateForm } from './create-form.js';
import { EventsFeed } from './events-feed.js';
import { RegistriesPage } from './registries-page.js';
import { StacksPage } from './stacks-page.js';

/** Marked around each stats tick (see onTick); the benchmark reads the measures. */
export const TICK_MEASURE = 'berth:tick';

/**
 * The dashboard once a token is known: one BerthApi (one WebSocket) and one store for its
 * lifetime; the list is read once and then kept current by containerEvents, the figures by
 * one containersStats subscription.
 */
export function Dashboard(props: {
  token: string;
  onTokenRefused: (reason: string) => void;
  onSignOut: () => void;
}) {
  const { token, onTokenRefused } = props;
  const { api, store } = useMemo(() => {
    const store = new DashboardStore();
    const api: BerthApi = new BerthApi({
      token,
      onTokenRefused,
      onConnection: (state) => store.setConnection(state),
      // Events sent while the connection was down are lost to us: read the list again.
      onReconnected: () => void reloadContainers(api, store),
    });
    return { api, store };
  }, [token]);

  useEffect(() => {
    const stops = [
      keepSubscribed(api, CONTAINER_EVENTS, (data) => store.applyEvent(data.containerEvents), {
        // What happened while the stream was down is in the list, not in the feed.
        onRestart: () => void reloadContainers(api, store),
      }),
      keepSubscribed(api, STATS_BATCHES, (data) => onTick(store, data.containersStats.samples)),
      // Badges follow the scheduled checks and anyone's checkImageUpdates.
      keepSubscribed(api, IMAGE_UPDATES, (data) => applyImageUpdates(api, store, [data.imageUpdates])),
    ];
    void reloadContainers(api, store);
    return () => {
      stops.forEach((stop) => stop());
      api.dispose();
    };
  }, [api, store]);

  const route = useRoute();
  return (
    <div class="dashboard">
      <TopBar store={store} route={route} onSignOut={props.onSignOut} />
      {route.page === 'stacks' ? (
        <StacksPage api={api} store={store} stack={route.stack} />
      ) : route.page === 'registries' ? (
        <RegistriesPage api={api} />
      ) : (
        <div class="columns">
          <div class="column">
            <CreateForm api={api} store={store} />
            <ContainerTable api={api} store={store} />
          </div>
          <div class="column">
            <ContainerDetail api={api} store={store} />
            <EventsFeed store={store} />
          </div>
        </div>
      )}
    </div>
  );
}

/**
 * A subscription that berth ended with an error (an events reader too slow, the engine away)
 * is opened again after a second. Connection losses are graphql-ws's to retry, not ours.
 */
function keepSubscribed<T>(
  api: BerthApi,
  document: TypedDocumentNode<T, Record<string, never>>,
  next: (data: T) => void,
  options: { onRestart?: () => void } = {},
): () => void {
  let unsubscribe = () => {};
  let timer = 0;
  let stopped = false;
  const open = () => {
    unsubscribe = api.subscribe(
      document,
      {},
      {
        next,
        error: () => {
          if (stopped) return;
          timer = window.setTimeout(() => {
            options.onRestart?.();
            open();
          }, 1000);
        },
      },
    );
  };
  open();
  return () => {
    stopped = true;
    window.clearTimeout(timer);
    unsubscribe();
  };
}

/**
 * One stats tick. The store updates the rows' text and the selected chart; Preact renders the
 * rows that changed in a microtask queued by the store's listeners, before ours, so the measure
 * spans the data, the DOM updates and the chart drawing: the page's whole work for a tick.
 */
function onTick(store: DashboardStore, samples: readonly StatsSample[]): void {
  const start = `${TICK_MEASURE}:start`;
  performance.mark(start);
  store.applyBatch(samples);
  queueMicrotask(() => {
    performance.measure(TICK_MEASURE, start);
    // Observers still get the entries; the timeline buffer must not grow for as long as the tab is open.
    performance.clearMarks(start);
    performance.clearMeasures(TICK_MEASURE);
  });
}

const CONNECTION_LABELS: Record<ConnectionState, string> = {
  live: 'live',
  connecting: 'connecting…',
  reconnecting: 'reconnecting…',
  // berth closed with 1013: a rate passed. The retry waits (with back-off) rather than hammering.
  waiting: 'waiting: berth asked to retry later',
};

function TopBar(props: { store: DashboardStore; route: Route; onSignOut: () => void }) {
  useTopics(props.store, 'connection');
  const state = props.store.connection;
  const page = props.route.page;
  return (
    <header class="topbar">
      <h1>berth</h1>
      <nav aria-label="Pages">
        <a href={href({ page: 'containers' })} aria-current={page === 'containers' ? 'page' : undefined}>
          Containers
        </a>
        <a href={href({ page: 'stacks', stack: null })} aria-current={page === 'stacks' ? 'page' : undefined}>
          Stacks
        </a>
        <a href={href({ page: 'registries' })} aria-current={page === 'registries' ? 'page' : undefined}>
          Registries
        </a>
      </nav>
      <span class={`connection connection-${state}`} data-connection={state}>
        {CONNECTION_LABELS[state]}
      </span>
      {/* In this tab, not a new one: GraphiQL's page reads the token from this tab's sessionStorage
          (berth.token) into its headers, and a new tab would start without it. Never in the URL.
          Relative, so that under BERTH_BASE_PATH it is /<prefix>/graphql. */}
      <a class="graphiql" href="graphql">
        GraphiQL
      </a>
      <button type="button" class="link" onClick={props.onSignOut}>
        Sign out
      </button>
    </header>
  );
}

import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { useEffect, useMemo } from 'preact/hooks';
import { BerthApi } from '../api.js';
import { useTopics } from '../hooks.js';
import { applyImageUpdates, reloadContainers, scopeVariables } from '../container-list.js';
import {
  CONTAINER_EVENTS,
  ENVIRONMENT_CHANGES,
  ENVIRONMENTS,
  IMAGE_UPDATES,
  STATS_BATCHES,
  type Environment,
  type StatsSample,
} from '../operations.js';
import { ALL_HOSTS, href, navigate, useRoute, type Route } from '../router.js';
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
  const { api, store, reconnected } = useMemo(() => {
    const store = new DashboardStore();
    /** What else reads again after a reconnection (the environments' states). */
    const reconnected = new Set<() => void>();
    const api: BerthApi = new BerthApi({
      token,
      onTokenRefused,
      onConnection: (state) => store.setConnection(state),
      // Events and changes sent while the connection was down are lost to us: read again.
      onReconnected: () => {
        void reloadContainers(api, store);
        reconnected.forEach((reread) => reread());
      },
    });
    return { api, store, reconnected };
  }, [token]);

  const route = useRoute();
  // The stacks and registries pages are berth's own: the list keeps the environment it showed last.
  const scope = route.page === 'containers' ? route.environment : store.scope;

  useEffect(() => {
    store.setScope(scope);
    const variables = scopeVariables(scope);
    // One read at a time for the ticks below: an engine the list still misses is asked once a read.
    let reading = false;
    const readBack = () => {
      if (reading) return;
      reading = true;
      void reloadContainers(api, store).finally(() => (reading = false));
    };
    const stops = [
      keepSubscribed(api, CONTAINER_EVENTS, variables, (data) => store.applyEvent(data.containerEvents), {
        // What happened while the stream was down is in the list, not in the feed.
        onRestart: () => void reloadContainers(api, store),
      }),
      keepSubscribed(api, STATS_BATCHES, variables, (data) => {
        const { samples, leftOut } = data.containersStats;
        onTick(store, samples, leftOut);
        // An environment the list had to leave out is sampled again: its containers are back.
        if (store.listLeftOut.some((name) => !leftOut.includes(name))) readBack();
      }),
    ];
    void reloadContainers(api, store);
    return () => stops.forEach((stop) => stop());
  }, [api, store, scope]);

  // Declared last, so that on unmount the streams above are closed before the client is.
  useEffect(() => {
    const environments = keepEnvironmentsFresh(api, store);
    reconnected.add(environments.reread);
    const stops = [
      // Badges follow the scheduled checks and anyone's checkImageUpdates.
      keepSubscribed(api, IMAGE_UPDATES, {}, (data) => applyImageUpdates(api, store, [data.imageUpdates])),
      environments.stop,
      () => reconnected.delete(environments.reread),
    ];
    return () => {
      stops.forEach((stop) => stop());
      api.dispose();
    };
  }, [api, store, reconnected]);

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
            <HostsNotice store={store} />
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
 * A subscription that berth ended with an error (an events reader too slow, the engine away as
 * it was asked) is opened again after a second. One that says its engine stopped answering goes
 * on by itself once the engine is back, unless it ends right after saying so (it could not start).
 * Connection losses are graphql-ws's to retry, not ours.
 */
function keepSubscribed<T, V extends Record<string, unknown>>(
  api: BerthApi,
  document: TypedDocumentNode<T, V>,
  variables: V,
  next: (data: T) => void,
  options: { onRestart?: () => void } = {},
): () => void {
  let unsubscribe = () => {};
  let timer = 0;
  let stopped = false;
  const open = () => {
    let down = false;
    const again = () => {
      if (stopped) return;
      timer = window.setTimeout(() => {
        options.onRestart?.();
        open();
      }, 1000);
    };
    unsubscribe = api.subscribe(document, variables, {
      next: (data) => {
        down = false;
        next(data);
      },
      down: () => (down = true),
      error: again,
      complete: () => {
        if (down) again();
      },
    });
  };
  open();
  return () => {
    stopped = true;
    window.clearTimeout(timer);
    unsubscribe();
  };
}

/** How soon the list is read again, and the stream opened again, after environmentChanged failed. */
const ENVIRONMENTS_RETRY_MS = 5000;

/**
 * The switcher's states: read once, then kept current by environmentChanged. Should the stream
 * fail (berth ended it, the token lost access), the list is read again and the stream reopened
 * every 5 s until it holds: the poll is only the fallback. `reread` is for when changes may have
 * been missed (the WebSocket reconnected).
 */
function keepEnvironmentsFresh(
  api: BerthApi,
  store: DashboardStore,
): { stop: () => void; reread: () => void } {
  let stopped = false;
  let timer = 0;
  let unsubscribe = () => {};
  const read = async () => {
    try {
      const { environments } = await api.request(ENVIRONMENTS);
      if (!stopped) store.setEnvironments(environments);
    } catch {
      // The header shows the connection state; the stream's changes (or the next read) catch up.
    }
  };
  const open = () => {
    // Subscribed before the read, so that no change falls between the two.
    unsubscribe = api.subscribe(
      ENVIRONMENT_CHANGES,
      {},
      {
        next: (data) => store.applyEnvironmentChange(data.environmentChanged),
        error: () => {
          if (stopped) return;
          timer = window.setTimeout(open, ENVIRONMENTS_RETRY_MS);
        },
      },
    );
    void read();
  };
  open();
  return {
    stop: () => {
      stopped = true;
      window.clearTimeout(timer);
      unsubscribe();
    },
    reread: () => void read(),
  };
}

/**
 * One stats tick. The store updates the rows' text and the selected chart; Preact renders the
 * rows that changed in a microtask queued by the store's listeners, before ours, so the measure
 * spans the data, the DOM updates and the chart drawing: the page's whole work for a tick.
 */
function onTick(store: DashboardStore, samples: readonly StatsSample[], leftOut: readonly string[]): void {
  const start = `${TICK_MEASURE}:start`;
  performance.mark(start);
  store.applyBatch(samples, leftOut);
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

/** The environments as the switcher lists them: each with its state unless it answers. */
function environmentLabel(environment: Environment): string {
  return environment.status === 'UP' ? environment.name : `${environment.name} (${environment.status})`;
}

/**
 * Which environment the container list, its figures and actions are about, or all of them at
 * once. Kept in the URL's fragment (`#/env/edge`, `#/all`), like the pages.
 */
function EnvironmentSwitcher(props: { store: DashboardStore }) {
  const { store } = props;
  useTopics(store, 'hosts');
  const known = store.environments;
  // The one in the URL, even before berth listed it (or if it does not know it).
  const shown =
    store.scope === ALL_HOSTS || known.some((environment) => environment.name === store.scope)
      ? known
      : [{ name: store.scope, status: 'CONNECTING' as const, downSince: null, lastError: null }, ...known];
  return (
    <label class="environment-switcher">
      <span>Host</span>
      <select
        aria-label="Environment"
        value={store.scope}
        onChange={(event) => navigate({ page: 'containers', environment: event.currentTarget.value })}
      >
        <option value={ALL_HOSTS}>All hosts</option>
        {shown.map((environment) => (
          <option
            key={environment.name}
            value={environment.name}
            data-status={environment.status}
            title={environment.lastError ?? undefined}
          >
            {environmentLabel(environment)}
          </option>
        ))}
      </select>
    </label>
  );
}

/** Says which environments' containers the page lacks now, and why when berth said. */
function HostsNotice(props: { store: DashboardStore }) {
  const { store } = props;
  useTopics(store, 'hosts');
  const down = store.environments.filter(
    (environment) =>
      environment.status === 'DOWN' && (store.scope === ALL_HOSTS || store.scope === environment.name),
  );
  const names = [...new Set([...store.leftOut, ...down.map((environment) => environment.name)])].sort();
  if (names.length === 0) return null;
  const describe = (name: string) => {
    const environment = store.environments.find((candidate) => candidate.name === name);
    return environment?.status === 'DOWN' ? `${name} (down)` : name;
  };
  return (
    <p class="notice hosts-notice" role="status" data-left-out={names.join(' ')}>
      {`Left out, its engine does not answer: ${names.map(describe).join(', ')}.`}
    </p>
  );
}

function TopBar(props: { store: DashboardStore; route: Route; onSignOut: () => void }) {
  useTopics(props.store, 'connection', 'hosts');
  const state = props.store.connection;
  const page = props.route.page;
  return (
    <header class="topbar">
      <h1>berth</h1>
      <nav aria-label="Pages">
        <a
          href={href({ page: 'containers', environment: props.store.scope })}
          aria-current={page === 'containers' ? 'page' : undefined}
        >
          Containers
        </a>
        <a href={href({ page: 'stacks', stack: null })} aria-current={page === 'stacks' ? 'page' : undefined}>
          Stacks
        </a>
        <a href={href({ page: 'registries' })} aria-current={page === 'registries' ? 'page' : undefined}>
          Registries
        </a>
      </nav>
      <EnvironmentSwitcher store={props.store} />
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

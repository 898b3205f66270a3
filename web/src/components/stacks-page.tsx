import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { BerthApi } from '../api.js';
import { shortId, time } from '../format.js';
import { useTopics } from '../hooks.js';
import {
  REMOVE_STACK,
  SCALE_STACK_SERVICE,
  STACK,
  STACK_HISTORY,
  STACKS,
  START_STACK,
  STOP_STACK,
  type Stack,
  type StackHistoryEntry,
  type StackProgress,
  type StackService,
  type StackSummary,
} from '../operations.js';
import { ALL_HOSTS, LOCAL, href, navigate } from '../router.js';
import { runFollowed } from '../stack-follow.js';
import type { DashboardStore } from '../store.js';
import { HealthBadge, StatusBadge, UpdateBadge } from './badges.js';
import { ProgressLog, StackStatusBadge, failureText, payloadError } from './stack-common.js';
import { StackEditor } from './stack-editor.js';
import { GitDeployForm, GitSourceCard } from './stack-git.js';
import { CheckUpdatesButton } from './update-check.js';

/** Container events come in bursts during a deploy: the stacks are read again once it settles. */
const REFRESH_MS = 400;

/**
 * Calls `reload` whenever the container list changes (containerEvents keeps it current, so a
 * stack's replicas starting, stopping or turning healthy show without polling), at most once per
 * burst.
 */
function useReloadOnContainerChanges(store: DashboardStore, reload: () => void): void {
  const latest = useRef(reload);
  latest.current = reload;
  useEffect(() => {
    let timer = 0;
    const off = store.on('containers', () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(() => latest.current(), REFRESH_MS);
    });
    return () => {
      off();
      window.clearTimeout(timer);
    };
  }, [store]);
}

/** The Stacks page: every stack on the left; a stack's view, or a new stack's editor, on the right. */
export function StacksPage(props: { api: BerthApi; store: DashboardStore; stack: string | null }) {
  const { api, store } = props;
  const [stacks, setStacks] = useState<readonly StackSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);

  const sequence = useRef(0);
  const reload = useCallback(() => {
    // Reads overlap during a burst of events: only the newest answer is shown.
    const asked = ++sequence.current;
    api.request(STACKS).then(
      (result) => {
        if (asked !== sequence.current) return;
        setStacks(result.stacks);
        setError(null);
      },
      (failure: unknown) => {
        if (asked === sequence.current) setError(failureText(failure, store));
      },
    );
  }, [api, store]);
  useEffect(reload, [reload]);
  useReloadOnContainerChanges(store, reload);

  /** After a change made here: the list, and the open stack, are read again at once. */
  const changed = useCallback(() => {
    reload();
    setVersion((current) => current + 1);
  }, [reload]);

  return (
    <div class="columns stacks-page">
      <div class="column">
        <StackList stacks={stacks} selected={props.stack} error={error} />
      </div>
      <div class="column">
        {props.stack === null ? (
          <>
            <StackEditor
              key="new"
              api={api}
              store={store}
              stack={null}
              initialCompose=""
              initialEnv=""
              onDeployed={changed}
            />
            <GitDeployForm api={api} store={store} onDeployed={changed} />
          </>
        ) : (
          <StackView
            key={props.stack}
            api={api}
            store={store}
            name={props.stack}
            version={version}
            onChanged={changed}
          />
        )}
      </div>
    </div>
  );
}

function StackList(props: {
  stacks: readonly StackSummary[] | null;
  selected: string | null;
  error: string | null;
}) {
  const { stacks } = props;
  return (
    <section class="card stacks" aria-label="Stacks">
      <header>
        <h2>
          Stacks <small>{stacks ? `${stacks.length}` : ''}</small>
        </h2>
        <a class="button" href={href({ page: 'stacks', stack: null })}>
          New stack
        </a>
      </header>
      {props.error && (
        <p class="error" role="alert">
          {props.error}
        </p>
      )}
      <div class="table-scroll">
        <table>
          <thead>
            <tr>
              <th>state</th>
              <th>name</th>
              <th class="num">services</th>
              <th class="num">replicas</th>
              <th>deployed</th>
            </tr>
          </thead>
          <tbody>
            {(stacks ?? []).map((stack) => {
              const running = stack.services.reduce((sum, service) => sum + service.runningReplicas, 0);
              const desired = stack.services.reduce((sum, service) => sum + service.desiredReplicas, 0);
              const selected = stack.name === props.selected;
              return (
                <tr
                  key={stack.name}
                  class={selected ? 'selected' : undefined}
                  data-stack={stack.name}
                  aria-selected={selected}
                  onClick={() => navigate({ page: 'stacks', stack: stack.name })}
                >
                  <td>
                    <StackStatusBadge status={stack.status} />
                  </td>
                  <td class="name">
                    <a href={href({ page: 'stacks', stack: stack.name })}>{stack.name}</a>
                    <small>{stack.managed ? 'deployed by berth' : 'Compose CLI'}</small>
                  </td>
                  <td class="num services">{stack.services.length}</td>
                  <td class="num">
                    {running}/{desired}
                  </td>
                  <td>{stack.deployedAt ? time(stack.deployedAt) : '—'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {stacks !== null && stacks.length === 0 && <p class="empty">No stacks yet.</p>}
        {stacks === null && !props.error && <p class="empty">Loading…</p>}
      </div>
    </section>
  );
}

type StackAction = 'start' | 'stop' | 'remove';

function StackView(props: {
  api: BerthApi;
  store: DashboardStore;
  name: string;
  version: number;
  onChanged: () => void;
}) {
  const { api, store, name } = props;
  useTopics(store, 'access');
  const [stack, setStack] = useState<Stack | null | undefined>(undefined);
  const [history, setHistory] = useState<readonly StackHistoryEntry[] | string | null>(null);
  const [error, setError] = useState<string | null>(null);
  /** Why the stack could not be read (last time); what was read before stays shown. */
  const [loadError, setLoadError] = useState<string | null>(null);
  const [busy, setBusy] = useState<StackAction | null>(null);
  const [confirmRemove, setConfirmRemove] = useState(false);
  const [removeVolumes, setRemoveVolumes] = useState(false);
  const [progress, setProgress] = useState<{ label: string; messages: readonly StackProgress[] } | null>(
    null,
  );

  // Reads overlap (container events, changes made here): only the newest answer is shown, and
  // an answer to a change made here outdates every read sent before it.
  const sequence = useRef(0);
  const show = (next: Stack | null) => {
    sequence.current += 1;
    setStack(next);
  };

  const reload = useCallback(() => {
    const asked = ++sequence.current;
    api.request(STACK, { name }).then(
      (result) => {
        if (asked !== sequence.current) return;
        setStack(result.stack);
        setLoadError(null);
      },
      (failure: unknown) => {
        if (asked === sequence.current) setLoadError(failureText(failure, store));
      },
    );
    api.request(STACK_HISTORY, { name }).then(
      ({ stackHistory }) =>
        setHistory(
          stackHistory.__typename === 'StackHistorySuccess' ? stackHistory.data : payloadError(stackHistory),
        ),
      (failure: unknown) => setHistory(failureText(failure, store)),
    );
  }, [api, store, name]);
  useEffect(reload, [reload, props.version]);
  useReloadOnContainerChanges(store, reload);

  const lifecycle = async (action: StackAction) => {
    setBusy(action);
    setError(null);
    try {
      if (action === 'remove') {
        const { result } = await api.request(REMOVE_STACK, { name, volumes: removeVolumes });
        if (result.__typename !== 'Stack') return setError(payloadError(result));
        props.onChanged();
        return navigate({ page: 'stacks', stack: null });
      }
      const { result } = await api.request(action === 'start' ? START_STACK : STOP_STACK, { name });
      if (result.__typename !== 'Stack') setError(payloadError(result));
      else show(result);
      props.onChanged();
    } catch (failure) {
      setError(failureText(failure, store));
    } finally {
      setBusy(null);
      setConfirmRemove(false);
    }
  };

  const scale = async (service: string, replicas: number) => {
    setError(null);
    const label = `Scaling ${service} to ${replicas}`;
    setProgress({ label, messages: [] });
    try {
      const { result } = await runFollowed(
        api,
        name,
        (message) => setProgress((current) => ({ label, messages: [...(current?.messages ?? []), message] })),
        () => api.request(SCALE_STACK_SERVICE, { stack: name, service, replicas }),
      );
      if (result.__typename !== 'Stack') setError(payloadError(result));
      else show(result);
      props.onChanged();
    } catch (failure) {
      setError(failureText(failure, store));
    } finally {
      setProgress((current) => (current && current.messages.length > 0 ? current : null));
    }
  };

  if (stack === undefined && !loadError) {
    return (
      <section class="card stack-view" aria-label="Stack">
        <p class="empty">Loading {name}…</p>
      </section>
    );
  }
  if (stack === null || stack === undefined) {
    return (
      <section class="card stack-view" aria-label="Stack">
        <h2>{name}</h2>
        <p class={loadError ? 'error' : 'empty'} role={loadError ? 'alert' : undefined}>
          {loadError ?? 'No stack has this name (any more).'}
        </p>
      </section>
    );
  }

  const readOnly = store.readOnly;
  const running = stack.status === 'RUNNING' || stack.status === 'PARTIAL';
  return (
    <>
      <section class="card stack-view" aria-label="Stack" data-stack={stack.name}>
        <header>
          <h2>
            {stack.name} <StackStatusBadge status={stack.status} />{' '}
            <small>{stack.managed ? 'deployed by berth' : 'started by the Compose CLI'}</small>
          </h2>
          <p class="meta">
            {stack.services.length} {stack.services.length === 1 ? 'service' : 'services'}
            {stack.hash && (
              <>
                {' · file '}
                <code>{stack.hash.slice(0, 12)}</code>
              </>
            )}
            {stack.deployedAt && <> · deployed {time(stack.deployedAt)}</>}
          </p>
          {readOnly ? (
            <p class="muted read-only">This token may only read: berth refused a change (FORBIDDEN).</p>
          ) : (
            <div class="actions">
              <button
                type="button"
                disabled={busy !== null || stack.status === 'RUNNING'}
                onClick={() => void lifecycle('start')}
              >
                {busy === 'start' ? 'Starting…' : 'Start'}
              </button>
              <button
                type="button"
                disabled={busy !== null || !running}
                onClick={() => void lifecycle('stop')}
              >
                {busy === 'stop' ? 'Stopping…' : 'Stop'}
              </button>
              {confirmRemove ? (
                <>
                  <label class="inline">
                    <input
                      type="checkbox"
                      name="remove-volumes"
                      checked={removeVolumes}
                      onChange={(event) => setRemoveVolumes(event.currentTarget.checked)}
                    />
                    also remove its volumes
                  </label>
                  <button
                    type="button"
                    class="danger"
                    disabled={busy !== null}
                    onClick={() => void lifecycle('remove')}
                  >
                    {busy === 'remove' ? 'Removing…' : 'Really remove'}
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
                  Remove
                </button>
              )}
              <CheckUpdatesButton api={api} store={store} />
            </div>
          )}
          {error && (
            <p class="error" role="alert">
              {error}
            </p>
          )}
          {loadError && <p class="error load-error">{loadError}</p>}
        </header>
        <table class="stack-services">
          <thead>
            <tr>
              <th>service</th>
              <th class="num">running</th>
              <th class="num">healthy</th>
              <th>containers</th>
              {!readOnly && <th>scale</th>}
            </tr>
          </thead>
          <tbody>
            {stack.services.map((service) => (
              <ServiceRow
                key={`${service.name}:${service.desiredReplicas}`}
                service={service}
                store={store}
                readOnly={readOnly}
                scaling={
                  progress !== null &&
                  progress.messages.at(-1)?.step !== 'DONE' &&
                  progress.messages.at(-1)?.step !== 'FAILED'
                }
                onScale={(replicas) => void scale(service.name, replicas)}
              />
            ))}
          </tbody>
        </table>
        {stack.services.length === 0 && <p class="empty">No services run.</p>}
        {progress && progress.messages.length > 0 && (
          <ProgressLog messages={progress.messages} label={progress.label} />
        )}
      </section>
      <GitSourceCard api={api} store={store} stack={stack} onChanged={props.onChanged} />
      <StackEditor
        key={`${stack.name}:${stack.hash ?? ''}`}
        api={api}
        store={store}
        stack={stack.name}
        initialCompose={stack.compose ?? ''}
        initialEnv={stack.env ?? ''}
        onDeployed={props.onChanged}
      />
      <HistoryCard history={history} />
    </>
  );
}

function ServiceRow(props: {
  service: StackService;
  store: DashboardStore;
  readOnly: boolean;
  scaling: boolean;
  onScale: (replicas: number) => void;
}) {
  const { service } = props;
  const [replicas, setReplicas] = useState(String(service.desiredReplicas));
  const wanted = Number(replicas);
  const valid = replicas.trim() !== '' && Number.isInteger(wanted) && wanted >= 0;
  const open = (id: string) => {
    // The container's own page: its charts, logs and actions.
    // Stacks run on the local engine: the list shows it unless it shows every host.
    props.store.selectWhenListed(id);
    navigate({ page: 'containers', environment: props.store.scope === ALL_HOSTS ? ALL_HOSTS : LOCAL });
  };
  return (
    <tr
      data-service={service.name}
      data-desired={service.desiredReplicas}
      data-running={service.runningReplicas}
      data-healthy={service.healthyReplicas}
    >
      <td class="name">
        {service.name} <UpdateBadge update={service.imageUpdate} />
      </td>
      <td class="num replicas">
        {service.runningReplicas}/{service.desiredReplicas}
      </td>
      <td class="num">{service.healthyReplicas}</td>
      <td class="stack-containers">
        {service.containers.map((container) => (
          <span key={container.id} class="stack-container" data-container={container.name}>
            <button
              type="button"
              class="link"
              title={shortId(container.id)}
              onClick={() => open(container.id)}
            >
              {container.name}
            </button>{' '}
            <StatusBadge status={container.status} /> <HealthBadge health={container.health} />
          </span>
        ))}
      </td>
      {!props.readOnly && (
        <td class="scale">
          <input
            type="number"
            name="replicas"
            min={0}
            step={1}
            aria-label={`Replicas of ${service.name}`}
            value={replicas}
            onInput={(event) => setReplicas(event.currentTarget.value)}
          />
          <button
            type="button"
            disabled={props.scaling || !valid || wanted === service.desiredReplicas}
            onClick={() => props.onScale(wanted)}
          >
            Scale
          </button>
        </td>
      )}
    </tr>
  );
}

function HistoryCard(props: { history: readonly StackHistoryEntry[] | string | null }) {
  const { history } = props;
  return (
    <section class="card stack-history" aria-label="History">
      <h2>History</h2>
      {history === null ? (
        <p class="empty">Loading…</p>
      ) : typeof history === 'string' ? (
        <p class="error">{history}</p>
      ) : history.length === 0 ? (
        <p class="empty">Nothing recorded: berth did not deploy or change this stack.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>when</th>
              <th>action</th>
              <th>by</th>
              <th>file</th>
              <th>summary</th>
            </tr>
          </thead>
          <tbody>
            {history.map((entry, at) => (
              <tr
                key={at}
                data-action={entry.action}
                data-ok={String(entry.ok)}
                class={entry.ok ? undefined : 'failed'}
              >
                <td>{time(entry.at)}</td>
                <td>
                  {entry.action.toLowerCase()}
                  {!entry.ok && <span class="error"> failed</span>}
                </td>
                <td>{entry.actor}</td>
                <td>
                  <code>{entry.hash.slice(0, 12)}</code>
                </td>
                <td class="summary">{entry.summary}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

import { memo } from 'preact/compat';
import { useMemo, useState } from 'preact/hooks';
import { ports, shortId } from '../format.js';
import { useTopics } from '../hooks.js';
import type { Container } from '../operations.js';
import { ALL_HOSTS } from '../router.js';
import type { DashboardStore, RowStats } from '../store.js';
import type { BerthApi } from '../api.js';
import { HealthBadge, StatusBadge, UpdateBadge } from './badges.js';
import { CheckUpdatesButton } from './update-check.js';

interface RowProps {
  container: Container;
  stats: RowStats | undefined;
  selected: boolean;
  /** Every host's containers are listed: each row says whose it is. */
  showHost: boolean;
  onSelect: (id: string) => void;
}

/**
 * One container. Memoized: on a stats tick the table hands every row the same `container` and,
 * unless its text changed, the same `stats` object, so unchanged rows are not rendered again.
 */
const Row = memo(function Row({ container, stats, selected, showHost, onSelect }: RowProps) {
  return (
    <tr
      class={selected ? 'selected' : undefined}
      data-id={container.id}
      data-name={container.name}
      data-environment={container.environment}
      onClick={() => onSelect(container.id)}
      aria-selected={selected}
    >
      <td>
        <StatusBadge status={container.status} /> <HealthBadge health={container.health} />
      </td>
      {showHost && (
        <td class="host" title={container.environment}>
          {container.environment}
        </td>
      )}
      <td class="name" title={container.id}>
        {container.name}
        <small>{shortId(container.id)}</small>
      </td>
      <td class="image" title={container.image}>
        {/* Before the name, which the cell may cut short. */}
        <UpdateBadge update={container.imageUpdate} /> {container.image}
      </td>
      <td class="num cpu">
        <span class="meter" aria-hidden="true">
          <span style={{ width: `${stats?.cpuBar ?? 0}%` }} />
        </span>
        {stats?.cpu ?? '—'}
      </td>
      <td class="num memory">{stats?.memory ?? '—'}</td>
      <td class="num">{container.restartCount}</td>
      <td class="ports">{ports(container.ports)}</td>
    </tr>
  );
});

export function ContainerTable(props: { api: BerthApi; store: DashboardStore }) {
  const { api, store } = props;
  useTopics(store, 'containers', 'stats', 'selection');
  const showHost = store.scope === ALL_HOSTS;
  const [filter, setFilter] = useState('');
  const sorted = store.sorted();
  const shown = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    if (!needle) return sorted;
    return sorted.filter(
      (c) =>
        c.name.toLowerCase().includes(needle) ||
        c.image.toLowerCase().includes(needle) ||
        (showHost && c.environment.toLowerCase().includes(needle)) ||
        c.id.startsWith(needle),
    );
  }, [sorted, filter, showHost]);
  const running = useMemo(() => sorted.filter((c) => c.status === 'RUNNING').length, [sorted]);

  return (
    <section class="card containers" aria-label="Containers">
      <header>
        <h2>
          Containers <small>{`${running} running of ${sorted.length}`}</small>
        </h2>
        <input
          type="search"
          placeholder="Filter by name, image or id"
          value={filter}
          onInput={(event) => setFilter(event.currentTarget.value)}
        />
        <CheckUpdatesButton api={api} store={store} />
      </header>
      <div class="table-scroll">
        <table>
          <thead>
            <tr>
              <th>state</th>
              {showHost && <th>host</th>}
              <th>name</th>
              <th>image</th>
              <th class="num">CPU</th>
              <th class="num">memory</th>
              <th class="num">restarts</th>
              <th>ports</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((container) => (
              <Row
                key={container.id}
                container={container}
                stats={store.stats.get(container.id)}
                selected={container.id === store.selectedId}
                showHost={showHost}
                onSelect={store.select}
              />
            ))}
          </tbody>
        </table>
        {shown.length === 0 && (
          <p class="empty">{sorted.length === 0 ? 'No containers yet.' : 'Nothing matches.'}</p>
        )}
      </div>
    </section>
  );
}

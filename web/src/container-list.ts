import { ApiError, type BerthApi } from './api.js';
import { CONTAINERS, type ImageUpdate } from './operations.js';
import { ALL_HOSTS, type Scope } from './router.js';
import type { DashboardStore } from './store.js';

/** The variables that aim a list, stats or events operation at a scope. */
export function scopeVariables(scope: Scope): { environment: string; allEnvironments: boolean } {
  return scope === ALL_HOSTS
    ? { environment: 'local', allEnvironments: true }
    : { environment: scope, allEnvironments: false };
}

/**
 * Reads the whole list again: after a reconnection, when a change cannot be applied in place, or
 * when an environment left out of the last read is back. An environment whose engine does not
 * answer is named beside the list (ENGINE_UNAVAILABLE with its `environment`), not a failure.
 */
export async function reloadContainers(api: BerthApi, store: DashboardStore): Promise<void> {
  const scope = store.scope;
  try {
    const { data, errors } = await api.requestPartial(CONTAINERS, scopeVariables(scope));
    // The switcher moved on while this was read.
    if (store.scope !== scope) return;
    store.load(data.containers);
    store.setListLeftOut(errors.flatMap((error) => (error.environment ? [error.environment] : [])));
  } catch (failure) {
    if (store.scope !== scope) return;
    if (failure instanceof ApiError && failure.code === 'ENGINE_UNAVAILABLE' && scope !== ALL_HOSTS) {
      store.load([]);
      store.setListLeftOut([scope]);
    }
    // Otherwise the header shows the connection state; the next reconnection reads the list again.
  }
}

/**
 * Check results (from imageUpdates or checkImageUpdates) onto the containers' badges. A result
 * for a tag no container showed yet (its first check) is read with the list, from berth, which
 * knows which containers the tag names.
 */
export function applyImageUpdates(
  api: BerthApi,
  store: DashboardStore,
  updates: readonly ImageUpdate[],
): void {
  let unmatched = false;
  for (const update of updates) if (!store.applyImageUpdate(update)) unmatched = true;
  if (unmatched) void reloadContainers(api, store);
}

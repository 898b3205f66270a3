import type { BerthApi } from './api.js';
import { CONTAINERS, type ImageUpdate } from './operations.js';
import type { DashboardStore } from './store.js';

/** Reads the whole list again: after a reconnection, or when a change cannot be applied in place. */
export async function reloadContainers(api: BerthApi, store: DashboardStore): Promise<void> {
  try {
    const { containers } = await api.request(CONTAINERS);
    store.load(containers);
  } catch {
    // The header shows the connection state; the next reconnection reads the list again.
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

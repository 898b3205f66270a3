import { useState } from 'preact/hooks';
import type { BerthApi } from '../api.js';
import { applyImageUpdates } from '../container-list.js';
import { useTopics } from '../hooks.js';
import { CHECK_IMAGE_UPDATES } from '../operations.js';
import type { DashboardStore } from '../store.js';
import { failureText, payloadError } from './stack-common.js';

/**
 * "Check for updates": checkImageUpdates asks each tag's registry now (a HEAD each, no pull); the
 * answer updates every badge at once, and other tabs hear of it through imageUpdates.
 */
export function CheckUpdatesButton(props: { api: BerthApi; store: DashboardStore }) {
  const { api, store } = props;
  useTopics(store, 'access');
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const check = async () => {
    setBusy(true);
    setStatus(null);
    setError(null);
    try {
      const { checkImageUpdates: answer } = await api.request(CHECK_IMAGE_UPDATES);
      if (answer.__typename !== 'CheckImageUpdatesSuccess') return setError(payloadError(answer));
      applyImageUpdates(api, store, answer.updates);
      const tags = answer.updates.length;
      const available = answer.updates.filter((update) => update.status === 'AVAILABLE').length;
      setStatus(
        `${tags} ${tags === 1 ? 'tag' : 'tags'} checked: ${available === 0 ? 'no update' : `${available} with an update`}`,
      );
    } catch (failure) {
      setError(failureText(failure, store));
    } finally {
      setBusy(false);
    }
  };

  return (
    <span class="update-check">
      <button
        type="button"
        disabled={busy || store.readOnly}
        title={store.readOnly ? 'This token may only read' : undefined}
        onClick={() => void check()}
      >
        {busy ? 'Checking…' : 'Check for updates'}
      </button>
      {status && (
        <span class="muted" role="status" data-check-status>
          {status}
        </span>
      )}
      {error && (
        <span class="error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}

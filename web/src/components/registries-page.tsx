import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, type BerthApi } from '../api.js';
import { dateTime } from '../format.js';
import {
  REGISTRY_CREDENTIALS,
  REMOVE_REGISTRY_CREDENTIAL,
  SAVE_REGISTRY_CREDENTIAL,
  type RegistryCredential,
} from '../operations.js';
import { payloadError } from './stack-common.js';

/** The list as read: the credentials, berth's refusal of a token that is not an admin's, or an error. */
type Listing =
  | { state: 'loading' }
  | { state: 'loaded'; credentials: readonly RegistryCredential[] }
  | { state: 'admin-only'; reason: string }
  | { state: 'failed'; reason: string };

/**
 * The registry credentials berth pulls with (admin only): each registry with its username and
 * dates, never a password; a form to save one and a confirmed removal. berth has no query naming
 * the token's role, so a FORBIDDEN answer to the list is what says this token is not an admin's;
 * it is not the dashboard's read-only state, since an operator may still change containers.
 */
export function RegistriesPage(props: { api: BerthApi }) {
  const { api } = props;
  const [listing, setListing] = useState<Listing>({ state: 'loading' });

  const reload = useCallback(() => {
    api.request(REGISTRY_CREDENTIALS).then(
      ({ registryCredentials }) => setListing({ state: 'loaded', credentials: registryCredentials }),
      (failure: unknown) => {
        if (failure instanceof ApiError && failure.code === 'FORBIDDEN')
          setListing({ state: 'admin-only', reason: failure.toString() });
        else
          setListing({
            state: 'failed',
            reason: failure instanceof ApiError ? failure.toString() : String(failure),
          });
      },
    );
  }, [api]);
  useEffect(reload, [reload]);

  if (listing.state === 'admin-only') {
    return (
      <div class="registries-page">
        <section class="card registries admin-only" aria-label="Registries" data-admin-only>
          <h2>Registries</h2>
          <p>
            Registry credentials are for admin tokens only: berth refused this token ({listing.reason}). Ask
            an admin to save the credential a private registry needs.
          </p>
        </section>
      </div>
    );
  }
  return (
    <div class="columns registries-page">
      <div class="column">
        <CredentialList api={api} listing={listing} onChanged={reload} />
      </div>
      <div class="column">
        <CredentialForm api={api} onSaved={reload} />
      </div>
    </div>
  );
}

function CredentialList(props: { api: BerthApi; listing: Listing; onChanged: () => void }) {
  const { listing } = props;
  return (
    <section class="card registries" aria-label="Registries">
      <header>
        <h2>
          Registries <small>{listing.state === 'loaded' ? String(listing.credentials.length) : ''}</small>
        </h2>
      </header>
      <p class="muted">
        berth pulls an image with the credential saved for the host its name starts with (
        <code>ghcr.io/team/app</code> uses <code>ghcr.io</code>); images on other hosts are pulled
        anonymously.
      </p>
      {listing.state === 'failed' && (
        <p class="error" role="alert">
          {listing.reason}
        </p>
      )}
      {listing.state === 'loading' && <p class="empty">Loading…</p>}
      {listing.state === 'loaded' &&
        (listing.credentials.length === 0 ? (
          <p class="empty">No credential saved: every pull is anonymous.</p>
        ) : (
          <div class="table-scroll">
            <table>
              <thead>
                <tr>
                  <th>registry</th>
                  <th>username</th>
                  <th>saved</th>
                  <th>last used</th>
                  <th>
                    <span class="visually-hidden">actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {listing.credentials.map((credential) => (
                  <CredentialRow
                    key={credential.registry}
                    api={props.api}
                    credential={credential}
                    onRemoved={props.onChanged}
                  />
                ))}
              </tbody>
            </table>
          </div>
        ))}
    </section>
  );
}

function CredentialRow(props: { api: BerthApi; credential: RegistryCredential; onRemoved: () => void }) {
  const { api, credential } = props;
  const [confirm, setConfirm] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const remove = async () => {
    setBusy(true);
    setError(null);
    try {
      const { result } = await api.request(REMOVE_REGISTRY_CREDENTIAL, { registry: credential.registry });
      if (result.__typename !== 'RemoveRegistryCredentialSuccess') setError(payloadError(result));
      else props.onRemoved();
    } catch (failure) {
      setError(failure instanceof ApiError ? failure.toString() : String(failure));
    } finally {
      setBusy(false);
      setConfirm(false);
    }
  };

  return (
    <tr data-registry={credential.registry}>
      <td class="name">
        <code>{credential.registry}</code>
      </td>
      <td class="username">{credential.username}</td>
      <td title={`first saved ${dateTime(credential.createdAt)}`}>{dateTime(credential.updatedAt)}</td>
      <td>{credential.lastUsedAt ? dateTime(credential.lastUsedAt) : 'never'}</td>
      <td class="row-actions">
        {confirm ? (
          <>
            <button
              type="button"
              class="danger"
              disabled={busy}
              aria-label={`Really remove the credential of ${credential.registry}`}
              onClick={() => void remove()}
            >
              {busy ? 'Removing…' : 'Really remove'}
            </button>{' '}
            <button type="button" onClick={() => setConfirm(false)}>
              Keep
            </button>
          </>
        ) : (
          <button
            type="button"
            class="danger"
            aria-label={`Remove the credential of ${credential.registry}`}
            onClick={() => setConfirm(true)}
          >
            Remove
          </button>
        )}
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
      </td>
    </tr>
  );
}

/**
 * Save (or replace) one. The password lives in this form's state only while it is typed: it is
 * cleared on every answer, kept in no store, and berth never sends it back.
 */
function CredentialForm(props: { api: BerthApi; onSaved: () => void }) {
  const [registry, setRegistry] = useState('');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setSaved(null);
    try {
      const { result } = await props.api.request(SAVE_REGISTRY_CREDENTIAL, {
        registry: registry.trim(),
        username: username.trim(),
        password,
      });
      if (result.__typename !== 'SaveRegistryCredentialSuccess') return setError(payloadError(result));
      setSaved(`Saved: berth pulls from ${result.credential.registry} as ${result.credential.username}.`);
      setRegistry('');
      setUsername('');
      props.onSaved();
    } catch (failure) {
      setError(failure instanceof ApiError ? failure.toString() : String(failure));
    } finally {
      setPassword('');
      setBusy(false);
    }
  };

  return (
    <section class="card registry-form" aria-label="Save a credential">
      <form onSubmit={submit}>
        <h2>Save a credential</h2>
        <p class="muted">Saving one for a registry that has one replaces it.</p>
        <label>
          Registry
          <input
            name="registry"
            required
            spellcheck={false}
            autocomplete="off"
            placeholder="ghcr.io, registry.example.com:5000, docker.io"
            value={registry}
            onInput={(event) => setRegistry(event.currentTarget.value)}
          />
        </label>
        <label>
          Username
          <input
            name="username"
            required
            spellcheck={false}
            autocomplete="off"
            value={username}
            onInput={(event) => setUsername(event.currentTarget.value)}
          />
        </label>
        <label>
          Password or access token
          <input
            name="password"
            type="password"
            required
            autocomplete="new-password"
            value={password}
            onInput={(event) => setPassword(event.currentTarget.value)}
          />
        </label>
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : 'Save credential'}
        </button>
        {saved && (
          <p class="muted" role="status">
            {saved}
          </p>
        )}
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
      </form>
    </section>
  );
}

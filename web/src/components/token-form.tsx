import { useState } from 'preact/hooks';
import { ApiError, postGraphQL } from '../api.js';
import { WHO_AM_I } from '../operations.js';

/**
 * Asks for the API token once per tab. It is checked against berth before the dashboard opens;
 * an empty one works when berth runs with BERTH_AUTH=off.
 */
export function TokenForm(props: { notice: string | null; onToken: (token: string) => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(props.notice);
  const [checking, setChecking] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setChecking(true);
    setError(null);
    try {
      await postGraphQL(token.trim(), WHO_AM_I);
      props.onToken(token.trim());
    } catch (failure) {
      setError(failure instanceof ApiError ? failure.toString() : String(failure));
    } finally {
      setChecking(false);
    }
  };

  return (
    <main class="token-page">
      <form class="card token-form" onSubmit={submit} aria-label="Sign in">
        <h1>berth</h1>
        <p>
          Paste an API token (<code>npm run token -- create --name me --role operator</code>). It is kept for
          this tab only. Leave it empty when berth runs with <code>BERTH_AUTH=off</code>.
        </p>
        <label>
          Token
          <input
            name="token"
            type="password"
            autocomplete="off"
            spellcheck={false}
            placeholder="berth_…"
            value={token}
            onInput={(event) => setToken(event.currentTarget.value)}
          />
        </label>
        <button type="submit" disabled={checking}>
          {checking ? 'Checking…' : 'Open dashboard'}
        </button>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
      </form>
    </main>
  );
}

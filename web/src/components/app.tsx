import { useState } from 'preact/hooks';
import { Dashboard } from './dashboard.js';
import { TokenForm } from './token-form.js';

/**
 * Kept for the tab (sessionStorage), never in localStorage or the URL. GraphiQL's page, opened from
 * the top bar in this tab, reads it under this key too (src/api/http/graphiql.ts).
 */
const TOKEN_KEY = 'berth.token';

export function App() {
  const [token, setToken] = useState<string | null>(() => sessionStorage.getItem(TOKEN_KEY));
  const [notice, setNotice] = useState<string | null>(null);

  const open = (value: string) => {
    sessionStorage.setItem(TOKEN_KEY, value);
    setNotice(null);
    setToken(value);
  };
  const forget = (reason: string | null) => {
    sessionStorage.removeItem(TOKEN_KEY);
    setNotice(reason);
    setToken(null);
  };

  if (token === null) return <TokenForm notice={notice} onToken={open} />;
  return (
    <Dashboard
      token={token}
      onTokenRefused={(reason) => forget(`The token was refused: ${reason}`)}
      onSignOut={() => forget(null)}
    />
  );
}

import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, type BerthApi } from '../api.js';
import { dateTime } from '../format.js';
import { useTopics } from '../hooks.js';
import {
  DEPLOY_STACK_FROM_GIT,
  ROTATE_STACK_WEBHOOK,
  STACK_WEBHOOK,
  SYNC_STACK,
  type DeployStackFromGitAnswer,
  type GitAuthKind,
  type Stack,
  type StackPlan,
  type StackProgress,
  type StackWebhook,
  type SyncStackAnswer,
} from '../operations.js';
import { runFollowed } from '../stack-follow.js';
import type { DashboardStore } from '../store.js';
import { ProgressLog, failureText, payloadError } from './stack-common.js';
import { Outcomes, PlanView } from './stack-editor.js';

/** A commit as git shows it short; the whole hash is the element's title. */
function Commit(props: { hash: string | null | undefined }) {
  if (!props.hash) return <span class="muted">none yet</span>;
  return (
    <code class="commit" title={props.hash} data-commit={props.hash}>
      {props.hash.slice(0, 7)}
    </code>
  );
}

const AUTH_LABELS: Record<GitAuthKind, string> = {
  NONE: 'none',
  TOKEN: 'access token',
  SSH_KEY: 'deploy key',
};

/** A refusal as one line, without marking the token read-only: an admin's field refuses an operator too. */
function refusalText(failure: unknown): string {
  return failure instanceof ApiError ? failure.toString() : String(failure);
}

type SyncOutcome = Extract<SyncStackAnswer, { __typename: 'SyncStackSuccess' }>;

/**
 * A stack deployed from git: where its file comes from, the commit it runs and when it was last
 * fetched; Sync now (syncStack, followed on stackDeployProgress as deploys are); its push webhook.
 */
export function GitSourceCard(props: {
  api: BerthApi;
  store: DashboardStore;
  stack: Stack;
  onChanged: () => void;
}) {
  const { api, store, stack } = props;
  useTopics(store, 'access');
  const source = stack.source;
  const [syncing, setSyncing] = useState(false);
  const [outcome, setOutcome] = useState<SyncOutcome | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [progress, setProgress] = useState<readonly StackProgress[]>([]);
  if (!source) return null;

  const sync = async () => {
    setSyncing(true);
    setError(null);
    setOutcome(null);
    setProgress([]);
    try {
      const { syncStack: answer } = await runFollowed(
        api,
        stack.name,
        (message) => setProgress((current) => [...current, message]),
        () => api.request(SYNC_STACK, { name: stack.name }),
        ({ syncStack }) => syncStack.__typename !== 'SyncStackSuccess' || !syncStack.changed,
      );
      if (answer.__typename === 'SyncStackSuccess') setOutcome(answer);
      else if (answer.__typename === 'InvalidComposeError')
        setError(
          [
            `${answer.code}: ${answer.message}`,
            ...answer.problems.map((problem) => `${problem.path}: ${problem.message}`),
          ].join('\n'),
        );
      else setError(payloadError(answer));
      props.onChanged();
    } catch (failure) {
      setError(failureText(failure, store));
    } finally {
      setSyncing(false);
    }
  };

  return (
    <section class="card git-source" aria-label="Git source" data-commit={source.commit ?? ''}>
      <header>
        <h2>From git</h2>
        {!store.readOnly && (
          <button type="button" disabled={syncing} onClick={() => void sync()}>
            {syncing ? 'Syncing…' : 'Sync now'}
          </button>
        )}
      </header>
      <dl class="facts">
        <dt>repository</dt>
        <dd>
          <code class="repository">{source.repository}</code>
        </dd>
        <dt>ref</dt>
        <dd>
          <code class="ref">{source.ref}</code>
        </dd>
        <dt>compose file</dt>
        <dd>
          <code class="path">{source.path}</code>
        </dd>
        <dt>runs commit</dt>
        <dd>
          <Commit hash={source.commit} />
        </dd>
        <dt>last synced</dt>
        <dd class="synced-at">{source.syncedAt ? dateTime(source.syncedAt) : 'never'}</dd>
        <dt>polling</dt>
        <dd>{source.pollMinutes > 0 ? `every ${source.pollMinutes} min` : 'off'}</dd>
        <dt>credential</dt>
        <dd>{AUTH_LABELS[source.auth]}</dd>
      </dl>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {outcome && (
        <p class="sync-result" role="status" data-changed={String(outcome.changed)}>
          {outcome.changed ? (
            <>
              Changed: <Commit hash={outcome.previousCommit} /> → <Commit hash={outcome.commit} />, deployed
              again.
            </>
          ) : (
            <>
              Unchanged: still <Commit hash={outcome.commit} />, nothing was touched.
            </>
          )}
        </p>
      )}
      {progress.length > 0 && <ProgressLog messages={progress} label="Sync progress" />}
      {outcome?.deploy && <Outcomes stack={stack.name} result={outcome.deploy} linkToStack={false} />}
      <WebhookPanel api={api} stack={stack.name} />
    </section>
  );
}

type WebhookState =
  | { state: 'loading' }
  | { state: 'loaded'; webhook: StackWebhook | null }
  | { state: 'failed'; reason: string };

/** The URL is a path under berth: shown as this page reaches berth, which a forge may not. */
function absolute(path: string): string {
  return new URL(path, location.origin).href;
}

/**
 * The stack's push webhook (operator), and a new secret (admin) shown once with a copy button.
 * The secret is in this panel's state only until it is dismissed or the page changes.
 */
function WebhookPanel(props: { api: BerthApi; stack: string }) {
  const { api, stack } = props;
  const [webhook, setWebhook] = useState<WebhookState>({ state: 'loading' });
  const [confirm, setConfirm] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const [copied, setCopied] = useState<string | null>(null);

  const reload = useCallback(() => {
    api.request(STACK_WEBHOOK, { stack }).then(
      ({ stackWebhook }) => setWebhook({ state: 'loaded', webhook: stackWebhook }),
      (failure: unknown) =>
        setWebhook({
          state: 'failed',
          reason:
            failure instanceof ApiError && failure.code === 'FORBIDDEN'
              ? 'Operator and admin tokens see the webhook; this one may only read.'
              : refusalText(failure),
        }),
    );
  }, [api, stack]);
  useEffect(reload, [reload]);

  const rotate = async () => {
    setBusy(true);
    setError(null);
    setSecret(null);
    setCopied(null);
    try {
      const { result } = await api.request(ROTATE_STACK_WEBHOOK, { stack });
      if (result.__typename !== 'RotateStackWebhookSuccess') return setError(payloadError(result));
      setSecret(result.secret);
      setWebhook({ state: 'loaded', webhook: result.webhook });
    } catch (failure) {
      setError(refusalText(failure));
    } finally {
      setBusy(false);
      setConfirm(false);
    }
  };

  const copy = async (text: string, what: string) => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(`${what} copied`);
    } catch {
      setCopied(`Could not copy: select the ${what.toLowerCase()} and copy it`);
    }
  };

  const current = webhook.state === 'loaded' ? webhook.webhook : null;
  return (
    <section class="webhook" aria-label="Push webhook">
      <h3>Push webhook</h3>
      {webhook.state === 'loading' && <p class="empty">Loading…</p>}
      {webhook.state === 'failed' && <p class="error">{webhook.reason}</p>}
      {webhook.state === 'loaded' && current === null && (
        <p class="empty">
          No webhook yet: an admin makes one with “Create webhook”, which shows its secret once.
        </p>
      )}
      {current && (
        <>
          <div class="copy-field">
            <label>
              Payload URL
              <input class="webhook-url" readOnly value={absolute(current.url)} />
            </label>
            <button type="button" onClick={() => void copy(absolute(current.url), 'URL')}>
              Copy URL
            </button>
          </div>
          <p class="muted">
            As this browser reaches berth; give the forge the address it reaches berth at. Content type
            application/json; push events. Made {dateTime(current.createdAt)}
            {current.lastDeliveryAt ? (
              <>
                {' '}
                · last delivery {dateTime(current.lastDeliveryAt)}
                {current.lastOutcome && <>: {current.lastOutcome}</>}
              </>
            ) : (
              ' · no delivery yet'
            )}
            .
          </p>
        </>
      )}
      {secret && (
        <div class="secret-once" role="status">
          <div class="copy-field">
            <label>
              Secret (shown this once)
              <input class="webhook-secret" readOnly value={secret} />
            </label>
            <button type="button" onClick={() => void copy(secret, 'Secret')}>
              Copy secret
            </button>
            <button type="button" onClick={() => setSecret(null)}>
              Done
            </button>
          </div>
          <p class="muted">
            Paste it as the forge’s webhook secret (GitHub, Gitea, Forgejo) or secret token (GitLab). berth
            will not show it again.
          </p>
        </div>
      )}
      {copied && (
        <p class="muted" role="status">
          {copied}
        </p>
      )}
      {webhook.state === 'loaded' && (
        <div class="actions">
          {confirm ? (
            <>
              <button type="button" class="danger" disabled={busy} onClick={() => void rotate()}>
                {busy ? 'Rotating…' : 'Really rotate: the old secret stops working'}
              </button>
              <button type="button" onClick={() => setConfirm(false)}>
                Keep
              </button>
            </>
          ) : current ? (
            <button type="button" onClick={() => setConfirm(true)}>
              Rotate secret
            </button>
          ) : (
            <button type="button" disabled={busy} onClick={() => void rotate()}>
              {busy ? 'Creating…' : 'Create webhook'}
            </button>
          )}
        </div>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

type AuthChoice = 'NONE' | 'TOKEN' | 'SSH_KEY';

/**
 * deployStackFromGit: the repository, its ref and compose file, and a credential; Check and plan
 * (a dry run, which fetches) then Deploy, followed on stackDeployProgress. The token or key lives
 * in this form's state only while typed and is cleared on every answer.
 */
export function GitDeployForm(props: {
  api: BerthApi;
  store: DashboardStore;
  onDeployed: (stack: string) => void;
}) {
  const { api, store } = props;
  useTopics(store, 'access');
  const [name, setName] = useState('');
  const [repository, setRepository] = useState('');
  const [ref, setRef] = useState('');
  const [path, setPath] = useState('');
  const [env, setEnv] = useState('');
  const [pollMinutes, setPollMinutes] = useState('');
  const [auth, setAuth] = useState<AuthChoice>('NONE');
  const [username, setUsername] = useState('');
  const [token, setToken] = useState('');
  const [sshKey, setSshKey] = useState('');
  const [phase, setPhase] = useState<'idle' | 'planning' | 'deploying'>('idle');
  const [plan, setPlan] = useState<{ key: string; plan: StackPlan; commit: string | null } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [progress, setProgress] = useState<readonly StackProgress[]>([]);
  const [result, setResult] = useState<{
    stack: string;
    answer: Extract<DeployStackFromGitAnswer, { __typename: 'DeployStackFromGitSuccess' }>;
  } | null>(null);

  const stackName = name.trim();
  const key = JSON.stringify([stackName, repository, ref, path, env, pollMinutes, auth, username]);
  const planIsCurrent = plan !== null && plan.key === key;

  const input = (dryRun: boolean) => ({
    name: stackName,
    repository: repository.trim(),
    ...(ref.trim() ? { ref: ref.trim() } : {}),
    ...(path.trim() ? { path: path.trim() } : {}),
    ...(env ? { env } : {}),
    ...(pollMinutes.trim() ? { pollMinutes: Number(pollMinutes) } : {}),
    ...(auth === 'TOKEN' && token
      ? { auth: { token, ...(username.trim() ? { username: username.trim() } : {}) } }
      : auth === 'SSH_KEY' && sshKey
        ? { auth: { sshPrivateKey: sshKey } }
        : {}),
    dryRun,
  });

  const refused = (answer: DeployStackFromGitAnswer) => {
    if (answer.__typename === 'InvalidComposeError')
      setError(
        [
          `${answer.code}: ${answer.message}`,
          ...answer.problems.map((problem) => `${problem.path}: ${problem.message}`),
        ].join('\n'),
      );
    else if (answer.__typename !== 'DeployStackFromGitSuccess') setError(payloadError(answer));
  };

  const check = async () => {
    setPhase('planning');
    setError(null);
    setPlan(null);
    setResult(null);
    setProgress([]);
    try {
      const { deployStackFromGit: answer } = await api.request(DEPLOY_STACK_FROM_GIT, { input: input(true) });
      if (answer.__typename === 'DeployStackFromGitSuccess')
        setPlan({ key, plan: answer.deploy.plan, commit: answer.source.commit ?? null });
      else refused(answer);
    } catch (failure) {
      setError(failureText(failure, store));
    } finally {
      setPhase('idle');
    }
  };

  const apply = async () => {
    setPhase('deploying');
    setError(null);
    setResult(null);
    setProgress([]);
    const target = stackName;
    try {
      const { deployStackFromGit: answer } = await runFollowed(
        api,
        target,
        (message) => setProgress((current) => [...current, message]),
        () => api.request(DEPLOY_STACK_FROM_GIT, { input: input(false) }),
      );
      if (answer.__typename === 'DeployStackFromGitSuccess') {
        setResult({ stack: target, answer });
        props.onDeployed(target);
      } else refused(answer);
    } catch (failure) {
      setError(failureText(failure, store));
    } finally {
      // Sent once with the deploy: berth seals it; the form does not keep it.
      setToken('');
      setSshKey('');
      setPhase('idle');
    }
  };

  if (store.readOnly) return null;
  return (
    <section class="card git-deploy" aria-label="Deploy from git">
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void check();
        }}
      >
        <h2>Deploy from git</h2>
        <p class="muted">
          berth clones the repository (depth 1) and deploys its compose file; relative env_file and bind paths
          resolve inside the checkout. Sync now, a push webhook or polling keep it current.
        </p>
        <label>
          Stack name
          <input
            name="git-stack-name"
            required
            spellcheck={false}
            autocomplete="off"
            placeholder="lowercase letters, digits, - and _"
            value={name}
            onInput={(event) => setName(event.currentTarget.value)}
          />
        </label>
        <label>
          Repository
          <input
            name="repository"
            required
            spellcheck={false}
            autocomplete="off"
            placeholder="https://git.example.com/team/app.git or git@host:team/app.git"
            value={repository}
            onInput={(event) => setRepository(event.currentTarget.value)}
          />
        </label>
        <div class="pair">
          <label>
            Branch or tag
            <input
              name="ref"
              spellcheck={false}
              autocomplete="off"
              placeholder="the default branch"
              value={ref}
              onInput={(event) => setRef(event.currentTarget.value)}
            />
          </label>
          <label>
            Compose file
            <input
              name="path"
              spellcheck={false}
              autocomplete="off"
              placeholder="compose.yaml"
              value={path}
              onInput={(event) => setPath(event.currentTarget.value)}
            />
          </label>
          <label>
            Poll every (minutes)
            <input
              name="poll-minutes"
              type="number"
              min={0}
              step={1}
              placeholder="berth's default"
              value={pollMinutes}
              onInput={(event) => setPollMinutes(event.currentTarget.value)}
            />
          </label>
        </div>
        <label>
          Credential
          <select
            name="auth"
            value={auth}
            onChange={(event) => setAuth(event.currentTarget.value as AuthChoice)}
          >
            <option value="NONE">none (a public repository, or the one saved before)</option>
            <option value="TOKEN">access token (HTTPS)</option>
            <option value="SSH_KEY">deploy key (SSH)</option>
          </select>
        </label>
        {auth === 'TOKEN' && (
          <div class="pair">
            <label>
              Token
              <input
                name="git-token"
                type="password"
                autocomplete="new-password"
                value={token}
                onInput={(event) => setToken(event.currentTarget.value)}
              />
            </label>
            <label>
              Username
              <input
                name="git-username"
                spellcheck={false}
                autocomplete="off"
                placeholder="git"
                value={username}
                onInput={(event) => setUsername(event.currentTarget.value)}
              />
            </label>
          </div>
        )}
        {auth === 'SSH_KEY' && (
          <label>
            Private key (no passphrase)
            <textarea
              name="git-ssh-key"
              rows={4}
              spellcheck={false}
              autocomplete="off"
              placeholder="-----BEGIN OPENSSH PRIVATE KEY-----"
              value={sshKey}
              onInput={(event) => setSshKey(event.currentTarget.value)}
            />
          </label>
        )}
        <label>
          .env
          <textarea
            name="git-env"
            rows={2}
            wrap="off"
            spellcheck={false}
            autocomplete="off"
            placeholder="over the repository's own .env"
            value={env}
            onInput={(event) => setEnv(event.currentTarget.value)}
          />
        </label>
        <div class="actions">
          <button type="submit" class="plain" disabled={phase !== 'idle'}>
            {phase === 'planning' ? 'Fetching and planning…' : 'Check and plan'}
          </button>
          <button
            type="button"
            class="primary"
            disabled={phase !== 'idle' || !planIsCurrent}
            title={planIsCurrent ? undefined : 'Plan it as it is first'}
            onClick={() => void apply()}
          >
            {phase === 'deploying' ? 'Deploying…' : 'Deploy from git'}
          </button>
        </div>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {plan && (
        <>
          {plan.commit && (
            <p class="muted plan-commit">
              Planned from commit <Commit hash={plan.commit} />.
            </p>
          )}
          <PlanView plan={plan.plan} stale={!planIsCurrent} />
        </>
      )}
      {progress.length > 0 && <ProgressLog messages={progress} label="Deploy progress" />}
      {result && (
        <>
          <p class="muted" role="status">
            Deployed commit <Commit hash={result.answer.source.commit} /> of {result.answer.source.repository}{' '}
            ({result.answer.source.ref}).
          </p>
          <Outcomes stack={result.stack} result={result.answer.deploy} linkToStack={true} />
        </>
      )}
    </section>
  );
}

import { useMemo, useRef, useState } from 'preact/hooks';
import { type BerthApi } from '../api.js';
import { useTopics } from '../hooks.js';
import {
  DEPLOY_STACK,
  type ComposeProblem,
  type DeployStackResult,
  type StackPlan,
  type StackProgress,
} from '../operations.js';
import { href } from '../router.js';
import { runFollowed } from '../stack-follow.js';
import type { DashboardStore } from '../store.js';
import { ProgressLog, failureText, payloadError } from './stack-common.js';

const STARTER = `services:
  web:
    image: nginx:alpine
    deploy:
      replicas: 1
`;

interface Props {
  api: BerthApi;
  store: DashboardStore;
  /** The stack the file is for; null for a new one, whose name is asked. */
  stack: string | null;
  initialCompose: string;
  initialEnv: string;
  /** After a deploy was applied (whatever its outcome): the list and the stack are read again. */
  onDeployed: (stack: string) => void;
}

/** What a plan was made for: applying is offered only while the editor still holds exactly this. */
const keyOf = (name: string, compose: string, env: string, removeOrphans: boolean) =>
  JSON.stringify([name, compose, env, removeOrphans]);

/**
 * The compose file and its .env text, checked and planned by a dry run (deployStack with
 * dryRun), then applied while stackDeployProgress is followed. INVALID_COMPOSE's problems are
 * marked in the gutter at their lines and listed; choosing one puts the caret at its line and
 * column.
 */
export function StackEditor(props: Props) {
  const { api, store } = props;
  useTopics(store, 'access');
  const [name, setName] = useState(props.stack ?? '');
  const [compose, setCompose] = useState(props.initialCompose || (props.stack === null ? STARTER : ''));
  const [env, setEnv] = useState(props.initialEnv);
  const [removeOrphans, setRemoveOrphans] = useState(false);
  const [problems, setProblems] = useState<readonly ComposeProblem[]>([]);
  const [plan, setPlan] = useState<{ key: string; plan: StackPlan } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [phase, setPhase] = useState<'idle' | 'planning' | 'deploying'>('idle');
  const [progress, setProgress] = useState<readonly StackProgress[]>([]);
  const [result, setResult] = useState<{ stack: string; result: DeployStackResult } | null>(null);
  const textarea = useRef<HTMLTextAreaElement>(null);
  const gutter = useRef<HTMLDivElement>(null);

  const stackName = (props.stack ?? name).trim();
  const key = keyOf(stackName, compose, env, removeOrphans);
  const planIsCurrent = plan !== null && plan.key === key;
  const readOnly = store.readOnly;

  const lines = useMemo(() => compose.split('\n').length, [compose]);
  const byLine = useMemo(() => {
    const map = new Map<number, ComposeProblem[]>();
    for (const problem of problems) {
      if (problem.line == null) continue;
      map.set(problem.line, [...(map.get(problem.line) ?? []), problem]);
    }
    return map;
  }, [problems]);

  /** Puts the caret at line:column (1-based) of the compose text and scrolls it into view. */
  const goTo = (line: number, column: number | null | undefined) => {
    const element = textarea.current;
    if (!element) return;
    const text = element.value.split('\n');
    const row = Math.min(Math.max(line, 1), text.length) - 1;
    let offset = 0;
    for (let at = 0; at < row; at += 1) offset += text[at]!.length + 1;
    offset += Math.min(Math.max((column ?? 1) - 1, 0), text[row]!.length);
    element.focus();
    element.setSelectionRange(offset, offset);
    const lineHeight = Number.parseFloat(getComputedStyle(element).lineHeight) || 18;
    element.scrollTop = Math.max(0, row * lineHeight - element.clientHeight / 3);
    syncGutter();
  };

  const syncGutter = () => {
    if (gutter.current && textarea.current) gutter.current.scrollTop = textarea.current.scrollTop;
  };

  const deploy = (dryRun: boolean) =>
    api.request(DEPLOY_STACK, {
      input: { name: stackName, compose, env, dryRun, removeOrphans },
    });

  /** An answer that is not a DeployStackResult: problems at their lines, or one error. */
  const refused = (answer: Awaited<ReturnType<typeof deploy>>['deployStack']) => {
    if (answer.__typename === 'InvalidComposeError') {
      setProblems(answer.problems);
      setError(`${answer.code}: ${answer.message}`);
    } else if (answer.__typename !== 'DeployStackResult') {
      setError(payloadError(answer));
    }
  };

  const check = async () => {
    setPhase('planning');
    setError(null);
    setProblems([]);
    setPlan(null);
    setResult(null);
    setProgress([]);
    try {
      const { deployStack: answer } = await deploy(true);
      if (answer.__typename === 'DeployStackResult') setPlan({ key, plan: answer.plan });
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
      const { deployStack: answer } = await runFollowed(
        api,
        target,
        (message) => setProgress((current) => [...current, message]),
        () => deploy(false),
      );
      if (answer.__typename === 'DeployStackResult') {
        setResult({ stack: target, result: answer });
        props.onDeployed(target);
      } else {
        refused(answer);
      }
    } catch (failure) {
      setError(failureText(failure, store));
    } finally {
      setPhase('idle');
    }
  };

  return (
    <section class="card stack-editor" aria-label="Compose file">
      <header>
        <h2>{props.stack === null ? 'New stack' : readOnly ? 'Compose file' : 'Edit and deploy'}</h2>
      </header>
      {props.stack === null && (
        <label>
          Stack name
          <input
            name="stack-name"
            value={name}
            placeholder="lowercase letters, digits, - and _"
            spellcheck={false}
            autocomplete="off"
            readOnly={readOnly}
            onInput={(event) => setName(event.currentTarget.value)}
          />
        </label>
      )}
      <div class="field">
        <span>compose.yaml</span>
        <div class="code-editor">
          <div class="gutter" ref={gutter} aria-hidden="true">
            {Array.from({ length: lines }, (_, at) => {
              const marked = byLine.get(at + 1);
              return (
                <div
                  key={at}
                  class={marked ? 'gutter-line problem' : 'gutter-line'}
                  data-line={at + 1}
                  title={marked?.map((problem) => problem.message).join('\n')}
                  onClick={marked ? () => goTo(at + 1, marked[0]!.column) : undefined}
                >
                  {marked ? '●' : ''}
                  {at + 1}
                </div>
              );
            })}
          </div>
          <textarea
            ref={textarea}
            name="compose"
            aria-label="compose.yaml"
            rows={Math.min(Math.max(lines + 1, 8), 30)}
            wrap="off"
            spellcheck={false}
            autocomplete="off"
            readOnly={readOnly}
            value={compose}
            onInput={(event) => setCompose(event.currentTarget.value)}
            onScroll={syncGutter}
          />
        </div>
      </div>
      <label>
        .env
        <textarea
          name="env"
          rows={3}
          wrap="off"
          spellcheck={false}
          autocomplete="off"
          readOnly={readOnly}
          placeholder="TAG=1.27"
          value={env}
          onInput={(event) => setEnv(event.currentTarget.value)}
        />
      </label>
      {problems.length > 0 && (
        <ol class="problems" aria-label="Problems">
          {problems.map((problem, at) => (
            <li key={at} data-line={problem.line ?? undefined} data-key={problem.key ?? undefined}>
              {problem.line != null ? (
                <button type="button" class="link" onClick={() => goTo(problem.line!, problem.column)}>
                  line {problem.line}
                  {problem.column != null && `:${problem.column}`}
                </button>
              ) : (
                <span class="muted">whole file</span>
              )}
              {problem.path && <code>{problem.path}</code>}
              <span>{problem.message}</span>
            </li>
          ))}
        </ol>
      )}
      {readOnly ? (
        <p class="muted">This token may only read: it cannot plan or deploy.</p>
      ) : (
        <div class="actions">
          <label class="inline">
            <input
              type="checkbox"
              name="remove-orphans"
              checked={removeOrphans}
              onChange={(event) => setRemoveOrphans(event.currentTarget.checked)}
            />
            remove services no longer in the file
          </label>
          <button type="button" disabled={phase !== 'idle'} onClick={() => void check()}>
            {phase === 'planning' ? 'Planning…' : 'Check and plan'}
          </button>
          <button
            type="submit"
            disabled={phase !== 'idle' || !planIsCurrent}
            title={planIsCurrent ? undefined : 'Plan the file as it is first'}
            onClick={() => void apply()}
          >
            {phase === 'deploying' ? 'Deploying…' : 'Deploy'}
          </button>
        </div>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {plan && <PlanView plan={plan.plan} stale={!planIsCurrent} />}
      {progress.length > 0 && <ProgressLog messages={progress} label="Deploy progress" />}
      {result && <Outcomes stack={result.stack} result={result.result} linkToStack={props.stack === null} />}
    </section>
  );
}

export function PlanView(props: { plan: StackPlan; stale: boolean }) {
  const { plan } = props;
  return (
    <section class="plan" aria-label="Plan" data-changes={String(plan.changes)}>
      <h3>
        Plan <small>{plan.changes ? 'what a deploy changes' : 'nothing to change'}</small>
        {props.stale && <small class="error"> the file changed since: plan it again</small>}
      </h3>
      <table>
        <thead>
          <tr>
            <th>service</th>
            <th>action</th>
            <th class="num">replicas</th>
            <th>reason</th>
          </tr>
        </thead>
        <tbody>
          {plan.services.map((service) => (
            <tr key={service.service} data-service={service.service} data-action={service.action}>
              <td>{service.service}</td>
              <td>
                <span class={`badge action-${service.action.toLowerCase()}`}>
                  {service.action.toLowerCase()}
                </span>
              </td>
              <td class="num replicas">
                {service.currentReplicas}→{service.desiredReplicas}
              </td>
              <td class="reason">{service.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {plan.resources.length > 0 && (
        <table class="resources">
          <thead>
            <tr>
              <th>{plan.resources.length === 1 ? 'resource' : 'resources'}</th>
              <th>name</th>
              <th>action</th>
            </tr>
          </thead>
          <tbody>
            {plan.resources.map((resource) => (
              <tr key={`${resource.kind}:${resource.key}`} data-resource={resource.name}>
                <td>
                  {resource.kind.toLowerCase()} <code>{resource.key}</code>
                </td>
                <td>
                  <code>{resource.name}</code>
                </td>
                <td>{resource.action.toLowerCase()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function Outcomes(props: {
  stack: string;
  result: Pick<DeployStackResult, 'ok' | 'outcomes'>;
  linkToStack: boolean;
}) {
  const { result } = props;
  return (
    <section class="outcomes" aria-label="Outcomes" data-ok={String(result.ok)}>
      <h3>
        {result.ok ? 'Deployed' : 'Deployed with failures'}{' '}
        {props.linkToStack && <a href={href({ page: 'stacks', stack: props.stack })}>open {props.stack}</a>}
      </h3>
      <ul>
        {result.outcomes.map((outcome) => (
          <li key={outcome.service} data-service={outcome.service} data-outcome={outcome.outcome}>
            <code>{outcome.service}</code>{' '}
            <span class={`badge outcome-${outcome.outcome.toLowerCase()}`}>
              {outcome.outcome.toLowerCase()}
            </span>
            {outcome.message && <span> {outcome.message}</span>}
          </li>
        ))}
      </ul>
    </section>
  );
}

import { useState } from 'preact/hooks';
import { ApiError, type BerthApi } from '../api.js';
import { CREATE_CONTAINER, type CreateContainerInput, type RestartPolicyName } from '../operations.js';
import { FormError, parseKeyValues, parsePorts, splitCommand } from '../parse.js';
import { useTopics } from '../hooks.js';
import { ALL_HOSTS, LOCAL } from '../router.js';
import type { DashboardStore } from '../store.js';

interface Fields {
  name: string;
  image: string;
  command: string;
  env: string;
  labels: string;
  ports: string;
  restart: RestartPolicyName;
  retries: string;
}

const EMPTY: Fields = {
  name: '',
  image: '',
  command: '',
  env: '',
  labels: '',
  ports: '',
  restart: 'NO',
  retries: '',
};

function toInput(fields: Fields): CreateContainerInput {
  const input: CreateContainerInput = { image: fields.image.trim() };
  if (fields.name.trim()) input.name = fields.name.trim();
  const command = splitCommand(fields.command);
  if (command.length > 0) input.command = command;
  const env = parseKeyValues(fields.env, 'env');
  if (env.length > 0) input.env = env;
  const labels = parseKeyValues(fields.labels, 'labels');
  if (labels.length > 0) input.labels = labels;
  const ports = parsePorts(fields.ports);
  if (ports.length > 0) input.ports = ports;
  if (fields.restart !== 'NO') {
    input.restartPolicy = { name: fields.restart };
    if (fields.restart === 'ON_FAILURE' && fields.retries.trim()) {
      const retries = Number(fields.retries);
      if (!Number.isInteger(retries) || retries < 0)
        throw new FormError('retries', 'a whole number, 0 or more');
      input.restartPolicy.maximumRetryCount = retries;
    }
  }
  return input;
}

/** createContainer from a form; berth's typed errors (with the field they name) are shown as they come. */
export function CreateForm(props: { api: BerthApi; store: DashboardStore }) {
  const { api, store } = props;
  const [fields, setFields] = useState<Fields>(EMPTY);
  const [error, setError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [open, setOpen] = useState(false);

  const bind = (key: keyof Fields) => ({
    name: key,
    value: fields[key],
    onInput: (event: Event) =>
      setFields((current) => ({ ...current, [key]: (event.currentTarget as HTMLInputElement).value })),
  });

  useTopics(store, 'hosts');
  // With every host shown, a new container goes to berth's own engine.
  const target = store.scope === ALL_HOSTS ? LOCAL : store.scope;

  const submit = async (event: Event) => {
    event.preventDefault();
    setError(null);
    let input: CreateContainerInput;
    try {
      input = toInput(fields);
    } catch (failure) {
      if (!(failure instanceof FormError)) throw failure;
      setError(`${failure.field}: ${failure.message}`);
      return;
    }
    setCreating(true);
    try {
      const { createContainer: payload } = await api.request(CREATE_CONTAINER, {
        environment: target,
        input,
      });
      if (payload.__typename === 'CreateContainerSuccess') {
        store.upsert(payload.container);
        store.select(payload.container.id);
        setFields(EMPTY);
      } else {
        const field = 'field' in payload ? payload.field : undefined;
        setError(new ApiError(payload.code, payload.message, field).toString());
      }
    } catch (failure) {
      setError(failure instanceof ApiError ? failure.toString() : String(failure));
    } finally {
      setCreating(false);
    }
  };

  return (
    <section class="card create" aria-label="Create a container">
      <header>
        <h2>
          <button type="button" class="link" aria-expanded={open} onClick={() => setOpen(!open)}>
            {open ? '▾' : '▸'} Create a container
          </button>{' '}
          <small data-target-environment={target}>on {target}</small>
        </h2>
      </header>
      {open && (
        <form onSubmit={submit}>
          <label>
            Image
            <input {...bind('image')} required placeholder="nginx:latest" spellcheck={false} />
          </label>
          <label>
            Name
            <input {...bind('name')} placeholder="optional" spellcheck={false} />
          </label>
          <label class="wide">
            Command
            <input
              {...bind('command')}
              placeholder="optional, e.g. sh -c 'echo hi; sleep 60'"
              spellcheck={false}
            />
          </label>
          <label class="wide">
            Environment
            <textarea {...bind('env')} rows={2} placeholder={'MODE=demo\nLEVEL=2'} spellcheck={false} />
          </label>
          <label class="wide">
            Labels
            <textarea {...bind('labels')} rows={1} placeholder="team=web" spellcheck={false} />
          </label>
          <label>
            Ports
            <input {...bind('ports')} placeholder="127.0.0.1:8081:80, 53/udp" spellcheck={false} />
          </label>
          <label>
            Restart
            <select {...bind('restart')}>
              <option value="NO">no</option>
              <option value="ON_FAILURE">on failure</option>
              <option value="UNLESS_STOPPED">unless stopped</option>
              <option value="ALWAYS">always</option>
            </select>
          </label>
          {fields.restart === 'ON_FAILURE' && (
            <label>
              Retries
              <input {...bind('retries')} inputMode="numeric" placeholder="unlimited" />
            </label>
          )}
          <div class="wide form-actions">
            <button type="submit" disabled={creating}>
              {creating ? 'Creating…' : 'Create and start'}
            </button>
          </div>
          {error && (
            <p class="error wide" role="alert">
              {error}
            </p>
          )}
        </form>
      )}
    </section>
  );
}

import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResultOf, TypedDocumentNode } from '@graphql-typed-document-node/core';
import type Docker from 'dockerode';
import { execute, subscribe as subscribeInProcess } from 'graphql';
import type { Client } from 'graphql-ws';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Principal } from '../../src/platform/auth/principal.js';
import { schema } from '../../src/api/graphql/index.js';
import { TEST_LABEL, cleanupLabelled, testDocker } from '../harness/docker.js';
import { startBerth, uniqueName, type RunningBerth } from '../support/berth.js';
import {
  ActiveAlertWebhooks,
  ActiveAlerts,
  AlertRules,
  AlertsSubscription,
  CreateAlertRule,
  DeleteAlertRule,
  RemoveContainer,
  StopContainer,
  UpdateAlertRule,
} from '../support/operations/index.js';
import { subscribe, wsClient, type Subscription } from '../support/subscriptions.js';
import { waitFor } from '../support/wait.js';

const LABEL = 'alerts';
/** A secret in the text form berth took before Standard Webhooks, still accepted. */
const SECRET = 'alerts-test-secret-0123456789';
/** The same key in the spec's form, as a receiver's library takes it. */
const SECRET_WHSEC = `whsec_${Buffer.from(SECRET).toString('base64')}`;
let berth: RunningBerth;
let docker: Docker;
let client: Client;
const receivers: Server[] = [];

beforeAll(async () => {
  docker = testDocker(inject('dockerHost'));
  berth = await startBerth({}, { label: LABEL });
  client = wsClient(berth.url);
});

afterAll(async () => {
  await client?.dispose();
  await berth?.stop();
  for (const server of receivers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  await cleanupLabelled(docker, `${TEST_LABEL}=${LABEL}`);
});

interface Delivery {
  headers: IncomingMessage['headers'];
  body: string;
  status: number;
  json: {
    id: string;
    state: string;
    value: number | null;
    message: string;
    rule: { id: string };
    container: { id: string; name: string };
  };
}

/** A webhook receiver on loopback: answers `statuses` in turn (200 once they run out) and keeps what it got. */
async function webhookReceiver(statuses: number[] = []) {
  const received: Delivery[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const status = statuses[received.length] ?? 200;
      received.push({ headers: req.headers, body, status, json: JSON.parse(body) as Delivery['json'] });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receivers.push(server);
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/berth`;
  return {
    url,
    received,
    /** The first delivery matching, once it has arrived. */
    async next(match: (d: Delivery) => boolean, timeoutMs = 20_000): Promise<Delivery> {
      return waitFor(
        async () => {
          const found = received.find(match);
          if (!found) throw new Error(`no matching delivery among ${received.length}`);
          return found;
        },
        timeoutMs,
        50,
      );
    },
  };
}

/** The receiver's side of the signature: any Standard Webhooks library, on the raw body. */
function signatureIsValid(delivery: Delivery, secret = SECRET_WHSEC): boolean {
  try {
    new Webhook(secret).verify(delivery.body, delivery.headers as Record<string, string>);
    return true;
  } catch {
    return false;
  }
}

async function createRule(input: Record<string, unknown>) {
  const { createAlertRule } = await berth.query(CreateAlertRule, {
    input: { name: uniqueName('rule'), ...input } as never,
  });
  if (createAlertRule.__typename !== 'CreateAlertRuleSuccess') {
    throw new Error(`createAlertRule failed: ${JSON.stringify(createAlertRule)}`);
  }
  return { ...createAlertRule.rule, webhookSecret: createAlertRule.webhookSecret };
}

/** Subscribes to one rule's alerts and returns once berth has the listener. */
async function alertsOf(ruleId: string) {
  const before = berth.app.context.alerts.subscribers;
  const subscription = subscribe(client, AlertsSubscription, { ruleId });
  await waitFor(async () => expect(berth.app.context.alerts.subscribers).toBe(before + 1));
  return subscription;
}

type AlertMessage = ResultOf<typeof AlertsSubscription>['alerts'];

/** The next alert message that matches, skipping others. */
async function nextAlert(
  subscription: Subscription<ResultOf<typeof AlertsSubscription>>,
  match: (alert: AlertMessage) => boolean,
  timeoutMs = 30_000,
): Promise<AlertMessage> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { alerts } = await subscription.next(Math.max(1, deadline - Date.now()));
    if (match(alerts)) return alerts;
  }
}

const labels = (value: string) => [
  { name: TEST_LABEL, value: LABEL },
  { name: 'alerts.case', value },
];

describe('alert rules fire and resolve on real containers, to webhooks and the alerts subscription', () => {
  it('CPU above 50% for 2 s on a busy container: FIRING to a webhook with a valid signature, RESOLVED when it stops', async () => {
    const receiver = await webhookReceiver();
    const name = uniqueName('busy');
    const rule = await createRule({
      kind: 'CPU_ABOVE',
      thresholdPercent: 50,
      forSeconds: 2,
      scope: { container: name },
      // No secret given: berth generates one and shows it this once.
      webhook: { url: receiver.url },
    });
    expect(rule).toMatchObject({ kind: 'CPU_ABOVE', thresholdPercent: 50, forSeconds: 2, enabled: true });
    expect(rule.webhook).toEqual({ url: receiver.url });
    const secret = rule.webhookSecret!;
    expect(secret).toMatch(/^whsec_/);
    const subscription = await alertsOf(rule.id);

    // Two busy loops: above 50% even when the other core is taken.
    const container = await berth.create({
      name,
      command: ['sh', '-c', 'while :; do :; done & while :; do :; done'],
      labels: labels('cpu'),
    });
    const firing = await nextAlert(subscription, (a) => a.containerId === container.id).catch(
      (error: Error) => {
        // The figure is the machine's as much as the container's: say what it was.
        const cpu = berth.app.stats.latest(container.id)?.cpuPercent;
        throw new Error(`${error.message}; the busy container's CPU was ${cpu?.toFixed(1) ?? 'unknown'}%`);
      },
    );
    expect(firing).toMatchObject({
      state: 'FIRING',
      containerName: name,
      rule: { id: rule.id, kind: 'CPU_ABOVE' },
    });
    expect(firing.value!).toBeGreaterThan(50);
    // Held for 2 s at least before firing, as the rule says.
    const held = /^CPU \d+\.\d%, above 50\.0% for (\d+) s$/.exec(firing.message);
    expect(held, firing.message).not.toBeNull();
    expect(Number(held![1])).toBeGreaterThanOrEqual(2);

    const { activeAlerts } = await berth.query(ActiveAlerts);
    expect(activeAlerts.find((a) => a.id === firing.id)).toMatchObject({
      state: 'FIRING',
      containerId: container.id,
    });

    const fired = await receiver.next((d) => d.json.id === firing.id && d.json.state === 'FIRING');
    expect(signatureIsValid(fired, secret)).toBe(true);
    expect(signatureIsValid(fired, SECRET_WHSEC)).toBe(false);
    expect(fired.headers['content-type']).toBe('application/json');
    expect(fired.json).toMatchObject({
      rule: { id: rule.id },
      container: { id: container.id, name },
      value: firing.value,
    });

    const { stopContainer } = await berth.query(StopContainer, { id: container.id, timeoutSeconds: 1 });
    expect(stopContainer.__typename).toBe('StopContainerSuccess');
    const resolved = await nextAlert(subscription, (a) => a.id === firing.id);
    expect(resolved).toMatchObject({
      state: 'RESOLVED',
      containerId: container.id,
      message: 'the container stopped',
    });
    const resolvedDelivery = await receiver.next(
      (d) => d.json.id === firing.id && d.json.state === 'RESOLVED',
    );
    expect(signatureIsValid(resolvedDelivery, secret)).toBe(true);
    // One message per state: firing once and resolving once, in that order.
    expect(receiver.received.map((d) => d.json.state)).toEqual(['FIRING', 'RESOLVED']);

    expect((await berth.query(ActiveAlerts)).activeAlerts.find((a) => a.id === firing.id)).toBeUndefined();
    await waitFor(async () => {
      const { alertRules } = await berth.query(AlertRules);
      expect(alertRules.find((r) => r.id === rule.id)?.webhook?.lastDelivery).toMatchObject({
        alertId: firing.id,
        state: 'RESOLVED',
        ok: true,
        attempts: 1,
        statusCode: 200,
        error: null,
      });
    });

    // A subscriber that leaves takes its listener with it.
    const before = berth.app.context.alerts.subscribers;
    subscription.unsubscribe();
    await waitFor(async () => expect(berth.app.context.alerts.subscribers).toBe(before - 1));
  });

  it('OOM-killed and exited non-zero fire for containers in a label scope, and resolve when they are removed', async () => {
    const scope = { label: 'alerts.case=exits' };
    const oomRule = await createRule({ kind: 'OOM_KILLED', scope });
    const exitRule = await createRule({ kind: 'EXITED_NON_ZERO', scope });
    const oomAlerts = await alertsOf(oomRule.id);
    const exitAlerts = await alertsOf(exitRule.id);

    const hungry = await berth.create({
      command: ['tail', '/dev/zero'],
      resources: { memoryBytes: 16 * 1024 * 1024 },
      labels: labels('exits'),
    });
    const failing = await berth.create({ command: ['sh', '-c', 'exit 3'], labels: labels('exits') });
    // Out of scope: the same failure without the label fires nothing.
    const elsewhere = await berth.create({ command: ['sh', '-c', 'exit 4'], labels: labels('other') });

    const oom = await nextAlert(oomAlerts, (a) => a.containerId === hungry.id);
    expect(oom).toMatchObject({
      state: 'FIRING',
      value: null,
      message: 'killed by the kernel for lack of memory (memory limit 16 MiB)',
    });
    const exits = [await nextAlert(exitAlerts, () => true), await nextAlert(exitAlerts, () => true)].sort(
      (a, b) => (a.value ?? 0) - (b.value ?? 0),
    );
    expect(exits.map((a) => [a.state, a.containerId, a.value, a.message])).toEqual([
      ['FIRING', failing.id, 3, 'exited with code 3'],
      ['FIRING', hungry.id, 137, 'exited with code 137'],
    ]);
    const active = (await berth.query(ActiveAlerts)).activeAlerts.filter(
      (a) => a.rule.id === oomRule.id || a.rule.id === exitRule.id,
    );
    expect(active).toHaveLength(3);
    expect(active.some((a) => a.containerId === elsewhere.id)).toBe(false);

    for (const container of [hungry, failing]) {
      await berth.query(RemoveContainer, { id: container.id, force: true });
    }
    const resolvedOom = await nextAlert(oomAlerts, (a) => a.id === oom.id);
    expect(resolvedOom).toMatchObject({ state: 'RESOLVED', message: 'the container was removed' });
    const resolvedExits = [await nextAlert(exitAlerts, () => true), await nextAlert(exitAlerts, () => true)];
    expect(resolvedExits.map((a) => a.id).sort()).toEqual(exits.map((a) => a.id).sort());
    expect(resolvedExits.every((a) => a.state === 'RESOLVED')).toBe(true);
    // Nothing from the container outside the scope, ever.
    expect([...oomAlerts.pending, ...exitAlerts.pending]).toEqual([]);
    oomAlerts.unsubscribe();
    exitAlerts.unsubscribe();
  });

  it('unhealthy fires when a health check fails, and resolves when the container is stopped', async () => {
    const name = uniqueName('sick');
    const rule = await createRule({ kind: 'UNHEALTHY', scope: { container: name } });
    const subscription = await alertsOf(rule.id);
    const container = await berth.create({
      name,
      // A shell that leaves at once on SIGTERM, so the stop is quick.
      command: ['sh', '-c', 'trap "exit 0" TERM; while :; do sleep 1; done'],
      healthcheck: { test: ['CMD-SHELL', 'echo not ready; exit 1'], intervalSeconds: 1, retries: 1 },
      labels: labels('health'),
    });
    const firing = await nextAlert(subscription, (a) => a.containerId === container.id);
    expect(firing).toMatchObject({ state: 'FIRING', message: 'health check failing (exit 1: not ready)' });
    await berth.query(StopContainer, { id: container.id, timeoutSeconds: 5 });
    const resolved = await nextAlert(subscription, (a) => a.id === firing.id);
    expect(resolved).toMatchObject({ state: 'RESOLVED', containerId: container.id });
    expect(['the container stopped', 'the container was stopped']).toContain(resolved.message);
    subscription.unsubscribe();
  });

  it('a restart loop fires after N restarts by the restart policy within the window, and resolves on removal', async () => {
    const name = uniqueName('loop');
    const rule = await createRule({
      kind: 'RESTART_LOOP',
      restarts: 2,
      windowSeconds: 120,
      scope: { container: name },
    });
    const subscription = await alertsOf(rule.id);
    const container = await berth.create({
      name,
      command: ['sh', '-c', 'sleep 0.3; exit 1'],
      restartPolicy: { name: 'ON_FAILURE', maximumRetryCount: 0 },
      labels: labels('loop'),
    });
    const firing = await nextAlert(subscription, (a) => a.containerId === container.id);
    expect(firing.state).toBe('FIRING');
    expect(firing.value!).toBeGreaterThanOrEqual(2);
    expect(firing.message).toMatch(/^restarted \d+ times within 120 s$/);
    await berth.query(RemoveContainer, { id: container.id, force: true });
    const resolved = await nextAlert(subscription, (a) => a.id === firing.id);
    expect(resolved).toMatchObject({ state: 'RESOLVED', message: 'the container was removed' });
    subscription.unsubscribe();
  });
});

describe('webhook delivery', () => {
  it('retries a receiver that answers 500 twice, then 200: delivered once, after 3 attempts, each signed', async () => {
    const receiver = await webhookReceiver([500, 500, 200]);
    const name = uniqueName('exit3');
    const rule = await createRule({
      kind: 'EXITED_NON_ZERO',
      scope: { container: name },
      webhook: { url: receiver.url, secret: SECRET },
    });
    await berth.create({ name, command: ['sh', '-c', 'exit 3'], labels: labels('retry') });
    await receiver.next((d) => d.status === 200, 30_000);
    expect(receiver.received.map((d) => d.status)).toEqual([500, 500, 200]);
    expect(receiver.received.every((d) => signatureIsValid(d))).toBe(true);
    expect(receiver.received.every((d) => d.json.state === 'FIRING' && d.json.value === 3)).toBe(true);
    expect(new Set(receiver.received.map((d) => d.headers['webhook-id'])).size).toBe(1);
    await waitFor(async () => {
      const { alertRules } = await berth.query(AlertRules);
      expect(alertRules.find((r) => r.id === rule.id)?.webhook?.lastDelivery).toMatchObject({
        state: 'FIRING',
        ok: true,
        attempts: 3,
        statusCode: 200,
      });
    });
    await berth.query(RemoveContainer, { id: name, force: true });
    await receiver.next((d) => d.json.state === 'RESOLVED');
    expect(receiver.received.filter((d) => d.status === 200).map((d) => d.json.state)).toEqual([
      'FIRING',
      'RESOLVED',
    ]);
  });
});

describe('managing rules', () => {
  it('refuses bad input with INVALID_INPUT naming the field, and unknown ids with ALERT_RULE_NOT_FOUND', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ kind: 'CPU_ABOVE' }, 'input.thresholdPercent'],
      [{ kind: 'MEMORY_ABOVE', thresholdPercent: 120 }, 'input.thresholdPercent'],
      [{ kind: 'CPU_ABOVE', thresholdPercent: 50, forSeconds: -5 }, 'input.forSeconds'],
      [{ kind: 'OOM_KILLED', windowSeconds: 10 }, 'input.windowSeconds'],
      [{ kind: 'RESTART_LOOP', restarts: 3 }, 'input.windowSeconds'],
      [{ kind: 'UNHEALTHY', scope: { container: 'bad name!' } }, 'input.scope.container'],
      [{ kind: 'UNHEALTHY', webhook: { url: 'file:///etc/passwd', secret: SECRET } }, 'input.webhook.url'],
      [
        { kind: 'UNHEALTHY', webhook: { url: 'http://127.0.0.1:9/', secret: 'whsec_c2hvcnQ=' } },
        'input.webhook.secret',
      ],
      [
        { kind: 'UNHEALTHY', webhook: { url: 'http://127.0.0.1:9/', secret: 'short' } },
        'input.webhook.secret',
      ],
      [{ kind: 'UNHEALTHY', name: '' }, 'input.name'],
    ];
    for (const [input, field] of cases) {
      const { createAlertRule } = await berth.query(CreateAlertRule, {
        input: { name: 'bad', ...input } as never,
      });
      expect(createAlertRule, JSON.stringify(input)).toMatchObject({
        __typename: 'InvalidInputError',
        code: 'INVALID_INPUT',
        field,
      });
    }

    const rule = await createRule({ kind: 'CPU_ABOVE', thresholdPercent: 80, forSeconds: 10 });
    const { updateAlertRule: bad } = await berth.query(UpdateAlertRule, {
      id: rule.id,
      input: { thresholdPercent: 0 },
    });
    expect(bad).toMatchObject({ code: 'INVALID_INPUT', field: 'input.thresholdPercent' });
    const { updateAlertRule: good } = await berth.query(UpdateAlertRule, {
      id: rule.id,
      input: { thresholdPercent: 90, enabled: false },
    });
    expect(good).toMatchObject({
      __typename: 'UpdateAlertRuleSuccess',
      rule: { thresholdPercent: 90, forSeconds: 10, enabled: false },
    });
    const { updateAlertRule: missing } = await berth.query(UpdateAlertRule, {
      id: '000000000000',
      input: { enabled: true },
    });
    expect(missing).toMatchObject({ __typename: 'AlertRuleNotFoundError', code: 'ALERT_RULE_NOT_FOUND' });
    const { deleteAlertRule } = await berth.query(DeleteAlertRule, { id: rule.id });
    expect(deleteAlertRule).toMatchObject({ __typename: 'DeleteAlertRuleSuccess', rule: { id: rule.id } });
    const { deleteAlertRule: again } = await berth.query(DeleteAlertRule, { id: rule.id });
    expect(again).toMatchObject({ code: 'ALERT_RULE_NOT_FOUND' });
    expect((await berth.query(AlertRules)).alertRules.some((r) => r.id === rule.id)).toBe(false);
  });

  it('keeps rules in the database across a restart of berth', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'berth-alerts-'));
    try {
      const first = await startBerth({ BERTH_DATA_DIR: dataDir }, { label: LABEL });
      const { createAlertRule } = await first.query(CreateAlertRule, {
        input: {
          name: 'kept',
          kind: 'RESTART_LOOP',
          restarts: 5,
          windowSeconds: 300,
          scope: { label: 'team=web' },
          webhook: { url: 'https://hooks.example.test/berth', secret: SECRET },
        },
      });
      await first.stop();
      const second = await startBerth({ BERTH_DATA_DIR: dataDir }, { label: LABEL });
      const { alertRules } = await second.query(AlertRules);
      await second.stop();
      expect(createAlertRule.__typename).toBe('CreateAlertRuleSuccess');
      expect(alertRules).toEqual([
        expect.objectContaining({
          name: 'kept',
          kind: 'RESTART_LOOP',
          restarts: 5,
          windowSeconds: 300,
          scope: { container: null, label: 'team=web' },
          webhook: { url: 'https://hooks.example.test/berth', lastDelivery: null },
        }),
      ]);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('only admins manage rules and see webhooks; viewers read activeAlerts and subscribe (FORBIDDEN otherwise)', async () => {
    // An alert firing now, so that a rule (and its webhook) is reachable from activeAlerts.
    const receiver = await webhookReceiver();
    const name = uniqueName('roles');
    const rule = await createRule({
      kind: 'EXITED_NON_ZERO',
      scope: { container: name },
      webhook: { url: receiver.url, secret: SECRET },
    });
    await berth.create({ name, command: ['sh', '-c', 'exit 5'], labels: labels('roles') });
    await waitFor(async () => {
      const { activeAlerts } = await berth.query(ActiveAlerts);
      expect(activeAlerts.some((a) => a.rule.id === rule.id)).toBe(true);
    });

    const as = (role: Principal['role']) => ({
      ...berth.app.context,
      principal: { tokenId: `alerts-${role}`, name: role, role },
    });
    const run = async <TResult, TVariables extends Record<string, unknown>>(
      role: Principal['role'],
      document: TypedDocumentNode<TResult, TVariables>,
      variableValues?: TVariables,
    ) => {
      const result = await execute({ schema, document, contextValue: as(role), variableValues });
      return {
        data: result.data as Record<string, unknown> | null | undefined,
        codes: (result.errors ?? []).map((e) => (e.originalError as { code?: string } | undefined)?.code),
        messages: (result.errors ?? []).map((e) => e.message),
      };
    };
    const create = (role: Principal['role']) =>
      run(role, CreateAlertRule, { input: { name: 'x', kind: 'UNHEALTHY' } });
    for (const role of ['viewer', 'operator'] as const) {
      const attempts = {
        alertRules: await run(role, AlertRules),
        createAlertRule: await create(role),
        updateAlertRule: await run(role, UpdateAlertRule, { id: rule.id, input: { enabled: false } }),
        deleteAlertRule: await run(role, DeleteAlertRule, { id: rule.id }),
      };
      for (const [field, { codes }] of Object.entries(attempts)) {
        expect(codes, `${role}: ${field}`).toEqual(['FORBIDDEN']);
      }
    }
    expect((await create('operator')).messages).toEqual(['this needs the admin role']);

    const viewed = await run('viewer', ActiveAlerts);
    expect(viewed.codes).toEqual([]);
    expect(viewed.data?.['activeAlerts']).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ rule: expect.objectContaining({ id: rule.id, name: rule.name }) }),
      ]),
    );
    const peeking = await run('viewer', ActiveAlertWebhooks);
    expect(new Set(peeking.codes)).toEqual(new Set(['FORBIDDEN']));
    expect(JSON.stringify(peeking.data)).not.toContain(receiver.url);
    const admin = await run('admin', ActiveAlertWebhooks);
    expect(admin.codes).toEqual([]);
    expect(JSON.stringify(admin.data)).toContain(receiver.url);

    // A viewer may subscribe; leaving releases the listener.
    const before = berth.app.context.alerts.subscribers;
    const stream = await subscribeInProcess({
      schema,
      document: AlertsSubscription,
      contextValue: as('viewer'),
    });
    expect(Symbol.asyncIterator in stream).toBe(true);
    const iterator = stream as AsyncIterableIterator<unknown>;
    const first = iterator.next();
    await waitFor(async () => expect(berth.app.context.alerts.subscribers).toBe(before + 1));
    await iterator.return?.();
    await first;
    await waitFor(async () => expect(berth.app.context.alerts.subscribers).toBe(before));

    // The rule's deletion resolves its alert, to its webhook too.
    const { deleteAlertRule } = await berth.query(DeleteAlertRule, { id: rule.id });
    expect(deleteAlertRule.__typename).toBe('DeleteAlertRuleSuccess');
    const resolved = await receiver.next((d) => d.json.state === 'RESOLVED');
    expect(resolved.json.message).toBe('the rule was deleted');
    expect(signatureIsValid(resolved)).toBe(true);
  });
});

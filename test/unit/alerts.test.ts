import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AlertEvaluator, type AlertEvent } from '../../src/domain/alerts/evaluator.js';
import {
  applyRulePatch,
  inScope,
  validateRuleDefinition,
  type AlertRule,
  type AlertRuleDefinition,
  type AlertRuleInput,
} from '../../src/domain/alerts/rules.js';
import { AlertRuleStore } from '../../src/domain/alerts/store.js';
import type { ContainerChange } from '../../src/domain/containers/container-index.js';
import type { Container } from '../../src/domain/containers/model.js';
import { InvalidInputError } from '../../src/shared/errors.js';
import type { ContainerStats } from '../../src/domain/stats/model.js';
import { BerthDatabase } from '../../src/platform/store/database.js';

const T0 = Date.parse('2026-03-01T12:00:00Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);
const ID_A = 'a'.repeat(64);
const ID_B = 'b'.repeat(64);

function container(overrides: Partial<Container> = {}): Container {
  return {
    environment: 'local',
    id: ID_A,
    name: 'web',
    image: 'busybox',
    imageId: 'sha256:' + 'c'.repeat(64),
    command: ['sh'],
    status: 'RUNNING',
    exitCode: null,
    startedAt: at(0),
    finishedAt: null,
    oomKilled: false,
    createdAt: at(-10),
    health: 'NONE',
    restartCount: 0,
    restartPolicy: { name: 'NO', maximumRetryCount: 0 },
    env: [],
    ports: [],
    labels: [{ name: 'team', value: 'web' }],
    resources: { memoryBytes: 0, nanoCpus: 0 },
    lastProbe: null,
    pid: 100,
    tty: false,
    networks: [],
    mounts: [],
    ...overrides,
  };
}

let ruleCounter = 0;
function rule(input: AlertRuleInput): AlertRule {
  ruleCounter += 1;
  return {
    id: `rule${ruleCounter}`,
    ...validateRuleDefinition({ name: `rule ${ruleCounter}`, ...input }),
    createdAt: at(0),
    updatedAt: at(0),
  };
}

function sample(id: string, cpuPercent: number | null, memoryPercent = 10): ContainerStats {
  return {
    containerId: id,
    at: at(0),
    cpuPercent,
    memoryUsageBytes: 1,
    memoryLimitBytes: 10,
    memoryPercent,
    networkRxBytes: 0,
    networkTxBytes: 0,
    blockReadBytes: 0,
    blockWriteBytes: 0,
    pids: 1,
  };
}

/** An evaluator over a synthetic index: `containers` is what the index knows now. */
function harness() {
  const containers = new Map<string, Container>();
  const events: AlertEvent[] = [];
  let ids = 0;
  const evaluator = new AlertEvaluator({
    lookup: (id) => containers.get(id),
    containers: () => [...containers.values()],
    emit: (event) => events.push(event),
    newId: () => `alert-${++ids}`,
  });
  const put = (c: Container) => containers.set(c.id, c);
  const forget = (id: string) => containers.delete(id);
  const tick = (seconds: number, samples: [string, number | null, number?][]) =>
    evaluator.onTick({
      at: at(seconds),
      samples: new Map(samples.map(([id, cpu, memory]) => [id, sample(id, cpu, memory)])),
    });
  /** Applies a change as the index would: stores the container, then reports it. */
  const change = (
    seconds: number,
    action: string,
    current: Container | undefined,
    attributes: Record<string, string> = {},
  ) => {
    const id = current?.id ?? ID_A;
    const previous = containers.get(id);
    if (current) containers.set(id, current);
    else containers.delete(id);
    const event: ContainerChange = {
      action,
      containerId: id,
      at: at(seconds),
      attributes,
      previous,
      current,
    };
    evaluator.onChange(event);
  };
  const states = () => events.map((e) => `${e.state} ${e.id} ${e.containerId === ID_A ? 'A' : 'B'}`);
  return { evaluator, events, put, forget, tick, change, states };
}

describe('the alert state machine (synthetic ticks and container changes)', () => {
  it('CPU above 50% for 2 s: pending, then FIRING after 2 s held, then RESOLVED when it drops', () => {
    const h = harness();
    h.put(container());
    h.evaluator.setRule(rule({ kind: 'CPU_ABOVE', thresholdPercent: 50, forSeconds: 2 }), at(0));
    h.tick(1, [[ID_A, 90]]);
    h.tick(2, [[ID_A, 95]]);
    expect(h.events).toEqual([]);
    h.tick(3, [[ID_A, 97]]);
    expect(h.events).toHaveLength(1);
    expect(h.events[0]).toMatchObject({ state: 'FIRING', value: 97, containerName: 'web' });
    expect(h.events[0]!.message).toBe('CPU 97.0%, above 50.0% for 2 s');
    expect(h.evaluator.active().map((e) => e.id)).toEqual(['alert-1']);
    h.tick(4, [[ID_A, 99]]);
    h.tick(5, [[ID_A, 10]]);
    expect(h.states()).toEqual(['FIRING alert-1 A', 'RESOLVED alert-1 A']);
    expect(h.events[1]).toMatchObject({ value: 10, at: at(5) });
    expect(h.evaluator.active()).toEqual([]);
  });

  it('a dip below the threshold while pending starts the wait over; a missing sample changes nothing', () => {
    const h = harness();
    h.put(container());
    h.evaluator.setRule(rule({ kind: 'CPU_ABOVE', thresholdPercent: 50, forSeconds: 2 }), at(0));
    h.tick(1, [[ID_A, 90]]);
    h.tick(2, [[ID_A, 40]]);
    h.tick(3, [[ID_A, 90]]);
    h.tick(4, [[ID_A, null]]);
    h.tick(5, []);
    expect(h.events).toEqual([]);
    h.tick(6, [[ID_A, 90]]);
    expect(h.states()).toEqual(['FIRING alert-1 A']);
  });

  it('memory above 80% of the limit fires at once with forSeconds 0, per container in scope', () => {
    const h = harness();
    h.put(container());
    h.put(container({ id: ID_B, name: 'db', labels: [{ name: 'team', value: 'db' }] }));
    h.evaluator.setRule(
      rule({ kind: 'MEMORY_ABOVE', thresholdPercent: 80, scope: { label: 'team=web' } }),
      at(0),
    );
    h.tick(1, [
      [ID_A, 1, 85],
      [ID_B, 1, 99],
    ]);
    expect(h.states()).toEqual(['FIRING alert-1 A']);
    expect(h.events[0]!.message).toBe('memory 85.0% of the limit, above 80.0% for 0 s');
  });

  it('a container that stops resolves its CPU alert; one that is removed resolves everything', () => {
    const h = harness();
    h.put(container());
    h.evaluator.setRule(rule({ kind: 'CPU_ABOVE', thresholdPercent: 50 }), at(0));
    h.evaluator.setRule(rule({ kind: 'EXITED_NON_ZERO' }), at(0));
    h.tick(1, [[ID_A, 90]]);
    h.change(2, 'die', container({ status: 'EXITED', exitCode: 2 }), { exitCode: '2' });
    expect(h.states()).toEqual(['FIRING alert-1 A', 'RESOLVED alert-1 A', 'FIRING alert-2 A']);
    expect(h.events[1]!.message).toBe('the container stopped');
    expect(h.events[2]).toMatchObject({ value: 2, message: 'exited with code 2' });
    h.change(3, 'destroy', undefined);
    expect(h.states().at(-1)).toBe('RESOLVED alert-2 A');
    expect(h.events.at(-1)!.message).toBe('the container was removed');
  });

  it('an exit after a stop or kill request is no failure; a crash is, and it resolves when the container starts again', () => {
    const h = harness();
    h.put(container());
    h.evaluator.setRule(rule({ kind: 'EXITED_NON_ZERO' }), at(0));
    h.change(1, 'kill', container(), { signal: '15' });
    h.change(2, 'die', container({ status: 'EXITED', exitCode: 137 }), { exitCode: '137' });
    h.change(2, 'stop', container({ status: 'EXITED', exitCode: 137 }));
    expect(h.events).toEqual([]);
    h.change(3, 'start', container());
    h.change(4, 'die', container({ status: 'EXITED', exitCode: 3 }), { exitCode: '3' });
    h.change(5, 'die', container({ status: 'EXITED', exitCode: 0 }), { exitCode: '0' });
    h.change(6, 'start', container());
    expect(h.states()).toEqual(['FIRING alert-1 A', 'RESOLVED alert-1 A']);
    expect(h.events[1]!.message).toBe('the container started again');
  });

  it('an OOM kill fires once (the oom event, then the die that says so) and holds while the container stays down', () => {
    const h = harness();
    h.put(container({ resources: { memoryBytes: 8 * 1024 * 1024, nanoCpus: 0 } }));
    h.evaluator.setRule(rule({ kind: 'OOM_KILLED' }), at(0));
    const dead = container({
      status: 'EXITED',
      exitCode: 137,
      oomKilled: true,
      resources: { memoryBytes: 8 * 1024 * 1024, nanoCpus: 0 },
    });
    h.change(1, 'oom', container({ resources: { memoryBytes: 8 * 1024 * 1024, nanoCpus: 0 } }));
    h.change(1, 'die', dead, { exitCode: '137' });
    expect(h.states()).toEqual(['FIRING alert-1 A']);
    expect(h.events[0]!.message).toBe('killed by the kernel for lack of memory (memory limit 8 MiB)');
    h.evaluator.reconcile(at(5));
    expect(h.events).toHaveLength(1);
  });

  it('unhealthy fires on the health change and resolves when healthy again or stopped; a sync finds those unhealthy already', () => {
    const h = harness();
    const unhealthy = container({
      health: 'UNHEALTHY',
      lastProbe: { exitCode: 1, output: 'connection refused\n', at: at(1) },
    });
    h.put(unhealthy);
    h.put(container({ id: ID_B, name: 'db' }));
    h.evaluator.setRule(rule({ kind: 'UNHEALTHY' }), at(0));
    expect(h.states()).toEqual(['FIRING alert-1 A']);
    expect(h.events[0]!.message).toBe('health check failing (exit 1: connection refused)');
    h.change(2, 'health_status: healthy', container({ health: 'HEALTHY' }));
    h.change(3, 'health_status: unhealthy', unhealthy);
    h.change(4, 'die', container({ status: 'EXITED', health: 'UNHEALTHY', exitCode: 137 }));
    expect(h.states()).toEqual([
      'FIRING alert-1 A',
      'RESOLVED alert-1 A',
      'FIRING alert-2 A',
      'RESOLVED alert-2 A',
    ]);
    expect(h.events[1]!.message).toBe('health is healthy again');
  });

  it('a restart loop fires at N restarts within the window and resolves once the window drains (sweep)', () => {
    const h = harness();
    h.put(container());
    h.evaluator.setRule(rule({ kind: 'RESTART_LOOP', restarts: 3, windowSeconds: 10 }), at(0));
    for (const [second, count] of [
      [1, 1],
      [2, 2],
    ] as const) {
      h.change(second, 'die', container({ status: 'RESTARTING', restartCount: count - 1, exitCode: 1 }));
      h.change(second, 'start', container({ restartCount: count }));
    }
    expect(h.events).toEqual([]);
    h.change(4, 'start', container({ restartCount: 3 }));
    expect(h.states()).toEqual(['FIRING alert-1 A']);
    expect(h.events[0]).toMatchObject({ value: 3, message: 'restarted 3 times within 10 s' });
    h.evaluator.sweep(T0 + 9_000);
    expect(h.events).toHaveLength(1);
    h.evaluator.sweep(T0 + 12_500);
    expect(h.states()).toEqual(['FIRING alert-1 A', 'RESOLVED alert-1 A']);
    expect(h.events[1]).toMatchObject({ value: 1, message: '1 restart in the last 10 s: no longer looping' });
  });

  it('changing a rule’s condition resolves its alerts and starts over; renaming it keeps them; deleting resolves', () => {
    const h = harness();
    h.put(container());
    const original = rule({
      kind: 'CPU_ABOVE',
      thresholdPercent: 50,
      webhook: { url: 'http://127.0.0.1:1/a', secret: 's'.repeat(16) },
    });
    h.evaluator.setRule(original, at(0));
    h.tick(1, [[ID_A, 90]]);
    const renamed = {
      ...original,
      name: 'renamed',
      webhook: { url: 'http://127.0.0.1:1/b', secret: 's'.repeat(16) },
    };
    h.evaluator.setRule(renamed, at(2));
    expect(h.states()).toEqual(['FIRING alert-1 A']);
    expect(h.evaluator.active()[0]!.rule.name).toBe('renamed');
    h.evaluator.setRule({ ...renamed, thresholdPercent: 95 }, at(3));
    expect(h.states()).toEqual(['FIRING alert-1 A', 'RESOLVED alert-1 A']);
    expect(h.events[1]!.message).toBe('the rule was changed');
    expect(h.events[1]!.rule.webhook?.url).toBe('http://127.0.0.1:1/b');
    h.tick(4, [[ID_A, 99]]);
    h.evaluator.removeRule(original.id, at(5));
    expect(h.states()).toEqual([
      'FIRING alert-1 A',
      'RESOLVED alert-1 A',
      'FIRING alert-2 A',
      'RESOLVED alert-2 A',
    ]);
    expect(h.events.at(-1)!.message).toBe('the rule was deleted');
    h.tick(6, [[ID_A, 99]]);
    expect(h.events).toHaveLength(4);
  });

  it('a disabled rule resolves its alerts and evaluates nothing', () => {
    const h = harness();
    h.put(container());
    const cpu = rule({ kind: 'CPU_ABOVE', thresholdPercent: 50 });
    h.evaluator.setRule(cpu, at(0));
    h.tick(1, [[ID_A, 90]]);
    h.evaluator.setRule({ ...cpu, enabled: false }, at(2));
    h.tick(3, [[ID_A, 90]]);
    expect(h.states()).toEqual(['FIRING alert-1 A', 'RESOLVED alert-1 A']);
    expect(h.events[1]!.message).toBe('the rule was disabled');
  });

  it('a sync after a gap resolves alerts of containers that went away or stopped meanwhile', () => {
    const h = harness();
    h.put(container());
    h.put(container({ id: ID_B, name: 'db' }));
    h.evaluator.setRule(rule({ kind: 'CPU_ABOVE', thresholdPercent: 50 }), at(0));
    h.tick(1, [
      [ID_A, 90],
      [ID_B, 90],
    ]);
    // The index re-listed: A is gone and B stopped, and no change reported either.
    h.forget(ID_A);
    h.put(container({ id: ID_B, name: 'db', status: 'EXITED', exitCode: 0 }));
    h.evaluator.reconcile(at(3));
    expect(h.states()).toEqual([
      'FIRING alert-1 A',
      'FIRING alert-2 B',
      'RESOLVED alert-1 A',
      'RESOLVED alert-2 B',
    ]);
    expect(h.events.slice(2).map((e) => e.message)).toEqual([
      'the container was removed',
      'the container stopped',
    ]);
  });
});

describe('alert rule validation', () => {
  const field = (input: AlertRuleInput): string => {
    try {
      validateRuleDefinition(input);
    } catch (error) {
      if (error instanceof InvalidInputError)
        return `${error.field}: ${error.message.split(': ').slice(1).join(': ')}`;
      throw error;
    }
    throw new Error('expected INVALID_INPUT');
  };

  it('names the offending field for each kind’s parameters', () => {
    expect(field({ name: 'x', kind: 'CPU_ABOVE' })).toBe('input.thresholdPercent: is required for CPU_ABOVE');
    expect(field({ name: 'x', kind: 'CPU_ABOVE', thresholdPercent: 0 })).toBe(
      'input.thresholdPercent: must be above 0',
    );
    expect(field({ name: 'x', kind: 'MEMORY_ABOVE', thresholdPercent: 150 })).toMatch(
      /^input\.thresholdPercent: must be at most 100/,
    );
    expect(field({ name: 'x', kind: 'CPU_ABOVE', thresholdPercent: 50, forSeconds: -1 })).toBe(
      'input.forSeconds: must not be negative',
    );
    expect(field({ name: 'x', kind: 'UNHEALTHY', thresholdPercent: 50 })).toBe(
      'input.thresholdPercent: does not apply to UNHEALTHY',
    );
    expect(field({ name: 'x', kind: 'RESTART_LOOP', restarts: 3 })).toBe(
      'input.windowSeconds: is required for RESTART_LOOP',
    );
    expect(field({ name: 'x', kind: 'RESTART_LOOP', restarts: 1, windowSeconds: 10 })).toMatch(
      /^input\.restarts: must be at least 2/,
    );
    expect(field({ name: ' ', kind: 'OOM_KILLED' })).toBe('input.name: must not be empty');
    expect(field({ name: 'a\nb', kind: 'OOM_KILLED' })).toMatch(/^input\.name: .*control characters/);
    expect(field({ name: 'x', kind: 'OOM_KILLED', scope: { container: 'no spaces' } })).toMatch(
      /^input\.scope\.container: /,
    );
    expect(field({ name: 'x', kind: 'OOM_KILLED', scope: { label: '=v' } })).toMatch(
      /^input\.scope\.label: /,
    );
  });

  it('takes only http(s) webhooks, and a secret in whsec_ form or of 16 characters or more (or generates one)', () => {
    const secret = 'k'.repeat(16);
    expect(field({ name: 'x', kind: 'OOM_KILLED', webhook: { url: 'ftp://127.0.0.1/', secret } })).toBe(
      'input.webhook.url: must be an http:// or https:// URL',
    );
    expect(field({ name: 'x', kind: 'OOM_KILLED', webhook: { url: 'not a url', secret } })).toMatch(
      /^input\.webhook\.url: /,
    );
    expect(
      field({
        name: 'x',
        kind: 'OOM_KILLED',
        webhook: { url: 'https://example.test/h', secret: 'whsec_AAAA' },
      }),
    ).toBe('input.webhook.secret: a whsec_ secret must be the base64 of 24 to 64 bytes');
    const generated = validateRuleDefinition({
      name: 'x',
      kind: 'OOM_KILLED',
      webhook: { url: 'https://example.test/h' },
    }).webhook;
    expect(generated?.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(
      field({ name: 'x', kind: 'OOM_KILLED', webhook: { url: 'https://example.test/h', secret: 'short' } }),
    ).toBe('input.webhook.secret: must be at least 16 characters');
    expect(
      validateRuleDefinition({
        name: 'x',
        kind: 'OOM_KILLED',
        webhook: { url: 'https://example.test/h', secret },
      }).webhook,
    ).toEqual({
      url: 'https://example.test/h',
      // The same key (the text's UTF-8 bytes), in the Standard Webhooks form.
      secret: `whsec_${Buffer.from(secret).toString('base64')}`,
    });
  });

  it('fills defaults: forSeconds 0, every container, enabled', () => {
    expect(validateRuleDefinition({ name: ' busy ', kind: 'CPU_ABOVE', thresholdPercent: 150 })).toEqual({
      name: 'busy',
      kind: 'CPU_ABOVE',
      thresholdPercent: 150,
      forSeconds: 0,
      restarts: null,
      windowSeconds: null,
      scope: { container: null, label: null },
      enabled: true,
      webhook: null,
    });
  });

  it('patches keep what is left out, keep the secret of a changed URL, and drop the old kind’s parameters', () => {
    const existing = rule({
      kind: 'CPU_ABOVE',
      thresholdPercent: 50,
      forSeconds: 5,
      webhook: { url: 'http://127.0.0.1:9/a', secret: 'k'.repeat(20) },
    });
    expect(applyRulePatch(existing, { forSeconds: 10 })).toMatchObject({
      thresholdPercent: 50,
      forSeconds: 10,
    });
    expect(applyRulePatch(existing, { webhook: { url: 'http://127.0.0.1:9/b' } }).webhook).toEqual({
      url: 'http://127.0.0.1:9/b',
      secret: existing.webhook!.secret,
    });
    // A kept secret is not checked again: one from before migration 10 may be short.
    const older = { ...existing, webhook: { url: 'http://127.0.0.1:9/a', secret: 'whsec_c2hvcnQ=' } };
    expect(applyRulePatch(older, { name: 'renamed' }).webhook).toEqual(older.webhook);
    expect(applyRulePatch(existing, { webhook: null }).webhook).toBeNull();
    expect(applyRulePatch(existing, { kind: 'UNHEALTHY' })).toMatchObject({
      kind: 'UNHEALTHY',
      thresholdPercent: null,
      forSeconds: null,
    });
    expect(() => applyRulePatch(existing, { kind: 'RESTART_LOOP' })).toThrow(InvalidInputError);
  });

  it('scopes by name, full id, a 12+ character id prefix, and label', () => {
    const c = container();
    const scope = (s: Partial<{ container: string; label: string }>) => ({
      container: null,
      label: null,
      ...s,
    });
    expect(inScope(scope({}), c)).toBe(true);
    expect(inScope(scope({ container: 'web' }), c)).toBe(true);
    expect(inScope(scope({ container: 'we' }), c)).toBe(false);
    expect(inScope(scope({ container: ID_A }), c)).toBe(true);
    expect(inScope(scope({ container: 'a'.repeat(12) }), c)).toBe(true);
    expect(inScope(scope({ container: 'aaaa' }), c)).toBe(false);
    expect(inScope(scope({ label: 'team' }), c)).toBe(true);
    expect(inScope(scope({ label: 'team=db' }), c)).toBe(false);
    expect(inScope(scope({ container: 'web', label: 'team=db' }), c)).toBe(false);
  });
});

describe('the alert rule store', () => {
  let dataDir: string;
  let db: BerthDatabase;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'berth-alerts-'));
    db = BerthDatabase.open({ dataDir });
  });
  afterEach(() => {
    db.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps rules, their webhook secret and last delivery across reopening the database', () => {
    const definition: AlertRuleDefinition = validateRuleDefinition({
      name: 'busy',
      kind: 'RESTART_LOOP',
      restarts: 3,
      windowSeconds: 60,
      scope: { label: 'team=web' },
      webhook: { url: 'https://hooks.example.test/x', secret: 'k'.repeat(32) },
    });
    const store = new AlertRuleStore(db);
    const created = store.insert(definition, T0);
    store.recordDelivery(created.id, {
      at: at(5),
      alertId: 'alert-1',
      state: 'FIRING',
      ok: false,
      attempts: 6,
      statusCode: 503,
      error: 'the receiver answered HTTP 503',
    });
    db.close();
    db = BerthDatabase.open({ dataDir });
    const reopened = new AlertRuleStore(db);
    expect(reopened.list()).toEqual([
      { ...definition, id: created.id, createdAt: new Date(T0), updatedAt: new Date(T0) },
    ]);
    expect(reopened.lastDelivery(created.id)).toEqual({
      at: at(5),
      alertId: 'alert-1',
      state: 'FIRING',
      ok: false,
      attempts: 6,
      statusCode: 503,
      error: 'the receiver answered HTTP 503',
    });
    expect(reopened.update(created.id, { ...definition, enabled: false }, T0 + 1)?.enabled).toBe(false);
    expect(reopened.update('000000000000', definition)).toBeUndefined();
    expect(reopened.remove(created.id)).toBe(true);
    expect(reopened.list()).toEqual([]);
  });
});

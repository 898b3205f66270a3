import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TEST_LABEL, cleanupLabelled, testDocker } from '../harness/docker.js';
import {
  ensureTestImage,
  pushToRegistry,
  startEngine,
  stopEngine,
  type StartedEngine,
} from '../harness/engine.js';
import { startBerth, uniqueName, type RunningBerth } from '../support/berth.js';
import {
  AlertRules,
  Backup,
  CreateAlertRule,
  CreateToken,
  GetCreatePolicy,
  ListTemplates,
  Restore,
  SaveTemplate,
  SetCreatePolicy,
  UpdateAlertRule,
} from '../support/operations/index.js';
import { ImageAutoUpdates, SetImageAutoUpdate } from '../support/operations/updates.js';

/**
 * Backup, wipe, restore, compare: berth's state and two managed containers are backed up from one
 * berth on the shared engine, everything is wiped, and a fresh berth (new data directory) on a
 * fresh private engine restores the document. Docker's inspect of the restored containers is
 * compared with the originals'.
 */

const LABEL_VALUE = 'backup';
const label = { name: TEST_LABEL, value: LABEL_VALUE };
const MiB = 1024 * 1024;

let docker: Docker;
let engine: StartedEngine | undefined;
let privateDocker: Docker | undefined;
const berths: RunningBerth[] = [];
const pushed: string[] = [];

beforeAll(() => {
  docker = testDocker(inject('dockerHost'));
});

afterAll(async () => {
  for (const berth of berths) await berth.stop().catch(() => undefined);
  await cleanupLabelled(docker, `${TEST_LABEL}=${LABEL_VALUE}`);
  for (const reference of pushed) {
    await docker
      .getImage(reference)
      .remove()
      .catch(() => undefined);
  }
  if (engine) await stopEngine(engine);
}, 120_000);

async function createRule(berth: RunningBerth, input: Record<string, unknown>) {
  const { createAlertRule } = await berth.query(CreateAlertRule, { input: input as never });
  if (createAlertRule.__typename !== 'CreateAlertRuleSuccess')
    throw new Error(JSON.stringify(createAlertRule));
  return createAlertRule.rule;
}

/**
 * The rules as the API shows them, by id, but for when each was stored (a restore stores it anew,
 * and rules stored in one millisecond come in id order).
 */
async function rulesOf(berth: RunningBerth) {
  const { alertRules } = await berth.query(AlertRules, {});
  return alertRules
    .map(({ createdAt: _created, updatedAt: _updated, ...rule }) => rule)
    .sort((a, b) => a.id.localeCompare(b.id));
}

/** The templates as saved, but for when (a restore saves them anew). */
async function templatesOf(berth: RunningBerth) {
  const { templates } = await berth.query(ListTemplates);
  return templates.map(({ name, description, image, spec }) => ({ name, description, image, spec }));
}

/** The automatic-update targets as setImageAutoUpdate made them, but for when and their runs. */
async function autoUpdatesOf(berth: RunningBerth) {
  const { imageAutoUpdates } = await berth.query(ImageAutoUpdates, {});
  return imageAutoUpdates.map(({ kind, name, enabled, window }) => ({ kind, name, enabled, window }));
}

async function optIn(berth: RunningBerth, input: { container?: string; stack?: string; enabled: boolean }) {
  const { setImageAutoUpdate } = await berth.query(SetImageAutoUpdate, {
    input: {
      ...input,
      window: { days: ['SATURDAY', 'SUNDAY'], start: '02:00', end: '05:00', timeZone: 'Europe/Berlin' },
    },
  });
  expect(setImageAutoUpdate.__typename).toBe('SetImageAutoUpdateSuccess');
}

/** What a container's spec is, as Docker reports it: what a restore must reproduce. */
function specOf(info: Docker.ContainerInspectInfo) {
  return {
    name: info.Name,
    image: info.Config.Image,
    env: info.Config.Env,
    cmd: info.Config.Cmd,
    // Every create is labelled with its own intent in the audit log: a restore's are new ones.
    labels: Object.fromEntries(
      Object.entries(info.Config.Labels ?? {}).filter(([name]) => name !== 'berth.create-intent'),
    ),
    healthcheck: info.Config.Healthcheck ?? null,
    portBindings: info.HostConfig.PortBindings,
    restartPolicy: info.HostConfig.RestartPolicy,
    memory: info.HostConfig.Memory,
    nanoCpus: info.HostConfig.NanoCpus,
    tty: info.Config.Tty,
    running: info.State.Running,
  };
}

describe('backup and restore', () => {
  it('Backup, wipe, restore, compare: templates, policy, alert rules, containers and automatic-update targets come back; tokens and webhook secrets are reported', async () => {
    // --- State on the first berth ------------------------------------------------------------
    const original = await startBerth({}, { label: LABEL_VALUE });
    berths.push(original);

    const templateNames = [uniqueName('bk-tpl-a'), uniqueName('bk-tpl-b')];
    for (const [i, name] of templateNames.entries()) {
      const { saveTemplate } = await original.query(SaveTemplate, {
        name,
        spec: { image: inject('testImage'), env: [{ name: 'N', value: String(i) }], labels: [label] },
      });
      expect(saveTemplate.__typename).toBe('SaveTemplateSuccess');
    }
    const { setCreatePolicy } = await original.query(SetCreatePolicy, {
      input: { defaultMemoryBytes: 64 * MiB, maxContainers: 500, allowedCapabilities: ['NET_ADMIN'] },
    });
    expect(setCreatePolicy.__typename).toBe('SetCreatePolicySuccess');
    const policyBefore = (await original.query(GetCreatePolicy)).createPolicy;
    const { createToken } = await original.query(CreateToken, {
      name: uniqueName('bk-ci'),
      role: 'OPERATOR',
    });
    if (createToken.__typename !== 'CreateTokenSuccess') throw new Error(JSON.stringify(createToken));
    const secret = createToken.created.secret;

    // Alert rules: one with a signed webhook, one disabled, one of each scope.
    const webhookSecret = `whsec-${Date.now().toString(36)}-${process.pid}-never-in-a-backup`;
    const hookUrl = 'http://127.0.0.1:9/berth-alerts';
    const cpuRule = await createRule(original, {
      name: uniqueName('bk-cpu'),
      kind: 'CPU_ABOVE',
      thresholdPercent: 250,
      forSeconds: 30,
      scope: { label: `${TEST_LABEL}=${LABEL_VALUE}` },
      webhook: { url: hookUrl, secret: webhookSecret },
    });
    const loopRule = await createRule(original, {
      name: uniqueName('bk-loop'),
      kind: 'RESTART_LOOP',
      restarts: 3,
      windowSeconds: 60,
      scope: { container: uniqueName('bk-web') },
      enabled: false,
    });
    const oomRule = await createRule(original, { name: uniqueName('bk-oom'), kind: 'OOM_KILLED' });
    const rulesBefore = await rulesOf(original);
    expect(rulesBefore.find((rule) => rule.id === cpuRule.id)?.webhook?.url).toBe(hookUrl);

    // An image in the local registry (the fresh engine must pull it) and one that no registry has.
    const unique = `${Date.now().toString(36)}${process.pid}`;
    const pulled = `${inject('registry')}/berth-test/backup-${unique}:v1`;
    await pushToRegistry(inject('dockerHost'), inject('testImage'), pulled);
    pushed.push(pulled);
    const unpullable = `${inject('registry')}/berth-test/backup-never-pushed-${unique}:v1`;
    const [repo, tag] = [unpullable.slice(0, unpullable.lastIndexOf(':')), 'v1'];
    await docker.getImage(inject('testImage')).tag({ repo, tag });
    pushed.push(unpullable);

    const running = await original.create({
      name: uniqueName('bk-web'),
      image: pulled,
      env: [
        { name: 'MODE', value: 'restored' },
        { name: 'EMPTY', value: '' },
      ],
      ports: [{ containerPort: 80, hostIp: '127.0.0.1' }],
      labels: [label, { name: 'team', value: 'web' }],
      restartPolicy: { name: 'UNLESS_STOPPED' },
      healthcheck: {
        test: ['CMD-SHELL', 'wget -q -O /dev/null http://127.0.0.1/ || exit 1'],
        intervalSeconds: 2,
      },
    });
    const stopped = await original.create({
      name: uniqueName('bk-job'),
      command: ['sh', '-c', 'echo done'],
      restartPolicy: { name: 'ON_FAILURE', maximumRetryCount: 3 },
      resources: { memoryBytes: 32 * MiB, cpus: 0.25 },
      start: false,
    });
    const lost = await original.create({ name: uniqueName('bk-lost'), image: unpullable, start: false });
    // A container berth did not make is not berth's to back up.
    const foreign = await docker.createContainer({
      name: uniqueName('bk-foreign'),
      Image: inject('testImage'),
      Labels: { [TEST_LABEL]: LABEL_VALUE },
    });

    // Automatic updates: a container opted in, one whose container will not come back, and a stack
    // opted out again (its window kept; no stack is needed for that).
    const optedOutStack = uniqueName('bk-stack');
    await optIn(original, { container: running.name, enabled: true });
    await optIn(original, { container: lost.name, enabled: true });
    await optIn(original, { stack: optedOutStack, enabled: false });
    const autoUpdatesBefore = await autoUpdatesOf(original);
    expect(autoUpdatesBefore).toHaveLength(3);

    const before = new Map<string, ReturnType<typeof specOf>>();
    for (const { id, name } of [running, stopped])
      before.set(name, specOf(await docker.getContainer(id).inspect()));
    expect(before.get(running.name)).toMatchObject({ running: true, memory: 64 * MiB });
    expect(before.get(stopped.name)).toMatchObject({ running: false, memory: 32 * MiB });
    const templatesBefore = await templatesOf(original);

    // --- Backup --------------------------------------------------------------------------------
    const { backup } = await original.query(Backup, {});
    expect(backup).toMatchObject({ format: 'berth-backup', version: 1 });
    const sections = backup['sections'] as Record<string, unknown[]>;
    expect(Object.keys(sections)).toEqual(
      expect.arrayContaining(['templates', 'policy', 'tokens', 'containers', 'alertRules', 'swarmServices']),
    );
    // The shared engine is no swarm manager: no services, and no failed backup either.
    expect(sections['swarmServices']).toEqual([]);
    const containerNames = (sections['containers'] as { name: string }[]).map((c) => c.name);
    expect(containerNames).toEqual(expect.arrayContaining([running.name, stopped.name, lost.name]));
    expect(containerNames).not.toContain((await foreign.inspect()).Name.slice(1));
    // Token metadata only: no secret and no hash anywhere in the document.
    const text = JSON.stringify(backup);
    expect(text).not.toContain(secret.slice(-20));
    for (const token of sections['tokens'] as Record<string, unknown>[]) {
      expect(Object.keys(token).sort()).toEqual([
        'createdAt',
        'environments',
        'id',
        'lastUsedAt',
        'name',
        'role',
        'scope',
      ]);
    }
    // Alert rules: the webhook's URL, never its secret.
    expect(text).not.toContain(webhookSecret);
    expect(
      (sections['alertRules'] as { id: string; webhook: unknown }[]).find((r) => r.id === cpuRule.id),
    ).toMatchObject({
      webhook: { url: hookUrl },
    });

    expect(sections['imageAutoUpdates']).toEqual(
      expect.arrayContaining([
        {
          container: running.name,
          enabled: true,
          window: { days: ['SATURDAY', 'SUNDAY'], start: '02:00', end: '05:00', timeZone: 'Europe/Berlin' },
        },
        expect.objectContaining({ stack: optedOutStack, enabled: false }),
      ]),
    );

    // --- Wipe: the containers, the data directory, and a different engine ------------------------
    await original.stop();
    berths.splice(berths.indexOf(original), 1);
    await cleanupLabelled(docker, `${TEST_LABEL}=${LABEL_VALUE}`);

    engine = await startEngine({ isolatedBridge: true });
    await ensureTestImage(engine.dockerHost);
    privateDocker = testDocker(engine.dockerHost);
    const fresh = await startBerth({ DOCKER_HOST: engine.dockerHost }, { label: LABEL_VALUE });
    berths.push(fresh);
    expect(await templatesOf(fresh)).toEqual([]);

    // --- Restore -------------------------------------------------------------------------------
    const { restore } = await fresh.query(Restore, { document: backup });
    if (restore.__typename !== 'RestoreSuccess') throw new Error(JSON.stringify(restore));
    const { report } = restore;
    const outcome = (section: string, item: string) =>
      report.items.find((entry) => entry.section === section && entry.item === item);

    for (const name of templateNames) expect(outcome('templates', name)?.outcome).toBe('RESTORED');
    expect(outcome('policy', 'createPolicy')?.outcome).toBe('RESTORED');
    const tokens = report.items.filter((entry) => entry.section === 'tokens');
    expect(tokens.length).toBe((sections['tokens'] as unknown[]).length);
    for (const token of tokens) {
      expect(token.outcome).toBe('NOT_RESTORABLE');
      expect(token.reason).toMatch(/reissue/);
    }
    expect(outcome('containers', running.name)).toMatchObject({
      outcome: 'RESTORED',
      reason: 'created and started',
    });
    expect(outcome('containers', stopped.name)?.outcome).toBe('RESTORED');
    expect(outcome('containers', lost.name)).toMatchObject({
      outcome: 'FAILED',
      reason: expect.stringMatching(/^IMAGE_NOT_FOUND: /),
    });
    expect(outcome('imageAutoUpdates', `container/${running.name}`)).toMatchObject({
      outcome: 'RESTORED',
      reason: null,
    });
    expect(outcome('imageAutoUpdates', `stack/${optedOutStack}`)).toMatchObject({
      outcome: 'RESTORED',
      reason: 'opted out, with its window kept',
    });
    // Its container failed to come back: opting it in is refused as setImageAutoUpdate refuses it.
    expect(outcome('imageAutoUpdates', `container/${lost.name}`)).toMatchObject({
      outcome: 'FAILED',
      reason: expect.stringMatching(/^NOT_FOUND: /),
    });
    expect(report.failed).toBe(2);
    expect(outcome('alertRules', cpuRule.name)).toMatchObject({
      outcome: 'RESTORED',
      reason: expect.stringMatching(
        /^without its webhook to http:\/\/127\.0\.0\.1:9\/berth-alerts: a backup holds no webhook secrets; set it again with updateAlertRule\(id: "[0-9a-f]{12}"/,
      ),
    });
    for (const rule of [loopRule, oomRule])
      expect(outcome('alertRules', rule.name)).toMatchObject({ outcome: 'RESTORED', reason: null });

    // --- Compare -------------------------------------------------------------------------------
    expect(await autoUpdatesOf(fresh)).toEqual(
      autoUpdatesBefore.filter((target) => target.name !== lost.name),
    );
    expect(await templatesOf(fresh)).toEqual(templatesBefore);
    expect((await fresh.query(GetCreatePolicy)).createPolicy).toEqual(policyBefore);
    // By label: the private engine is this file's, but a parallel run pointed at it must not count.
    const mine = { all: true, filters: { label: [`${TEST_LABEL}=${LABEL_VALUE}`] } };
    const restored = await privateDocker.listContainers(mine);
    expect(restored.map((c) => c.Names[0]).sort()).toEqual([`/${running.name}`, `/${stopped.name}`].sort());
    for (const summary of restored) {
      const after = specOf(await privateDocker.getContainer(summary.Id).inspect());
      expect(after).toEqual(before.get(summary.Names[0]!.slice(1)));
    }
    // The image came from the registry, pulled by the restore.
    await expect(privateDocker.getImage(pulled).inspect()).resolves.toBeTruthy();

    // The same rules, ids included, each as it was but the webhook, which waits for its secret.
    const rulesAfter = await rulesOf(fresh);
    expect(rulesAfter).toEqual(
      rulesBefore.map((rule) => (rule.id === cpuRule.id ? { ...rule, webhook: null } : rule)),
    );
    const { updateAlertRule } = await fresh.query(UpdateAlertRule, {
      id: cpuRule.id,
      input: { webhook: { url: hookUrl, secret: webhookSecret } },
    });
    expect(updateAlertRule).toMatchObject({ rule: { id: cpuRule.id, webhook: { url: hookUrl } } });

    // A second restore changes nothing: everything that exists is skipped.
    const second = await fresh.query(Restore, { document: backup });
    expect(second.restore).toMatchObject({ report: { restored: 0 } });
    if (second.restore.__typename !== 'RestoreSuccess') throw new Error('unreachable');
    expect(second.restore.report.items.find((entry) => entry.item === running.name)?.outcome).toBe('SKIPPED');
    expect(
      second.restore.report.items
        .filter((entry) => entry.section === 'alertRules')
        .map((entry) => entry.outcome),
    ).toEqual(['SKIPPED', 'SKIPPED', 'SKIPPED']);
    const targetsAgain = second.restore.report.items.filter((entry) => entry.section === 'imageAutoUpdates');
    expect(targetsAgain.map(({ item, outcome }) => [item, outcome]).sort()).toEqual(
      [
        [`container/${lost.name}`, 'FAILED'],
        [`container/${running.name}`, 'SKIPPED'],
        [`stack/${optedOutStack}`, 'SKIPPED'],
      ].sort(),
    );
    expect((await privateDocker.listContainers(mine)).length).toBe(2);
  });

  it('restores each alert rule as createAlertRule checks it: a bad one fails alone, one here already (by id or name) is skipped', async () => {
    const berth = await startBerth({}, { label: LABEL_VALUE });
    berths.push(berth);
    const here = await createRule(berth, { name: uniqueName('bk-here'), kind: 'UNHEALTHY' });
    const twin = uniqueName('bk-twin');
    // Only this section: nothing in it reaches the engine.
    const document = {
      format: 'berth-backup',
      version: 1,
      sections: {
        alertRules: [
          { id: here.id, name: 'renamed since', kind: 'UNHEALTHY' },
          { id: 'aaaaaaaaaaaa', name: here.name, kind: 'OOM_KILLED' },
          { id: 'bbbbbbbbbbbb', name: 'too-much', kind: 'MEMORY_ABOVE', thresholdPercent: 150 },
          { id: 'cccccccccccc', name: 'no-kind' },
          { id: 'not an id', name: 'bad-id', kind: 'OOM_KILLED' },
          // Names are not unique: two rules of one name both come back.
          { id: 'dddddddddddd', name: twin, kind: 'OOM_KILLED' },
          { id: 'eeeeeeeeeeee', name: twin, kind: 'EXITED_NON_ZERO', scope: { label: 'team=web' } },
        ],
      },
    };
    const { restore } = await berth.query(Restore, { document });
    if (restore.__typename !== 'RestoreSuccess') throw new Error(JSON.stringify(restore));
    expect(restore.report.items.map(({ item, outcome, reason }) => [item, outcome, reason])).toEqual([
      ['renamed since', 'SKIPPED', `rule ${here.id} exists here (named "${here.name}" here)`],
      [here.name, 'SKIPPED', `a rule with this name exists here (${here.id})`],
      [
        'too-much',
        'FAILED',
        'INVALID_INPUT: alertRules.too-much.thresholdPercent: must be at most 100 for MEMORY_ABOVE (percent of the limit)',
      ],
      [
        'no-kind',
        'FAILED',
        'INVALID_INPUT: alertRules.no-kind.kind: must be one of CPU_ABOVE, MEMORY_ABOVE, UNHEALTHY, RESTART_LOOP, OOM_KILLED, EXITED_NON_ZERO, IMAGE_UPDATE_AVAILABLE',
      ],
      ['bad-id', 'FAILED', 'INVALID_INPUT: id "not an id" is not a rule id (12 hex digits)'],
      [twin, 'RESTORED', null],
      [twin, 'RESTORED', null],
    ]);
    const rules = await rulesOf(berth);
    expect(rules.map((rule) => [rule.id, rule.name, rule.kind, rule.scope])).toEqual(
      [
        [here.id, here.name, 'UNHEALTHY', { container: null, label: null }],
        ['dddddddddddd', twin, 'OOM_KILLED', { container: null, label: null }],
        ['eeeeeeeeeeee', twin, 'EXITED_NON_ZERO', { container: null, label: 'team=web' }],
      ].sort(([a], [b]) => String(a).localeCompare(String(b))),
    );
  });

  it('refuses a document of an unknown format version, or with a malformed section, changing nothing', async () => {
    const berth = await startBerth({}, { label: LABEL_VALUE });
    berths.push(berth);
    const { backup } = await berth.query(Backup, {});
    const future = await berth.query(Restore, { document: { ...backup, version: 2 } });
    expect(future.restore).toMatchObject({ code: 'INVALID_INPUT', field: 'document.version' });
    const malformed = await berth.query(Restore, {
      document: {
        ...backup,
        sections: {
          templates: [{ name: uniqueName('tpl'), spec: { image: inject('testImage') } }],
          containers: 'x',
        },
      },
    });
    expect(malformed.restore).toMatchObject({ code: 'INVALID_INPUT', field: 'document.sections.containers' });
    // The templates section came first and was valid, yet nothing was restored.
    expect(await templatesOf(berth)).toEqual([]);
    const foreign = await berth.query(Restore, {
      document: { format: 'something-else', version: 1, sections: {} },
    });
    expect(foreign.restore).toMatchObject({ code: 'INVALID_INPUT', field: 'document.format' });
  });
});

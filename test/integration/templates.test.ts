import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TEST_LABEL, cleanupLabelled, testDocker } from '../harness/docker.js';
import { startBerth, uniqueName, type RunningBerth } from '../support/berth.js';
import {
  CreateContainerFromTemplate,
  DeleteTemplate,
  ExportTemplates,
  GetTemplate,
  ImportTemplates,
  ListTemplates,
  SaveTemplate,
} from '../support/operations/index.js';

/**
 * Container templates: saved createContainer inputs in berth's database, containers made from them
 * with overrides (checked in Docker's own inspect), and export/import between two berths.
 */

const label = { name: TEST_LABEL, value: 'templates' };
let berth: RunningBerth;
let docker: Docker;

/** A template name unique to this run (template names share container names' rules). */
const templateName = (what: string) => uniqueName(`tpl-${what}`);

async function save(name: string, spec: Record<string, unknown>, description?: string) {
  const { saveTemplate } = await berth.query(SaveTemplate, {
    name,
    spec: spec as never,
    ...(description !== undefined && { description }),
  });
  if (saveTemplate.__typename !== 'SaveTemplateSuccess') throw new Error(JSON.stringify(saveTemplate));
  return saveTemplate.template;
}

beforeAll(async () => {
  docker = testDocker(inject('dockerHost'));
  berth = await startBerth({}, { label: 'templates' });
});

afterAll(async () => {
  await berth?.stop();
  await cleanupLabelled(docker, `${TEST_LABEL}=templates`);
});

describe('templates', () => {
  it('are saved, listed, read, replaced and deleted; bad input is INVALID_INPUT naming the field', async () => {
    const name = templateName('crud');
    const first = await save(
      name,
      {
        image: inject('testImage'),
        env: [{ name: 'MODE', value: 'one' }],
        ports: [{ containerPort: 80, protocol: 'TCP', hostIp: '127.0.0.1' }],
        labels: [label],
      },
      'the web page',
    );
    expect(first).toMatchObject({ name, description: 'the web page', image: inject('testImage') });
    // Stored in createContainer's own input shape, validated and without nulls.
    expect(first.spec).toEqual({
      image: inject('testImage'),
      env: [{ name: 'MODE', value: 'one' }],
      ports: [{ containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1' }],
      labels: [label],
      tty: false,
      start: true,
    });

    const { templates } = await berth.query(ListTemplates, {});
    expect(templates.map((template) => template.name)).toContain(name);
    expect((await berth.query(GetTemplate, { name })).template).toEqual(first);

    // Saving the same name replaces the spec and the description, and keeps createdAt.
    const replaced = await save(name, { image: inject('testImage'), command: ['sleep', '1'] });
    expect(replaced.spec).toMatchObject({ image: inject('testImage'), command: ['sleep', '1'] });
    expect(replaced.spec).not.toHaveProperty('env');
    expect(replaced.description).toBeNull();
    expect(replaced.createdAt).toBe(first.createdAt);
    expect(Date.parse(replaced.updatedAt)).toBeGreaterThanOrEqual(Date.parse(first.updatedAt));

    const badSpec = await berth.query(SaveTemplate, {
      name: templateName('bad'),
      spec: { image: inject('testImage'), ports: [{ containerPort: 70000 }] } as never,
    });
    expect(badSpec.saveTemplate).toMatchObject({
      code: 'INVALID_INPUT',
      field: 'spec.ports.0.containerPort',
    });
    const badName = await berth.query(SaveTemplate, {
      name: '-no',
      spec: { image: inject('testImage') } as never,
    });
    expect(badName.saveTemplate).toMatchObject({ code: 'INVALID_INPUT', field: 'name' });

    const { deleteTemplate } = await berth.query(DeleteTemplate, { name });
    expect(deleteTemplate).toEqual({ __typename: 'DeleteTemplateSuccess', template: { name } });
    expect((await berth.query(GetTemplate, { name })).template).toBeNull();
    const again = await berth.query(DeleteTemplate, { name });
    expect(again.deleteTemplate).toMatchObject({ code: 'TEMPLATE_NOT_FOUND' });
    const missing = await berth.query(CreateContainerFromTemplate, { name });
    expect(missing.createContainerFromTemplate).toMatchObject({ code: 'TEMPLATE_NOT_FOUND' });
  });

  it('createContainerFromTemplate merges env and labels by name and makes the container Docker shows', async () => {
    const name = templateName('web');
    await save(name, {
      image: inject('testImage'),
      env: [
        { name: 'MODE', value: 'prod' },
        { name: 'LEVEL', value: 'info' },
      ],
      labels: [label, { name: 'team', value: 'a' }],
      ports: [{ containerPort: 80, hostIp: '127.0.0.1' }],
      command: ['sh', '-c', 'trap "exit 0" TERM; while :; do sleep 1; done'],
      restartPolicy: { name: 'ON_FAILURE', maximumRetryCount: 2 },
      resources: { cpus: 0.5 },
    });

    const containerName = uniqueName('from-tpl');
    const { createContainerFromTemplate } = await berth.query(CreateContainerFromTemplate, {
      name,
      overrides: {
        name: containerName,
        env: [
          { name: 'LEVEL', value: 'debug' },
          { name: 'EXTRA', value: '1' },
        ],
        labels: [{ name: 'team', value: 'b' }],
        ports: [{ containerPort: 8080, hostIp: '127.0.0.1' }],
        resources: { memoryBytes: 64 * 1024 * 1024 },
      },
    });
    if (createContainerFromTemplate.__typename !== 'CreateContainerFromTemplateSuccess') {
      throw new Error(JSON.stringify(createContainerFromTemplate));
    }
    expect(createContainerFromTemplate.container).toMatchObject({ name: containerName, status: 'RUNNING' });

    const info = await docker.getContainer(createContainerFromTemplate.container.id).inspect();
    // The template's order, an overridden value in its place, new names after; the image's PATH too.
    expect(info.Config.Env).toEqual(['MODE=prod', 'LEVEL=debug', 'EXTRA=1', 'PATH=/bin']);
    expect(info.Config.Labels).toEqual({
      [TEST_LABEL]: 'templates',
      team: 'b',
      'berth.managed': 'true',
      // The create's intent in the audit log (src/domain/lifecycle/journal.ts).
      'berth.create-intent': expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(info.Config.Cmd).toEqual(['sh', '-c', 'trap "exit 0" TERM; while :; do sleep 1; done']);
    expect(info.HostConfig.RestartPolicy).toEqual({ Name: 'on-failure', MaximumRetryCount: 2 });
    // Ports replace the template's whole; resources merge field by field.
    expect(Object.keys(info.HostConfig.PortBindings ?? {})).toEqual(['8080/tcp']);
    expect(info.HostConfig.Memory).toBe(64 * 1024 * 1024);
    expect(info.HostConfig.NanoCpus).toBe(500_000_000);
    expect(info.State.Running).toBe(true);
  });

  it('validates overrides as createContainer does, and the create policy applies to the merged spec', async () => {
    const name = templateName('checked');
    await save(name, { image: inject('testImage'), labels: [label], start: false });
    const badEnv = await berth.query(CreateContainerFromTemplate, {
      name,
      overrides: { env: [{ name: 'A=B', value: 'x' }] },
    });
    expect(badEnv.createContainerFromTemplate).toMatchObject({
      code: 'INVALID_INPUT',
      field: 'overrides.env.0.name',
    });

    // Saving a privileged template is allowed; making a container from it is the policy's call.
    const privileged = templateName('privileged');
    await save(privileged, { image: inject('testImage'), labels: [label], privileged: true, start: false });
    const before = (
      await docker.listContainers({ all: true, filters: { label: [`${TEST_LABEL}=templates`] } })
    ).length;
    const refused = await berth.query(CreateContainerFromTemplate, {
      name: privileged,
      overrides: { name: uniqueName('refused') },
    });
    expect(refused.createContainerFromTemplate).toMatchObject({
      code: 'POLICY_VIOLATION',
      field: 'spec.privileged',
    });
    const after = (
      await docker.listContainers({ all: true, filters: { label: [`${TEST_LABEL}=templates`] } })
    ).length;
    expect(after).toBe(before);
  });

  it('exportTemplates imports into a fresh berth data dir unchanged; replace decides over existing names', async () => {
    const names = [templateName('exp-a'), templateName('exp-b')];
    await save(names[0]!, { image: inject('testImage'), env: [{ name: 'K', value: 'v' }] }, 'first');
    await save(names[1]!, {
      image: inject('testImage'),
      healthcheck: { test: ['CMD-SHELL', 'true'], intervalSeconds: 2 },
      restartPolicy: { name: 'UNLESS_STOPPED' },
    });
    const { exportTemplates: document } = await berth.query(ExportTemplates, {});
    expect(document).toMatchObject({ format: 'berth-templates', version: 1 });
    const exported = (document['templates'] as { name: string }[]).filter((t) => names.includes(t.name));
    expect(exported).toHaveLength(2);

    const other = await startBerth({}, { label: 'templates' });
    try {
      const imported = await other.query(ImportTemplates, { document });
      if (imported.importTemplates.__typename !== 'ImportTemplatesSuccess') {
        throw new Error(JSON.stringify(imported.importTemplates));
      }
      const total = (document['templates'] as unknown[]).length;
      expect(imported.importTemplates.result).toMatchObject({
        created: total,
        replaced: 0,
        skipped: 0,
        invalid: 0,
      });

      const strip = (list: { name: string; description: string | null; spec: unknown }[]) =>
        list.map(({ name, description, spec }) => ({ name, description, spec }));
      const mine = (await berth.query(ListTemplates, {})).templates;
      const theirs = (await other.query(ListTemplates, {})).templates;
      expect(strip(theirs)).toEqual(strip(mine));

      // Again: every name exists, so skipped without replace and replaced with it.
      const skipped = await other.query(ImportTemplates, { document });
      expect(skipped.importTemplates).toMatchObject({ result: { created: 0, skipped: total } });
      const replaced = await other.query(ImportTemplates, { document, replace: true });
      expect(replaced.importTemplates).toMatchObject({ result: { replaced: total, skipped: 0 } });

      // One bad entry is reported; the others still go in.
      const mixed = await other.query(ImportTemplates, {
        document: {
          format: 'berth-templates',
          version: 1,
          templates: [
            { name: templateName('ok'), spec: { image: inject('testImage') } },
            { name: templateName('broken'), spec: { image: 'Not/A Reference' } },
            { spec: { image: inject('testImage') } },
          ],
        },
      });
      expect(mixed.importTemplates).toMatchObject({ result: { created: 1, invalid: 2 } });
      if (mixed.importTemplates.__typename !== 'ImportTemplatesSuccess') throw new Error('unreachable');
      expect(mixed.importTemplates.result.items[1]).toMatchObject({
        outcome: 'INVALID',
        reason: expect.stringContaining('templates.1.spec.image'),
      });
      expect(mixed.importTemplates.result.items[2]).toMatchObject({ name: '#2', outcome: 'INVALID' });

      // A document of another version is refused whole.
      const future = await other.query(ImportTemplates, { document: { ...document, version: 2 } });
      expect(future.importTemplates).toMatchObject({ code: 'INVALID_INPUT', field: 'document.version' });
      const foreign = await other.query(ImportTemplates, { document: { format: 'compose', version: 1 } });
      expect(foreign.importTemplates).toMatchObject({ code: 'INVALID_INPUT', field: 'document.format' });
    } finally {
      await other.stop();
    }
  });
});

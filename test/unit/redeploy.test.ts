import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/shared/errors.js';
import { applyEnvChanges, diffSpecs } from '../../src/domain/redeploy/diff.js';
import type { EffectiveSpec } from '../../src/domain/redeploy/model.js';
import { sideName, validateRedeploy } from '../../src/domain/redeploy/validation.js';

const base: EffectiveSpec = {
  image: 'app:1',
  imageId: 'sha256:aaa',
  env: [
    { name: 'PATH', value: '/bin' },
    { name: 'MODE', value: 'one' },
  ],
  command: ['httpd', '-f'],
  entrypoint: [],
  workingDir: '',
  user: '',
  healthcheck: null,
  labels: [{ name: 'team', value: 'web' }],
  exposedPorts: ['80/tcp'],
};

describe('diffSpecs', () => {
  it('says nothing about an unchanged spec', () => {
    expect(diffSpecs(base, structuredClone(base))).toEqual([]);
  });

  it('lists each change with its kind, lists and objects as JSON', () => {
    const after: EffectiveSpec = {
      ...base,
      image: 'app:2',
      imageId: 'sha256:bbb',
      env: [
        { name: 'PATH', value: '/bin' },
        { name: 'NEW', value: 'x' },
      ],
      command: ['httpd', '-f', '-v'],
      healthcheck: {
        test: ['CMD', 'true'],
        intervalSeconds: 1,
        timeoutSeconds: null,
        retries: null,
        startPeriodSeconds: null,
      },
      labels: [{ name: 'team', value: 'api' }],
    };
    expect(diffSpecs(base, after)).toEqual([
      { field: 'image', kind: 'CHANGED', before: 'app:1', after: 'app:2' },
      { field: 'imageId', kind: 'CHANGED', before: 'sha256:aaa', after: 'sha256:bbb' },
      { field: 'command', kind: 'CHANGED', before: '["httpd","-f"]', after: '["httpd","-f","-v"]' },
      {
        field: 'healthcheck',
        kind: 'ADDED',
        before: null,
        after:
          '{"test":["CMD","true"],"intervalSeconds":1,"timeoutSeconds":null,"retries":null,"startPeriodSeconds":null}',
      },
      { field: 'env.MODE', kind: 'REMOVED', before: 'one', after: null },
      { field: 'env.NEW', kind: 'ADDED', before: null, after: 'x' },
      { field: 'labels.team', kind: 'CHANGED', before: 'web', after: 'api' },
    ]);
  });

  it('makes no claim about the image id before the image is pulled', () => {
    expect(diffSpecs(base, { ...base, imageId: null })).toEqual([]);
  });

  it('keeps the first of two variables with one name, as the engine does', () => {
    const doubled = { ...base, env: [...base.env, { name: 'MODE', value: 'two' }] };
    expect(diffSpecs(base, doubled)).toEqual([]);
  });
});

describe('applyEnvChanges', () => {
  const own = [
    { name: 'A', value: '1' },
    { name: 'B', value: '2' },
    { name: 'C', value: '3' },
  ];

  it('replaces in place, appends the new, drops the unset', () => {
    expect(
      applyEnvChanges(
        own,
        [
          { name: 'B', value: 'two' },
          { name: 'D', value: '4' },
        ],
        ['A'],
      ),
    ).toEqual([
      { name: 'B', value: 'two' },
      { name: 'C', value: '3' },
      { name: 'D', value: '4' },
    ]);
  });

  it('leaves the variables as they were when asked for nothing', () => {
    expect(applyEnvChanges(own, [], [])).toEqual(own);
  });
});

describe('validateRedeploy', () => {
  it('fills the defaults', () => {
    expect(validateRedeploy({ id: 'web' })).toEqual({
      reference: 'web',
      setEnv: [],
      unsetEnv: [],
      dryRun: false,
      healthTimeoutSeconds: 60,
      drainSeconds: 5,
    });
  });

  it.each([
    [{ id: 'web', image: 'Not An Image' }, 'image'],
    [{ id: 'web', env: [{ name: 'A=B', value: '1' }] }, 'env.0.name'],
    [
      {
        id: 'web',
        env: [
          { name: 'A', value: '1' },
          { name: 'A', value: '2' },
        ],
      },
      'env.1.name',
    ],
    [{ id: 'web', env: [{ name: 'A', value: '1' }], unsetEnv: ['A'] }, 'unsetEnv.0'],
    [{ id: 'web', healthTimeoutSeconds: 0 }, 'healthTimeoutSeconds'],
    [{ id: 'web', drainSeconds: 601 }, 'drainSeconds'],
    [{ id: 'web', stopTimeoutSeconds: 1.5 }, 'stopTimeoutSeconds'],
    [{ id: '' }, 'id'],
  ])('refuses %j naming %s', (args, field) => {
    let error: unknown;
    try {
      validateRedeploy(args);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).field).toBe(field);
  });
});

describe('sideName', () => {
  it('keeps a valid container name, however long the original', () => {
    expect(sideName('web', 'old', 36 ** 3)).toBe('web-old-1000');
    const long = sideName('a'.repeat(255), 'next', Date.now());
    expect(long.length).toBeLessThanOrEqual(255);
    expect(long).toMatch(/^a+-next-[0-9a-z]+$/);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { loadStack } from '../../src/domain/stacks/compose/load.js';
import { InvalidComposeError } from '../../src/shared/errors.js';

/** The command a one-service file ends with, after interpolation. */
function command(value: string, env = ''): string[] | undefined {
  const compose = `services:\n  a:\n    image: x\n    command: [${JSON.stringify(value)}]\n`;
  return loadStack({ name: 'demo', compose, env }).definition.services[0]?.container.command;
}

function refusal(value: string, env = ''): InvalidComposeError {
  try {
    command(value, env);
  } catch (error) {
    if (error instanceof InvalidComposeError) return error;
    throw error;
  }
  throw new Error('accepted');
}

describe('interpolation from the .env text', () => {
  const env = 'NAME=web\nEMPTY=\nQUOTED="a b"\n# a comment\n';

  it.each([
    ['${NAME}', 'web'],
    ['$NAME-1', 'web-1'],
    ['pre${NAME}post', 'prewebpost'],
    ['${UNSET}', ''],
    ['$UNSET', ''],
    ['${UNSET:-fallback}', 'fallback'],
    ['${EMPTY:-fallback}', 'fallback'],
    ['${EMPTY-fallback}', ''],
    ['${UNSET-fallback}', 'fallback'],
    ['${NAME:-fallback}', 'web'],
    ['${UNSET:-${NAME}-x}', 'web-x'],
    ['${NAME:+alt}', 'alt'],
    ['${EMPTY:+alt}', ''],
    ['${EMPTY+alt}', 'alt'],
    ['${UNSET+alt}', ''],
    ['${QUOTED}', 'a b'],
    ['$$NAME costs $$5', '$NAME costs $5'],
    ['$${NAME}', '${NAME}'],
  ])('%s is %s', (value, expected) => {
    expect(command(value, env)).toEqual([expected]);
  });

  it('interpolates values, never keys, and non-strings stay as they are', () => {
    const compose = 'services:\n  a:\n    image: "${IMG}"\n    environment: { "${KEY}": "${VAL}", N: 5 }\n';
    const [service] = loadStack({ name: 'demo', compose, env: 'IMG=busybox\nKEY=k\nVAL=v' }).definition
      .services;
    expect(service?.container.image).toBe('busybox');
    expect(service?.container.env).toEqual([
      { name: '${KEY}', value: 'v' },
      { name: 'N', value: '5' },
    ]);
  });

  it('refuses a required variable by its name, its message and its path', () => {
    const error = refusal('${DB_PASSWORD:?set the database password}');
    expect(error.problems).toEqual([
      {
        path: 'services.a.command[0]',
        line: 4,
        column: 15,
        key: null,
        message: expect.stringMatching(/DB_PASSWORD.*set the database password/),
      },
    ]);
    expect(refusal('${EMPTY:?}', 'EMPTY=').problems[0]?.message).toContain('EMPTY');
    expect(command('${EMPTY?must be set}', 'EMPTY=')).toEqual(['']);
    expect(refusal('${GONE?must be set}').problems[0]?.message).toContain('must be set');
  });

  it('refuses malformed references as Compose does', () => {
    expect(refusal('${NAME').problems[0]?.message).toContain('without its "}"');
    expect(refusal('${1BAD}').problems[0]?.message).toContain('not a variable name');
    expect(refusal('${NAME:x}').problems[0]?.message).toContain('not a variable name');
    expect(refusal('cost $5').problems[0]?.message).toContain('$$');
  });

  describe('never reads berth’s own environment', () => {
    afterEach(() => {
      delete process.env['IT'];
    });

    it('leaves ${IT} empty although the process has IT set', () => {
      process.env['IT'] = 'a secret of the server';
      expect(command('${IT}')).toEqual(['']);
      expect(command('${IT:-default}')).toEqual(['default']);
      const compose = 'services: { a: { image: x, environment: [IT] } }';
      expect(loadStack({ name: 'demo', compose }).definition.services[0]?.container.env).toEqual([]);
    });
  });
});

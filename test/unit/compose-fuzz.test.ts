import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadStack } from '../../src/domain/stacks/compose/load.js';
import { InvalidComposeError } from '../../src/shared/errors.js';

/**
 * Hostile input gets a typed answer: a definition, or an InvalidComposeError with at least one
 * problem that has a path and a message. Never a TypeError, a RangeError or a hang.
 */
function answer(compose: string, env = ''): 'ok' | 'refused' {
  try {
    loadStack({ name: 'fuzz', compose, env });
    return 'ok';
  } catch (error) {
    if (!(error instanceof InvalidComposeError)) throw error;
    expect(error.problems.length).toBeGreaterThan(0);
    for (const problem of error.problems) {
      expect(typeof problem.path).toBe('string');
      expect(problem.message.length).toBeGreaterThan(0);
      if (problem.line !== null) expect(problem.line).toBeGreaterThan(0);
    }
    return 'refused';
  }
}

const oddString = fc.oneof(
  fc.string(),
  fc.constantFrom(
    '${X}',
    '${X:?gone}',
    '$',
    '$$',
    '${',
    '${X:-${Y}}',
    '~/x',
    '../../etc',
    '80:80',
    '8000-9000:80',
    '1g',
    '1m30s',
    'null',
    '__proto__',
    'constructor',
    'toString',
    '-1',
    ' ',
  ),
  fc.string({ unit: 'grapheme' }),
);
const oddNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -1, 65536, 2 ** 53, Number.MAX_SAFE_INTEGER),
);
const scalar = fc.oneof(oddString, oddNumber, fc.boolean(), fc.constant(null));
const anything = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(oddString, tie('value'), { maxKeys: 4 }),
  ),
})).value;

const serviceKeys = [
  'image',
  'command',
  'entrypoint',
  'environment',
  'env_file',
  'ports',
  'volumes',
  'tmpfs',
  'networks',
  'depends_on',
  'healthcheck',
  'restart',
  'labels',
  'user',
  'working_dir',
  'hostname',
  'init',
  'extra_hosts',
  'cap_add',
  'cap_drop',
  'mem_limit',
  'cpus',
  'deploy',
  'stop_grace_period',
  'stop_signal',
  'profiles',
  'build',
  'privileged',
  'x-extra',
];
const plausibleValue = fc.oneof(
  anything,
  fc.constantFrom(
    'busybox',
    ['sh', '-c', 'true'],
    ['8080:80', '80'],
    [{ target: 80, published: '8000-8002' }],
    ['data:/data', '/srv:/srv:ro'],
    { replicas: 3 },
    { test: 'true', interval: '1s' },
    ['a', 'b'],
    { a: { condition: 'service_healthy' } },
  ),
);
const service = fc.dictionary(fc.constantFrom(...serviceKeys), plausibleValue, { maxKeys: 8 });
const document = fc.record(
  {
    version: fc.constantFrom('3', '3.9', 3),
    services: fc.dictionary(
      fc.constantFrom('a', 'b', 'c', 'web', 'db', 'bad name', '0', '__proto__', 'constructor'),
      fc.oneof(service, anything),
      { maxKeys: 4 },
    ),
    networks: fc.dictionary(
      fc.constantFrom('front', 'back', 'default'),
      fc.oneof(fc.constant(null), anything, fc.constant({ external: true })),
      { maxKeys: 2 },
    ),
    volumes: fc.dictionary(fc.constantFrom('data', 'cache'), fc.oneof(fc.constant(null), anything), {
      maxKeys: 2,
    }),
    secrets: anything,
  },
  { requiredKeys: ['services'] },
);

describe('loadStack on generated files', () => {
  it('answers 300 generated compose documents with a definition or an InvalidComposeError', () => {
    const seen = { ok: 0, refused: 0 };
    fc.assert(
      fc.property(document, fc.string(), (doc, env) => {
        seen[answer(stringify(doc), env)] += 1;
      }),
      { numRuns: 300 },
    );
    // The generator must reach both answers, or it tests only one path.
    expect(seen.ok).toBeGreaterThan(0);
    expect(seen.refused).toBeGreaterThan(0);
  });

  it('answers random text and mangled YAML with an InvalidComposeError or a definition', () => {
    const mangled = fc.tuple(document, fc.nat(), fc.string({ maxLength: 5 })).map(([doc, at, junk]) => {
      const text = stringify(doc);
      const cut = at % (text.length + 1);
      return text.slice(0, cut) + junk + text.slice(cut);
    });
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), mangled), (text) => {
        answer(text);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a list item with a key named like a method (toString, valueOf, constructor), found by seed -2100162078', () => {
    // Ajv's uniqueItems check called the item's `toString` and threw a TypeError.
    for (const key of ['toString', 'valueOf', 'constructor']) {
      const compose = stringify({ services: { a: { image: 'x', volumes: [{}, { [key]: false }] } } });
      expect(answer(compose)).toBe('refused');
      try {
        loadStack({ name: 'fuzz', compose, env: '' });
      } catch (error) {
        expect((error as InvalidComposeError).problems.map((problem) => problem.path)).toContain(
          `services.a.volumes[1].${key}`,
        );
      }
    }
  });

  it('answers an alias bomb and a huge document without parsing them out', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let level = 1; level < 9; level += 1)
      bomb.push(
        `${'abcdefghi'[level]}: &${'abcdefghi'[level]} [${Array(10)
          .fill(`*${'abcdefghi'[level - 1]}`)
          .join(',')}]`,
      );
    expect(answer(bomb.join('\n'))).toBe('refused');
    expect(answer(`services: { a: { image: "${'x'.repeat(2 * 1024 * 1024)}" } }`)).toBe('refused');
  });
});

import fc from 'fast-check';
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isUnionType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLOutputType,
} from 'graphql';

/**
 * GraphQL operations generated from the schema, one root field at a time: the selection is every
 * field the result type has (to a depth), the arguments are drawn from their types, with hostile
 * strings and numbers at the edges. Sent mostly as variables, sometimes inlined as literals, and
 * now and then with a variable of the wrong type.
 *
 * What makes the arguments harmless on an engine other tests share is the `Targets` a caller
 * gives: names of things to act on, images, URLs and subnets that reach nothing outside the test.
 */

export type RootKind = 'query' | 'mutation' | 'subscription';

export interface FuzzOperation {
  field: string;
  query: string;
  variables: Record<string, unknown>;
  /** How the arguments were sent: variables, literals, or a variable of the wrong type. */
  shape: 'variables' | 'literals' | 'wrong-type';
}

/** Where the generated strings may point. */
export interface Targets {
  /** Things the test made, which any operation may act on. */
  own: string[];
  /** For reads: things that exist, made by anyone (acting on them is left to `own`). */
  readable: string[];
  /** An image the engine has, never pulled (its name is nowhere but on this engine). */
  localImage: string;
  /** Image references that fail without leaving loopback (absent from the test registry). */
  images: string[];
  /** The prefix of every name a mutation may give what it creates (removed after, by it). */
  namePrefix: string;
  /** A label added to every `labels` a mutation sends, so what it creates can be found. */
  label: { name: string; value: string };
  /** Webhook URLs that reach nothing (a closed loopback port) or are malformed. */
  urls: string[];
}

/** Strings that have broken servers before: paths, injections, prototype keys, escapes. */
export const HOSTILE_STRINGS = [
  '',
  ' ',
  '../../../../etc/passwd',
  '/',
  '/etc',
  '/var/run/docker.sock',
  '/proc/1/root',
  'host',
  'container:berth',
  'privileged',
  'seccomp=unconfined',
  'apparmor=unconfined',
  'SYS_ADMIN',
  'ALL',
  '/dev/mem',
  '%2e%2e%2f',
  '\u0000',
  '\r\nX-Injected: 1',
  "'; DROP TABLE tokens; --",
  '$(id)',
  '`id`',
  '${HOME}',
  '<script>alert(1)</script>',
  '__proto__',
  'constructor',
  '🙂'.repeat(20),
  'x'.repeat(300),
  'berth_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
  'Bearer x',
];

/** Never a container's, network's or volume's name, nor (having non-hex letters) an id prefix. */
const absentNames = fc.stringMatching(/^[a-z0-9]{1,12}$/).map((suffix) => `berth-fuzz-absent-${suffix}`);

const anyString = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
);

const anyInt = fc.oneof(
  fc.integer({ min: -5, max: 300 }),
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  fc.constantFrom(0, 1, 200, 201, 3600, 10_000, 65_535, 65_536, 2 ** 31 - 1, -(2 ** 31)),
);

const anyFloat = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e9, max: 1e9 }),
  fc.constantFrom(0, 0.001, 0.5, 1, 3600, 1e15, -1),
);

const SCALARS: Record<string, fc.Arbitrary<unknown>> = {
  Int: anyInt,
  Float: anyFloat,
  Boolean: fc.boolean(),
  SafeInt: fc.oneof(anyInt, fc.constantFrom(2 ** 53 - 1, 2 ** 40, 6 * 1024 * 1024)),
  DateTime: fc.oneof(
    fc
      .date({ min: new Date(0), max: new Date('2100-01-01'), noInvalidDate: true })
      .map((date) => date.toISOString()),
    fc.constantFrom('yesterday', '2026-13-45T00:00:00Z', '0', ''),
  ),
  JSONObject: fc.oneof(
    fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
    fc.record({
      format: fc.constantFrom('berth-backup', 'berth-templates', 'other'),
      version: fc.constantFrom(1, 2, '1'),
      createdAt: fc.constant('2026-01-01T00:00:00Z'),
      sections: fc.dictionary(
        fc.constantFrom('templates', 'tokens', 'containers', 'alertRules', 'swarmServices', 'bogus'),
        fc.jsonValue({ maxDepth: 2 }),
        { maxKeys: 3 },
      ),
      templates: fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 2 }),
    }),
  ),
};

/** The string arbitrary for an argument at `path` (names, last is the argument or input field). */
function stringFor(kind: RootKind, field: string, path: string[], targets: Targets): fc.Arbitrary<string> {
  const name = path[path.length - 1] ?? '';
  const owned = targets.own.length > 0 ? [fc.constantFrom(...targets.own)] : [];
  if (kind !== 'mutation') {
    const readable = [...targets.own, ...targets.readable];
    return fc.oneof(anyString, absentNames, ...(readable.length > 0 ? [fc.constantFrom(...readable)] : []));
  }
  if (name === 'image' || (field === 'pullImage' && name === 'reference')) {
    // Pulls, and a swarm's services (which look even a local image up in its registry), get
    // only references that fail on loopback; containers may use the local image.
    const local = field === 'pullImage' || /Service$/.test(field) ? [] : [targets.localImage];
    return fc.oneof(
      fc.constantFrom(...local, ...targets.images),
      fc.constantFrom('UPPER/case', 'bad image!', '', '../x'),
    );
  }
  if (name === 'url') return fc.constantFrom(...targets.urls);
  if (name === 'subnet')
    return fc.constantFrom('198.18.250.0/24', '198.18.251.0/28', '10.0.0.0/33', 'x', '::1/129');
  if (name === 'gateway') return fc.constantFrom('198.18.250.1', '198.18.251.30', '1.1.1.1', 'x');
  if (name === 'hostIp') return fc.constantFrom('0.0.0.0', '127.0.0.1', '::', '999.1.1.1', 'localhost', '');
  if (name === 'source') {
    // Bind sources the policy must refuse; volume names with the test's prefix.
    return fc.oneof(
      fc.constantFrom(
        '/',
        '/etc',
        '/var/run/docker.sock',
        '/var/run',
        '/proc',
        '/sys/fs/cgroup',
        'relative',
        '../x',
      ),
      fc.stringMatching(/^[a-z0-9]{1,8}$/).map((suffix) => `${targets.namePrefix}vol-${suffix}`),
    );
  }
  // What an operation acts on: something the test made, or nothing at all.
  if (
    ['id', 'container', 'network', 'reference', 'ruleId'].includes(name) ||
    (name === 'name' && acts(field))
  ) {
    // Not a redeploy of the test's own container: a real one waits out health and drain times.
    const ours = field === 'redeployContainer' ? [] : owned;
    return fc.oneof(absentNames, fc.constantFrom('berth-fuzz-absent', 'bridge', 'host', 'none'), ...ours);
  }
  if (field === 'pruneVolumes' && name === 'label') return absentNames.map((absent) => `${absent}=x`);
  // Names of what a mutation makes: the test's prefix (cleaned up after), or not a valid name.
  if (name === 'name' && path.length <= 2) {
    return fc.oneof(
      fc.stringMatching(/^[a-z0-9]{1,10}$/).map((suffix) => `${targets.namePrefix}${suffix}`),
      fc.constantFrom(
        '',
        '../x',
        '/etc/passwd',
        'a b',
        '$(id)',
        '-leading',
        '\u0000',
        `${targets.namePrefix}${'x'.repeat(300)}`,
      ),
    );
  }
  // Networks a container or service joins: absent ones, and the host's own (a host namespace).
  if (path.includes('networks'))
    return fc.oneof(absentNames, fc.constantFrom('host', 'bridge', 'none', 'container:x'));
  if (path.includes('volumes') && name === 'name') {
    return fc.oneof(
      absentNames.map((absent) => absent.replace('absent', 'vol')),
      fc.constantFrom('../x', '/etc'),
    );
  }
  return anyString;
}

/**
 * A create that would pass validation, with a privilege now and then: most random inputs are
 * refused for a malformed field long before the policy or the engine, and these reach both. The
 * plain ones are created; any asking for a privilege must be refused by the policy.
 */
function plausibleCreate(targets: Targets): fc.Arbitrary<Record<string, unknown>> {
  // Each about one time in twelve: a fair share of the creates asks for nothing and is made.
  const chance = <T>(arbitrary: fc.Arbitrary<T>) =>
    fc
      .constantFrom(...Array.from({ length: 12 }, (_, i) => i === 11))
      .chain((ask) => (ask ? arbitrary : fc.constant(undefined)));
  return fc
    .record({
      name: fc.stringMatching(/^[a-z0-9]{1,10}$/).map((suffix) => `${targets.namePrefix}${suffix}`),
      image: fc.constant(targets.localImage),
      start: fc.boolean(),
      command: fc.constantFrom(['true'], ['sleep', '1'], ['sh', '-c', 'exit 3'], ['/no/such/command']),
      privileged: chance(fc.constant(true)),
      hostNamespaces: chance(
        fc.subarray(['CGROUP', 'IPC', 'NETWORK', 'PID', 'USERNS', 'UTS'], { minLength: 1 }),
      ),
      capAdd: chance(fc.constantFrom(['SYS_ADMIN'], ['NET_ADMIN'], ['ALL'])),
      devices: chance(fc.constantFrom(['/dev/mem'], ['/dev/sda:/dev/sda'])),
      securityOpt: chance(
        fc.constantFrom(['seccomp=unconfined'], ['apparmor=unconfined'], ['label=disable']),
      ),
      mounts: chance(
        fc.constantFrom(
          [{ type: 'BIND', source: '/', target: '/host' }],
          [{ type: 'BIND', source: '/var/run/docker.sock', target: '/var/run/docker.sock' }],
          [{ type: 'BIND', source: '/etc/../etc', target: '/x' }],
        ),
      ),
      networks: chance(fc.constantFrom([{ name: 'host' }], [{ name: 'bridge' }], [{ name: 'none' }])),
      ports: chance(fc.constant([{ containerPort: 80, hostPort: 0 }])),
      labels: fc.constant([]),
    })
    .map((input) =>
      labelled(Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined)), targets),
    );
}

/** `labels` with the test's label added, so whatever the mutation creates is found again. */
function labelled(value: Record<string, unknown>, targets: Targets): Record<string, unknown> {
  const labels = Array.isArray(value['labels']) ? (value['labels'] as unknown[]) : [];
  return { ...value, labels: [...labels, targets.label] };
}

/** Mutations that act on an existing thing named by `name` rather than making one. */
function acts(field: string): boolean {
  return /^(remove|delete|stop|start|restart|redeploy|exec|connect|disconnect|scale|rollback|update|revoke|createContainerFromTemplate)/.test(
    field,
  );
}

function intFor(kind: RootKind, path: string[]): fc.Arbitrary<number> {
  const name = path[path.length - 1] ?? '';
  // Never a real host port: 0 lets the engine pick a free one, the rest are out of range.
  if (kind === 'mutation' && (name === 'hostPort' || name === 'publishedPort'))
    return fc.constantFrom(0, -1, 65_536);
  // What a stop or restart may wait: short, or refused.
  if (kind === 'mutation' && /timeout/i.test(name))
    return fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constantFrom(-1, 2 ** 31 - 1));
  return anyInt;
}

function valueFor(
  type: GraphQLInputType,
  kind: RootKind,
  field: string,
  path: string[],
  targets: Targets,
  depth = 0,
): fc.Arbitrary<unknown> {
  if (field === 'setCreatePolicy') {
    // The policy may only stay as tight as it is: a looser one would let dangerous creates through.
    const name = path[path.length - 1] ?? '';
    if (name === 'allowedCapabilities') return fc.constantFrom([], ['bad-cap'], ['']);
    if (name === 'bindMountPrefixes') return fc.constantFrom([], ['relative'], ['']);
    if (name.startsWith('allow')) return fc.constantFrom(false, null);
  }
  if (isNonNullType(type)) return valueFor(type.ofType, kind, field, path, targets, depth);
  if (isListType(type)) {
    return fc.array(valueFor(type.ofType, kind, field, path, targets, depth + 1), { maxLength: 3 });
  }
  if (isEnumType(type)) return fc.constantFrom(...type.getValues().map((value) => value.name));
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields());
    const record: Record<string, fc.Arbitrary<unknown>> = {};
    for (const inputField of fields) {
      record[inputField.name] = valueFor(
        inputField.type,
        kind,
        field,
        [...path, inputField.name],
        targets,
        depth + 1,
      );
    }
    const required = fields.filter((inputField) => isNonNullType(inputField.type)).map((f) => f.name);
    const object = fc.record(record, { requiredKeys: required });
    return kind === 'mutation' && 'labels' in record
      ? object.map((value) => labelled(value, targets))
      : object;
  }
  const scalar = type.name;
  if (scalar === 'String' || scalar === 'ID') return stringFor(kind, field, path, targets);
  if (scalar === 'Int') return intFor(kind, path);
  return SCALARS[scalar] ?? anyString;
}

/** Every field of the result to `depth` levels (fields that take arguments, and `skip`, left out). */
export function selectionOf(type: GraphQLOutputType, depth: number, skip: ReadonlySet<string>): string {
  const named = getNamedType(type);
  if (isLeafType(named)) return '';
  if (isUnionType(named)) {
    const members = named
      .getTypes()
      .map((member) => `... on ${member.name} ${selectionOf(member, depth, skip)}`);
    return `{ __typename ${members.join(' ')} }`;
  }
  if (!isObjectType(named) && !isInterfaceType(named)) return '{ __typename }';
  const parts: string[] = ['__typename'];
  for (const child of Object.values(named.getFields())) {
    if (child.args.length > 0 || skip.has(`${named.name}.${child.name}`)) continue;
    if (isLeafType(getNamedType(child.type))) parts.push(child.name);
    else if (depth > 1) parts.push(`${child.name} ${selectionOf(child.type, depth - 1, skip)}`);
  }
  return `{ ${parts.join(' ')} }`;
}

/** A GraphQL literal for a value of `type` (enums bare, the rest as JSON would spell it). */
function literal(value: unknown, type: GraphQLInputType): string {
  if (value === null || value === undefined) return 'null';
  if (isNonNullType(type)) return literal(value, type.ofType);
  if (isListType(type))
    return `[${(value as unknown[]).map((item) => literal(item, type.ofType)).join(', ')}]`;
  if (isEnumType(type)) return String(value);
  if (isInputObjectType(type)) {
    const fields = type.getFields();
    return `{ ${Object.entries(value as Record<string, unknown>)
      .filter(([key, item]) => item !== undefined && fields[key])
      .map(([key, item]) => `${key}: ${literal(item, fields[key]!.type)}`)
      .join(', ')} }`;
  }
  if (typeof value === 'object') return jsonLiteral(value);
  return JSON.stringify(value);
}

/** A JSON value as a GraphQL literal: object keys bare (JSONObject's keys are names here or quoted away). */
function jsonLiteral(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(jsonLiteral).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{ ${Object.entries(value)
      .filter(([key]) => /^[_A-Za-z][_0-9A-Za-z]*$/.test(key))
      .map(([key, item]) => `${key}: ${jsonLiteral(item)}`)
      .join(', ')} }`;
  }
  return value === undefined ? 'null' : JSON.stringify(value);
}

const WRONG_VALUES: unknown[] = [{ not: 'a scalar' }, 'not a number', 12.5, [1, 2], true];

/** Operations on one root field of the schema. */
export function operationsOf(
  kind: RootKind,
  field: GraphQLField<unknown, unknown>,
  targets: Targets,
  options: { selectionDepth?: number; skip?: ReadonlySet<string> } = {},
): fc.Arbitrary<FuzzOperation> {
  const args: Record<string, fc.Arbitrary<unknown>> = {};
  for (const arg of field.args) args[arg.name] = valueFor(arg.type, kind, field.name, [arg.name], targets);
  if (field.name === 'createContainer' && args['input'])
    args['input'] = fc.oneof(args['input'], plausibleCreate(targets));
  const required = field.args.filter((arg) => isNonNullType(arg.type)).map((arg) => arg.name);
  const argsArbitrary = fc.record(args, { requiredKeys: required });
  const withLabels =
    kind === 'mutation' && 'labels' in args
      ? argsArbitrary.map((values) => labelled(values, targets))
      : argsArbitrary;
  const selection = selectionOf(field.type, options.selectionDepth ?? 3, options.skip ?? new Set());
  return fc
    .tuple(
      withLabels,
      fc.constantFrom<FuzzOperation['shape']>(
        'variables',
        'variables',
        'variables',
        'literals',
        'wrong-type',
      ),
      fc.nat(),
      fc.constantFrom(...WRONG_VALUES),
    )
    .map(([values, shape, pick, wrong]) => {
      const given = field.args.filter((arg) => values[arg.name] !== undefined);
      const effective = shape === 'wrong-type' && given.length === 0 ? 'variables' : shape;
      const call = (text: string) => (given.length > 0 ? `${field.name}(${text})` : field.name);
      if (effective === 'literals') {
        const text = given.map((arg) => `${arg.name}: ${literal(values[arg.name], arg.type)}`).join(', ');
        return {
          field: field.name,
          query: `${kind} { ${call(text)} ${selection} }`,
          variables: {},
          shape: effective,
        };
      }
      const variables: Record<string, unknown> = {};
      for (const arg of given) variables[arg.name] = values[arg.name];
      if (effective === 'wrong-type') variables[given[pick % given.length]!.name] = wrong;
      const definitions = given.map((arg) => `$${arg.name}: ${String(arg.type)}`).join(', ');
      const text = given.map((arg) => `${arg.name}: $${arg.name}`).join(', ');
      const head = given.length > 0 ? `${kind} Fuzz(${definitions})` : `${kind} Fuzz`;
      return {
        field: field.name,
        query: `${head} { ${call(text)} ${selection} }`,
        variables,
        shape: effective,
      };
    });
}

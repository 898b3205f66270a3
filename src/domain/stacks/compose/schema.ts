import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2019.js';
import composeSpec from './compose-spec.json' with { type: 'json' };
import type { Path, ProblemList } from './problems.js';

let validator: ValidateFunction | undefined;

/**
 * Compiled once, on first use: compiling the schema costs tens of milliseconds. Ajv itself is
 * loaded then too (it is CommonJS, so `require` loads it on the spot, keeping this synchronous):
 * a berth that deploys no stack never needs it, and importing it at start cost start-up time and
 * memory (B10).
 */
function compile(): ValidateFunction {
  if (validator === undefined) {
    const { Ajv2019 } = createRequire(import.meta.url)(
      'ajv/dist/2019.js',
    ) as typeof import('ajv/dist/2019.js');
    const ajv = new Ajv2019({
      allErrors: true,
      strict: false,
      // Its formats (`duration`, `ports`, `expose`) are Compose's own: the loader parses those values
      // itself and names what is wrong with them better than a format error would.
      formats: { duration: true, ports: true, expose: true, subnet_ip_address: true },
      logger: false,
    });
    // The schema names its definitions with draft-04's `id`, which Ajv defines only to refuse it
    // ("use $id"): here it is a name and nothing more.
    ajv.removeKeyword('id');
    ajv.addKeyword({ keyword: 'id', schemaType: 'string' });
    validator = ajv.compile(amended());
  }
  return validator;
}

interface Branch {
  properties?: Record<string, unknown>;
}

/**
 * The vendored schema with what later compose-spec releases added and berth implements: the long port
 * syntax's `host_ip` and `published` as a string (a range, `"8000-8002"`), and a tmpfs `size` as a
 * string (`64m`). Amended here, in memory,
 * so that the vendored file stays the release's own.
 */
function amended(): object {
  const spec = structuredClone(composeSpec) as unknown as {
    $schema?: string;
    definitions: {
      service: { properties: Record<'ports' | 'volumes', { items: { oneOf: Branch[] } }> };
    };
  };
  const long = spec.definitions.service.properties.ports.items.oneOf.find(
    (branch) => branch.properties !== undefined,
  );
  if (long?.properties !== undefined) {
    long.properties['host_ip'] = { type: 'string' };
    long.properties['published'] = { type: ['string', 'integer'] };
  }
  // `tmpfs.size` of a long volume entry: later releases take `64m` as well as a number of bytes.
  const mount = spec.definitions.service.properties.volumes.items.oneOf.find(
    (branch) => branch.properties !== undefined,
  );
  const tmpfs = mount?.properties?.['tmpfs'] as { properties?: Record<string, unknown> } | undefined;
  if (tmpfs?.properties !== undefined) tmpfs.properties['size'] = { type: ['string', 'integer'] };
  // `http://json-schema.org/draft/2019-09/schema#` is not how Ajv names its meta-schema; Ajv2019 is that draft.
  delete spec.$schema;
  return spec;
}

/**
 * Validates the interpolated file against the official compose-spec schema and adds one problem per
 * cause. Ajv reports every failed branch of a `oneOf` ("a string, or a number, or an object"): the
 * branches whose type did not match are folded into one "must be a string or an object", and the
 * errors inside a branch whose type did match are kept, since they are the ones that say what is wrong.
 */
export function validateSchema(value: unknown, problems: ProblemList): void {
  if (refuseMethodKeys(value, problems, [], false)) return;
  const validate = compile();
  if (validate(value)) return;
  const errors = validate.errors ?? [];
  const composites = errors.filter((error) => error.keyword === 'oneOf' || error.keyword === 'anyOf');
  // A branch reached through `$ref` reports its errors at the referenced schema's path, so branches
  // are told by where in the file they failed: a type error exactly where a oneOf failed is a branch
  // that did not fit; anything else at or under it comes from a branch that did.
  const atOrUnder = (error: ErrorObject, composite: ErrorObject): boolean =>
    error.instancePath === composite.instancePath ||
    error.instancePath.startsWith(`${composite.instancePath}/`);
  const branchTypeMismatch = (error: ErrorObject): boolean =>
    error.keyword === 'type' && composites.some((composite) => composite.instancePath === error.instancePath);
  const leaves = errors.filter(
    (error) => error.keyword !== 'oneOf' && error.keyword !== 'anyOf' && !branchTypeMismatch(error),
  );
  for (const error of leaves) report(error, value, problems);
  for (const composite of composites) {
    if (leaves.some((leaf) => atOrUnder(leaf, composite))) continue;
    const types = errors
      .filter((error) => error.keyword === 'type' && error.instancePath === composite.instancePath)
      .flatMap((error) => String(error.params['type'] ?? '').split(','));
    const expected = [...new Set(types.filter((type) => type !== ''))];
    problems.add(
      pathOf(composite.instancePath, value),
      expected.length > 0
        ? `must be ${article(expected)}`
        : 'does not match any form the specification allows',
    );
  }
}

/**
 * Keys that Ajv's `uniqueItems` check (fast-deep-equal) calls as methods when it compares two
 * objects of a list: a list item with `toString: false` made validation throw a TypeError. No
 * object the specification allows inside a list has such a key, so they are refused here, in the
 * words the schema would have used, before Ajv looks. True when any was found.
 */
const METHOD_KEYS = new Set(['constructor', 'toString', 'valueOf']);

function refuseMethodKeys(value: unknown, problems: ProblemList, path: Path, inList: boolean): boolean {
  if (Array.isArray(value)) {
    let found = false;
    value.forEach((item, index) => {
      found = refuseMethodKeys(item, problems, [...path, index], true) || found;
    });
    return found;
  }
  if (value === null || typeof value !== 'object') return false;
  let found = false;
  for (const [key, child] of Object.entries(value)) {
    if (inList && METHOD_KEYS.has(key)) {
      problems.add([...path, key], `"${key}" is not a key the Compose Specification knows here`, { key });
      found = true;
    } else {
      found = refuseMethodKeys(child, problems, [...path, key], inList) || found;
    }
  }
  return found;
}

function report(error: ErrorObject, value: unknown, problems: ProblemList): void {
  const path = pathOf(error.instancePath, value);
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(error.params['additionalProperty']);
      problems.add([...path, key], `"${key}" is not a key the Compose Specification knows here`, { key });
      return;
    }
    case 'required':
      problems.add(path, `"${String(error.params['missingProperty'])}" is required`);
      return;
    case 'type':
      problems.add(path, `must be ${article(String(error.params['type']).split(','))}`);
      return;
    case 'enum':
      problems.add(
        path,
        `must be one of ${((error.params['allowedValues'] as unknown[] | undefined) ?? []).map((v) => JSON.stringify(v)).join(', ')}`,
      );
      return;
    default:
      problems.add(path, error.message ?? `fails the schema's ${error.keyword} rule`);
  }
}

/**
 * `/services/web/ports/0` (JSON pointer) to `['services', 'web', 'ports', 0]`, reading the data along
 * it: a part is an index only in a list (a service may be named `0`).
 */
function pathOf(pointer: string, root: unknown): Path {
  if (pointer === '') return [];
  let node = root;
  return pointer
    .slice(1)
    .split('/')
    .map((raw) => {
      const part = raw.replaceAll('~1', '/').replaceAll('~0', '~');
      const segment = Array.isArray(node) ? Number(part) : part;
      node = (node as Record<string | number, unknown> | null | undefined)?.[segment];
      return segment;
    });
}

function article(types: readonly string[]): string {
  const words = types.map((type) =>
    type === 'array'
      ? 'a list'
      : type === 'object'
        ? 'a mapping'
        : type === 'null'
          ? 'empty'
          : type === 'integer'
            ? 'an integer'
            : `a ${type}`,
  );
  return words.length <= 1
    ? (words[0] ?? 'something else')
    : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}

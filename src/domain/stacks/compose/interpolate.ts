import type { ProblemList, Path } from './problems.js';

/** The variables of the `.env` text, by name. Never berth's own environment: its secrets stay its own. */
export type Variables = ReadonlyMap<string, string>;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
/** `${NAME<op>word}` operators, longest first so `:-` is not read as `-`. */
const OPERATORS = [':-', ':?', ':+', '-', '?', '+'] as const;

/**
 * Interpolates every string scalar of the parsed file (values, never keys), as Compose does before it
 * validates: `$$`, `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?message}`,
 * `${VAR?message}`, `${VAR:+alternative}`, `${VAR+alternative}`, with defaults interpolated in turn.
 * An unset variable without a default is the empty string (Compose warns).
 */
export function interpolateTree(
  value: unknown,
  variables: Variables,
  problems: ProblemList,
  path: Path = [],
): unknown {
  if (typeof value === 'string') return interpolateString(value, variables, problems, path);
  if (Array.isArray(value))
    return value.map((item, index) => interpolateTree(item, variables, problems, [...path, index]));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    // Defined, not assigned: a key named `__proto__` stays a key and does not become the prototype.
    for (const [key, item] of Object.entries(value))
      Object.defineProperty(out, key, {
        value: interpolateTree(item, variables, problems, [...path, key]),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    return out;
  }
  return value;
}

export function interpolateString(
  text: string,
  variables: Variables,
  problems: ProblemList,
  path: Path,
): string {
  let out = '';
  let index = 0;
  while (index < text.length) {
    const dollar = text.indexOf('$', index);
    if (dollar === -1) {
      out += text.slice(index);
      break;
    }
    out += text.slice(index, dollar);
    const next = text[dollar + 1];
    if (next === '$') {
      out += '$';
      index = dollar + 2;
      continue;
    }
    if (next === '{') {
      const end = closingBrace(text, dollar + 2);
      if (end === -1) {
        problems.add(path, `invalid interpolation: "${text}" has a "\${" without its "}"`);
        return text;
      }
      const expression = text.slice(dollar + 2, end);
      const replaced = braced(expression, variables, problems, path, text);
      if (replaced === undefined) return text;
      out += replaced;
      index = end + 1;
      continue;
    }
    const name = NAME.exec(text.slice(dollar + 1))?.[0];
    if (name === undefined) {
      // Compose refuses a lone `$` too: a literal dollar is written `$$`.
      problems.add(
        path,
        `invalid interpolation: "${text}" has a "$" that starts no variable (write "$$" for a dollar sign)`,
      );
      return text;
    }
    out += variables.get(name) ?? '';
    index = dollar + 1 + name.length;
  }
  return out;
}

/** The index of the `}` closing a `${` whose body starts at `start`, counting nested `${...}`. */
function closingBrace(text: string, start: number): number {
  let depth = 0;
  for (let index = start; index < text.length; index += 1) {
    const char = text[index];
    if (char === '$' && text[index + 1] === '$') index += 1;
    else if (char === '$' && text[index + 1] === '{') {
      depth += 1;
      index += 1;
    } else if (char === '}') {
      if (depth === 0) return index;
      depth -= 1;
    }
  }
  return -1;
}

function braced(
  expression: string,
  variables: Variables,
  problems: ProblemList,
  path: Path,
  whole: string,
): string | undefined {
  const name = NAME.exec(expression)?.[0];
  const rest = name === undefined ? expression : expression.slice(name.length);
  const operator = OPERATORS.find((candidate) => rest.startsWith(candidate));
  if (name === undefined || (rest !== '' && operator === undefined)) {
    problems.add(path, `invalid interpolation: "\${${expression}}" in "${whole}" is not a variable name`);
    return undefined;
  }
  const value = variables.get(name);
  if (operator === undefined) return value ?? '';
  const word = (): string => interpolateString(rest.slice(operator.length), variables, problems, path);
  // With a colon, an empty value counts as unset, as in the shell.
  const set = operator.startsWith(':') ? value !== undefined && value !== '' : value !== undefined;
  switch (operator) {
    case ':-':
    case '-':
      return set ? (value ?? '') : word();
    case ':+':
    case '+':
      return set ? word() : '';
    case ':?':
    case '?': {
      if (set) return value ?? '';
      const message = word();
      problems.add(
        path,
        `the variable ${name} is required${operator === ':?' ? ' (and not empty)' : ''}: ${message === '' ? 'it is not set in the env' : message}`,
      );
      return undefined;
    }
  }
}

import { posix } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import type { KeyValue } from '../../containers/model.js';
import type { Variables } from './interpolate.js';
import type { Path, ProblemList } from './problems.js';

/** The `.env` text's variables, read as docker compose reads the file (dotenv syntax, no expansion). */
export function parseEnvText(text: string): Map<string, string> {
  return new Map(Object.entries(parseDotenv(text)));
}

/** How a `list_or_dict` value (labels, environment) reads: `a=b`, `a`, or `{a: b}`. */
export function entriesOf(value: unknown): [string, string | null][] {
  if (Array.isArray(value))
    return value.map((item) => {
      const text = String(item);
      const equals = text.indexOf('=');
      return equals === -1 ? [text, null] : [text.slice(0, equals), text.slice(equals + 1)];
    });
  if (value !== null && typeof value === 'object')
    return Object.entries(value).map(([key, item]) => [
      key,
      item === null || item === undefined ? null : String(item),
    ]);
  return [];
}

/** Labels, in file order; a label without a value has the empty one (as `docker run --label a`). */
export function labelsOf(value: unknown): KeyValue[] {
  return entriesOf(value).map(([name, item]) => ({ name, value: item ?? '' }));
}

export interface EnvironmentContext {
  variables: Variables;
  /** The file's text; null when there is none; a problem when it may not be read (it leads out of the stack's files). */
  readFile: ((relativePath: string) => string | null | { problem: string }) | undefined;
}

/**
 * The container's environment: each `env_file` in order, then `environment`, a later value replacing
 * an earlier one in its place. A name without a value takes it from the `.env` text (Compose takes
 * it from its shell, which berth never reads), and is left out when that has none.
 */
export function environmentOf(
  service: Record<string, unknown>,
  context: EnvironmentContext,
  path: Path,
  problems: ProblemList,
): KeyValue[] {
  const env = new Map<string, string>();
  const files = service['env_file'];
  const list = typeof files === 'string' ? [files] : Array.isArray(files) ? files.map(String) : [];
  list.forEach((file, index) => {
    const at = typeof files === 'string' ? [...path, 'env_file'] : [...path, 'env_file', index];
    const text = readEnvFile(file, context, at, problems);
    if (text !== undefined)
      for (const [name, value] of Object.entries(parseDotenv(text))) env.set(name, value);
  });
  for (const [name, value] of entriesOf(service['environment'])) {
    const resolved = value ?? context.variables.get(name);
    if (resolved !== undefined) env.set(name, resolved);
  }
  return [...env].map(([name, value]) => ({ name, value }));
}

function readEnvFile(
  file: string,
  context: EnvironmentContext,
  path: Path,
  problems: ProblemList,
): string | undefined {
  if (context.readFile === undefined) {
    problems.add(
      path,
      'env_file needs a stack with files: this stack is only its compose text; use environment instead',
      { key: 'env_file' },
    );
    return undefined;
  }
  const normalized = posix.normalize(file);
  if (posix.isAbsolute(normalized) || normalized === '..' || normalized.startsWith('../')) {
    problems.add(path, `"${file}" is outside the stack's files: env_file takes a path relative to the stack`);
    return undefined;
  }
  const text = context.readFile(normalized);
  if (typeof text === 'object' && text !== null) {
    problems.add(path, `"${file}" ${text.problem}`);
    return undefined;
  }
  if (text === null) {
    problems.add(path, `the stack has no file "${file}"`);
    return undefined;
  }
  return text;
}

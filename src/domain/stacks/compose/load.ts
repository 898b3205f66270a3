import { InvalidComposeError, type ComposeProblem } from '../../../shared/errors.js';
import type { LoadedStack } from '../model.js';
import { STACK_NAME_PATTERN } from '../labels.js';
import { parseEnvText } from './environment.js';
import { sha256 } from './hash.js';
import { interpolateTree } from './interpolate.js';
import { normalize } from './normalize.js';
import { parseCompose } from './parse.js';
import type { ProblemList } from './problems.js';
import { validateSchema } from './schema.js';
import { refuseUnsupported } from './supported.js';

export interface LoadRequest {
  /** The stack's name (Compose's project name). */
  name: string;
  /** The compose file's text. */
  compose: string;
  /** The `.env` text interpolation reads; berth's own environment is never read. */
  env?: string;
  /** The profiles to enable; absent: `COMPOSE_PROFILES` of the env text. */
  profiles?: string[];
  /** Reads a file of the stack (for `env_file`); absent: the stack has no files. */
  readFile?: (relativePath: string) => string | null | { problem: string };
  /** The stack's directory on the engine's host, absolute: relative bind sources resolve against it. Absent: they are refused. */
  workingDir?: string;
  /** Whether a relative bind source, resolved, stays within the stack's files; absent: anywhere. */
  contains?: (absolutePath: string) => boolean;
}

/**
 * Loads a compose file as Compose does, in its order: parse, interpolate, validate against the
 * compose-spec schema, then read it into berth's model. Every problem found at a stage is reported in
 * one `InvalidComposeError`; a stage runs only on what the one before accepted, since its problems
 * would only echo the earlier ones.
 */
export function loadStack(request: LoadRequest): LoadedStack {
  const envText = request.env ?? '';
  const parsed = parseCompose(request.compose);
  const { problems } = parsed;
  if (!STACK_NAME_PATTERN.test(request.name))
    problems.add(
      ['name'],
      `"${request.name}" is not a stack name: lowercase letters, digits, "-" and "_", starting with a letter or digit`,
      { outsideFile: true },
    );
  if (!problems.empty) throw invalid(problems);

  const variables = parseEnvText(envText);
  const value = interpolateTree(parsed.value, variables, problems);
  if (!problems.empty) throw invalid(problems);

  const file = withoutName(value, request.name, problems);
  validateSchema(file, problems);
  refuseUnsupported(file, problems);
  if (!problems.empty) throw invalid(problems);

  const profiles = request.profiles ?? profilesOf(variables.get('COMPOSE_PROFILES'));
  const definition = normalize(
    file as Record<string, unknown>,
    {
      stack: request.name,
      profiles: new Set(profiles),
      variables,
      readFile: request.readFile,
      workingDir: request.workingDir,
      contains: request.contains,
    },
    problems,
  );
  if (!problems.empty) throw invalid(problems);

  return {
    definition,
    compose: request.compose,
    env: envText,
    hash: sha256(`${request.compose}\0${envText}`),
  };
}

/**
 * Top-level `name` came after the vendored schema: accepted when it says what the request says,
 * refused otherwise (the request names the stack), and taken out before the schema sees it.
 */
function withoutName(value: unknown, stack: string, problems: ProblemList): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || !('name' in value)) return value;
  const { name, ...rest } = value as Record<string, unknown>;
  if (name !== stack)
    problems.add(
      ['name'],
      `the file names the stack "${String(name)}", the request "${stack}": they must agree (or leave "name" out)`,
    );
  return rest;
}

/** The problems in the file's order, as an editor lists them; those without a line first. */
function invalid(problems: ProblemList): InvalidComposeError {
  const order = (problem: ComposeProblem): number => (problem.line ?? 0) * 1_000_000 + (problem.column ?? 0);
  return new InvalidComposeError([...problems.problems].sort((a, b) => order(a) - order(b)));
}

function profilesOf(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((profile) => profile.trim())
    .filter((profile) => profile !== '');
}

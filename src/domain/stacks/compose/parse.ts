import { LineCounter, parseDocument, type Document } from 'yaml';
import { ProblemList } from './problems.js';

/** Compose files are small; a larger one is a mistake or an attack on the parser. */
export const MAX_COMPOSE_BYTES = 1024 * 1024;

export interface ParsedCompose {
  /** The plain data of the file (maps as objects with string keys). */
  value: unknown;
  problems: ProblemList;
}

/**
 * Parses the YAML keeping node positions (a `LineCounter`), so every later problem names its line
 * and column. Merge keys (`<<: *base`) are on, as Compose files use them with `x-` anchors.
 */
export function parseCompose(text: string): ParsedCompose {
  if (Buffer.byteLength(text, 'utf8') > MAX_COMPOSE_BYTES) {
    const problems = new ProblemList();
    problems.add([], `the file is larger than ${MAX_COMPOSE_BYTES} bytes`);
    return { value: undefined, problems };
  }
  const lines = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter: lines, merge: true });
  const problems = new ProblemList({ doc, lines });
  for (const error of doc.errors) {
    const [line, column] = error.linePos?.[0] ? [error.linePos[0].line, error.linePos[0].col] : [null, null];
    problems.problems.push({
      path: '',
      line,
      column,
      // The pretty message repeats the position and quotes the line; the problem carries both.
      message: `YAML: ${(error.message.split('\n')[0] ?? error.code).replace(/ at line \d+, column \d+:?$/, '')}`,
      key: null,
    });
  }
  if (!problems.empty) return { value: undefined, problems };
  try {
    // maxAliasCount bounds an alias bomb ("billion laughs"): toJS throws past it.
    return { value: doc.toJS({ maxAliasCount: 100 }), problems };
  } catch (error) {
    problems.add([], `YAML: ${error instanceof Error ? error.message : String(error)}`);
    return { value: undefined, problems };
  }
}

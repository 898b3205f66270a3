import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { ComposeProblem } from '../../../shared/errors.js';

/** A place in the parsed file: object keys and list indexes, outermost first. */
export type PathSegment = string | number;
export type Path = readonly PathSegment[];

const PLAIN_KEY = /^[A-Za-z0-9_-]+$/;

/** `services.web.ports[0]`; a key that is not a plain word is quoted (`labels["com.example.x"]`). */
export function formatPath(path: Path): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

/**
 * Collects every problem of a file, so that one answer names them all. It locates a path in the YAML
 * document it was given, so that each problem carries the line and column a user's editor shows.
 */
export class ProblemList {
  readonly problems: ComposeProblem[] = [];
  private readonly seen = new Set<string>();

  constructor(private readonly source?: { doc: Document; lines: LineCounter }) {}

  /**
   * `atKey`: point at the key itself (an unknown key) rather than its value; `outsideFile`: a problem
   * of the request, which no line of the file holds.
   */
  add(
    path: Path,
    message: string,
    options: { key?: string; atKey?: boolean; outsideFile?: boolean } = {},
  ): void {
    const formatted = formatPath(path);
    const identity = `${formatted}\0${options.key ?? ''}\0${options.key === undefined ? message : ''}`;
    if (this.seen.has(identity)) return;
    this.seen.add(identity);
    const position =
      options.outsideFile === true ? null : this.locate(path, options.atKey ?? options.key !== undefined);
    this.problems.push({
      path: formatted,
      line: position?.line ?? null,
      column: position?.col ?? null,
      message,
      key: options.key ?? null,
    });
  }

  get empty(): boolean {
    return this.problems.length === 0;
  }

  /**
   * The position of the deepest node on the path that exists in the document: a path reached through
   * a merge key (`<<: *base`) or a default the loader filled in is not in the text, its parent is.
   */
  private locate(path: Path, atKey: boolean): { line: number; col: number } | null {
    if (this.source === undefined) return null;
    let node: unknown = this.source.doc.contents;
    let offset = rangeStart(node);
    for (const [index, segment] of path.entries()) {
      const last = index === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((item) => isPair(item) && keyText(item.key) === String(segment));
        if (pair === undefined) break;
        const keyStart = rangeStart(pair.key);
        offset = last && atKey ? (keyStart ?? offset) : (rangeStart(pair.value) ?? keyStart ?? offset);
        node = pair.value;
      } else if (isSeq(node) && typeof segment === 'number') {
        const item = node.items[segment];
        if (item === undefined) break;
        offset = rangeStart(item) ?? offset;
        node = item;
      } else break;
    }
    return offset === undefined ? null : this.source.lines.linePos(offset);
  }
}

function rangeStart(node: unknown): number | undefined {
  return node !== null && typeof node === 'object' && 'range' in node
    ? ((node as Node).range?.[0] ?? undefined)
    : undefined;
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return typeof key === 'string' ? key : undefined;
}

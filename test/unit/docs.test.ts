import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/platform/config.js';

/** The front page and docs/ are checked against the code, so a change that breaks them fails here. */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FRONT_PAGE_MAX_LINES = 250;
const VARIABLE = /^[A-Z][A-Z0-9_]*$/;

const read = (path: string) => readFile(join(ROOT, path), 'utf8');

async function markdownPages(): Promise<string[]> {
  const docs = (await readdir(join(ROOT, 'docs'))).filter((name) => name.endsWith('.md')).sort();
  return ['README.md', ...docs.map((name) => `docs/${name}`)];
}

/** Markdown without its fenced code blocks, whose `# comments` are no headings. */
function withoutCodeBlocks(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
}

/** Markdown without any code: code blocks and inline spans hold examples, not links. */
function prose(markdown: string): string {
  return withoutCodeBlocks(markdown).replace(/`[^`\n]*`/g, '');
}

/**
 * The variables `src/platform/config.ts` reads: every key its schema asks of the environment (seen by
 * handing `loadConfig` an environment that records what is read, so the schema's layout does not
 * matter), and every variable it reads by name outside the schema (`env.X`, `process.env['X']`).
 */
async function variablesConfigReads(): Promise<Set<string>> {
  const seen = new Set<string>();
  const recording = new Proxy<NodeJS.ProcessEnv>(
    {},
    {
      get(target, key, receiver) {
        if (typeof key === 'string' && VARIABLE.test(key)) seen.add(key);
        return Reflect.get(target, key, receiver) as unknown;
      },
    },
  );
  loadConfig(recording);

  const source = await read('src/platform/config.ts');
  for (const [, quoted, dotted] of source.matchAll(
    /\benv(?:\[\s*['"]([A-Z][A-Z0-9_]*)['"]\s*\]|\.([A-Z][A-Z0-9_]*)\b)/g,
  )) {
    const name = quoted ?? dotted;
    if (name !== undefined) seen.add(name);
  }
  return seen;
}

/** The variables named in the first cell of each row of the first table headed `| variable |`. */
function variablesInTable(markdown: string): string[] {
  const lines = markdown.split('\n');
  const header = lines.findIndex((line) => /^\|\s*variable\s*\|/.test(line));
  if (header === -1) return [];
  const names: string[] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    const firstCell = line.split('|')[1] ?? '';
    for (const [, name] of firstCell.matchAll(/`([^`]+)`/g)) {
      if (name !== undefined && VARIABLE.test(name)) names.push(name);
    }
  }
  return names;
}

/** GitHub's anchor for a heading: its text, lower case, without punctuation, spaces as hyphens. */
function slug(heading: string): string {
  return heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[`*]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M} _-]/gu, '')
    .replace(/ /g, '-');
}

function anchors(markdown: string): Set<string> {
  const found = new Set<string>();
  const counts = new Map<string, number>();
  for (const [, text] of withoutCodeBlocks(markdown).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = slug(text ?? '');
    const count = counts.get(base) ?? 0;
    counts.set(base, count + 1);
    found.add(count === 0 ? base : `${base}-${count}`);
  }
  return found;
}

/** Every relative link and image of a page, as written. */
function relativeLinks(markdown: string): string[] {
  return [...prose(markdown).matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)]
    .map(([, target]) => target ?? '')
    .filter((target) => target !== '' && !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

describe('docs/configuration.md', () => {
  it('lists exactly the environment variables src/platform/config.ts reads', async () => {
    const readByConfig = await variablesConfigReads();
    // A parse that finds nothing would make the comparison below hold vacuously.
    expect(readByConfig).toContain('PORT');
    expect(readByConfig).toContain('DOCKER_HOST');

    const documented = variablesInTable(await read('docs/configuration.md'));
    expect(documented.length, 'a variable in two rows').toBe(new Set(documented).size);
    expect([...documented].sort()).toEqual([...readByConfig].sort());
  });

  it("is what the front page's short table draws from", async () => {
    const all = await variablesConfigReads();
    const onFrontPage = variablesInTable(await read('README.md'));
    expect(onFrontPage.length).toBeGreaterThan(0);
    expect(onFrontPage.filter((name) => !all.has(name))).toEqual([]);
  });
});

describe('links in README.md and docs/', () => {
  it('lead to files, and headings, that exist', async () => {
    const broken: string[] = [];
    for (const page of await markdownPages()) {
      const markdown = await read(page);
      for (const link of relativeLinks(markdown)) {
        const [path = '', anchor] = link.split('#', 2);
        const target = path === '' ? page : relative(ROOT, join(ROOT, dirname(page), decodeURI(path)));
        const exists = await stat(join(ROOT, target)).then(
          () => true,
          () => false,
        );
        if (!exists) {
          broken.push(`${page}: ${link} (no file ${target})`);
          continue;
        }
        if (anchor !== undefined && target.endsWith('.md') && !anchors(await read(target)).has(anchor)) {
          broken.push(`${page}: ${link} (no heading #${anchor} in ${target})`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it('reach every page of docs/ from its index', async () => {
    const linked = new Set(relativeLinks(await read('docs/README.md')).map((link) => link.split('#')[0]));
    const pages = (await markdownPages()).filter(
      (page) => page.startsWith('docs/') && page !== 'docs/README.md',
    );
    expect(pages.filter((page) => !linked.has(page.slice('docs/'.length)))).toEqual([]);
  });
});

describe('README.md', () => {
  it(`stays a front page: at most ${FRONT_PAGE_MAX_LINES} lines, the reference living in docs/`, async () => {
    const lines = (await read('README.md')).trimEnd().split('\n').length;
    expect(lines).toBeLessThanOrEqual(FRONT_PAGE_MAX_LINES);
  });
});

import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, HTTP_ERROR_CODES } from '../../src/shared/errors.js';
import { schema } from '../../src/api/graphql/index.js';

describe('the error catalog', () => {
  const all = { ...ERROR_CODES, ...HTTP_ERROR_CODES };

  it('has unique codes across GraphQL and REST', () => {
    const codes = [...Object.keys(ERROR_CODES), ...Object.keys(HTTP_ERROR_CODES)];
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('documents every code, with its HTTP status, in docs/errors.md', async () => {
    const page = await readFile(new URL('../../docs/errors.md', import.meta.url), 'utf8');
    for (const [code, { httpStatus }] of Object.entries(all)) {
      expect(page, code).toMatch(new RegExp(`\\|\\s*\`${code}\`\\s*\\|\\s*${httpStatus}\\s*\\|`));
    }
  });

  it('lists no code in docs/errors.md that the catalog lacks', async () => {
    const page = await readFile(new URL('../../docs/errors.md', import.meta.url), 'utf8');
    const listed = [...page.matchAll(/^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|/gm)].map(([, code]) => code ?? '');
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.filter((code) => !(code in all))).toEqual([]);
  });

  it('exposes exactly the domain codes as the ErrorCode enum', () => {
    const values = schema.getType('ErrorCode')?.toConfig() as { values: Record<string, unknown> } | undefined;
    expect(Object.keys(values?.values ?? {}).sort()).toEqual(Object.keys(ERROR_CODES).sort());
  });
});

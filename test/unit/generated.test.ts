import { readFile } from 'node:fs/promises';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import codegenConfig from '../../codegen.js';
import { printBerthSchema } from '../../src/api/graphql/index.js';

/** Generated files are checked in for review; these fail when they drift from their source. */
describe('generated files', () => {
  it('schema.graphql is what the builder prints (run `npm run schema:print`)', async () => {
    const checkedIn = await readFile(new URL('../../schema.graphql', import.meta.url), 'utf8');
    expect(checkedIn).toBe(printBerthSchema());
  });

  it('test/gql/ and web/src/gql/ are what GraphQL Code Generator writes (run `npm run codegen`)', async () => {
    const outputs = (await generate({ ...codegenConfig, silent: true }, false)) as {
      filename: string;
      content: string;
    }[];
    // The tests' operations and the dashboard's, each with its gql(), graphql and index files.
    for (const directory of ['test/gql/', 'web/src/gql/']) {
      expect(
        outputs.map(({ filename }) => filename).filter((filename) => filename.startsWith(directory)),
        directory,
      ).toHaveLength(3);
    }
    for (const { filename, content } of outputs) {
      const checkedIn = await readFile(new URL(`../../${filename}`, import.meta.url), 'utf8');
      expect(checkedIn, filename).toBe(content);
    }
  });
});

import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Types the operations the tests and the dashboard send (client preset) from the checked-in
 * schema.graphql. `npm run codegen` regenerates test/gql/ and web/src/gql/;
 * test/unit/generated.test.ts fails when either drifts.
 */

// One configuration for both: typed documents whose fragments are spread, not masked.
const clientPreset = {
  preset: 'client' as const,
  presetConfig: { fragmentMasking: false },
  config: {
    enumsAsTypes: true,
    useTypeImports: true,
    scalars: { DateTime: 'string', SafeInt: 'number', JSONObject: 'Record<string, unknown>' },
  },
};

const config: CodegenConfig = {
  schema: 'schema.graphql',
  ignoreNoDocuments: false,
  // Generated relative imports carry their .js extension: NodeNext (the tests) needs it, and the
  // dashboard's bundler resolution takes it as well.
  emitLegacyCommonJSImports: false,
  generates: {
    // Only the tests' documents folder: a document written anywhere else in test/ stays untyped.
    'test/gql/': { ...clientPreset, documents: ['test/support/operations/*.ts'] },
    'web/src/gql/': { ...clientPreset, documents: ['web/src/operations.ts'] },
  },
};

export default config;

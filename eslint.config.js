// ESLint holds the rules that are not imports (those are dependency-cruiser's, .dependency-cruiser.cjs):
// configuration is parsed once, in src/platform/config.ts, so nothing else reads the environment.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    files: ['src/**/*.ts'],
    extends: [tseslint.configs.base],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Read settings through loadConfig (src/platform/config.ts) and pass what is needed.',
        },
      ],
    },
  },
  {
    files: ['src/platform/config.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
);

import { defineConfig } from 'vite';

// `npm run build` (vite build --config web/vite.config.ts) from the repository's root: web/ is
// the root whatever the working directory, and the output, web/dist/, is what berth serves at `/` (or under its base path).
const root = decodeURIComponent(new URL('.', import.meta.url).pathname);

export default defineConfig({
  root,
  // Relative asset URLs (`./assets/…`): the page works wherever it is served, at `/` or under
  // BERTH_BASE_PATH behind a proxy, without knowing the prefix.
  base: './',
  publicDir: false,
  logLevel: 'warn',
  // Preact's automatic JSX runtime, through vite's own esbuild: no plugin needed.
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Every file but index.html lands here with a content hash in its name: cached for good.
    assetsDir: 'assets',
    target: 'es2022',
    reportCompressedSize: false,
  },
});

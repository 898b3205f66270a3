// Runs before `npm start` and `npm run token`. In a clone installed with its build tools
// (`npm ci`), it builds first, so `npm ci && npm start` serves the current sources. In a tree
// installed with `npm ci --omit=dev` there is no compiler: the build already made must be there.
// Plain JavaScript, because in that tree tsx is absent too.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const onlyIfMissing = process.argv.includes('--if-missing');
const built = existsSync(new URL('../dist/main.js', import.meta.url));

let hasBuildTools = true;
try {
  require.resolve('typescript');
} catch {
  hasBuildTools = false;
}

if (hasBuildTools && !(onlyIfMissing && built)) {
  execSync('npm run build', { stdio: 'inherit' });
} else if (!built) {
  console.error(
    'berth: dist/ is missing and this install has no build tools (npm ci --omit=dev). ' +
      'Build first with `npm ci && npm run build`, then install for production.',
  );
  process.exit(1);
}

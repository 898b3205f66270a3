/** `npm run bench:readme`: rewrites README.md's performance figures from the committed bench/RESULTS.md. */
import { updateReadme } from './lib/readme-figures.js';

console.log(await updateReadme());

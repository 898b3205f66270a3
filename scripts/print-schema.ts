import { writeFileSync } from 'node:fs';
import { printBerthSchema } from '../src/api/graphql/index.js';

// Regenerates the checked-in schema.graphql; test/unit/generated.test.ts fails when it drifts.
writeFileSync(new URL('../schema.graphql', import.meta.url), printBerthSchema());

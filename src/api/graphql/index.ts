import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { builder } from './builder.js';
import './root.js';
import './scalars.js';
import './errors.js';
import './container.js';
import './stats.js';
import './history.js';
import './events.js';
import './system.js';
import './logs.js';
import './exec.js';
import './tokens.js';
import './policy.js';
import './template.js';
import './backup.js';
import './image.js';
import './network.js';
import './volume.js';
import './swarm.js';
import './alert.js';
import './redeploy.js';
import './stack.js';
import './stack-git.js';
import './image-update.js';
import './registry.js';
import './stack-webhook.js';
import './environment.js';

export const schema: GraphQLSchema = builder.toSchema();

/** The SDL checked in as schema.graphql: sorted, so a diff shows only real changes. */
export function printBerthSchema(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}

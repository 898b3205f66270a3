import { builder } from './builder.js';

// The root types; each domain file adds its own fields to them.
builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});

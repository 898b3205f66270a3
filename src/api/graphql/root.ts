import { builder } from './builder.js';

// The root types; each domain file adds its own fields to them. Every field of a root type
// requires its role: reading needs viewer, changing needs operator; admin fields add admin.
builder.queryType({ authScopes: { viewer: true } });
builder.mutationType({ authScopes: { operator: true } });
builder.subscriptionType({ authScopes: { viewer: true } });

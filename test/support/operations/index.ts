/**
 * Every GraphQL document the tests send, one file per domain, typed by GraphQL Code Generator
 * (`npm run codegen` writes test/gql/ from these files only). Fragments are not masked: a document
 * that spreads `...ContainerFields` answers every field of it, so each thing is read one way
 * everywhere. A test that sends text instead says why (hostile input, or the wire format itself).
 */
export * from './alerts.js';
export * from './audit.js';
export * from './backup.js';
export * from './containers.js';
export * from './environments.js';
export * from './events.js';
export * from './exec.js';
export * from './history.js';
export * from './images.js';
export * from './logs.js';
export * from './networks.js';
export * from './policy.js';
export * from './redeploy.js';
export * from './registries.js';
export * from './stacks.js';
export * from './stacks-git.js';
export * from './stats.js';
export * from './swarm.js';
export * from './system.js';
export * from './templates.js';
export * from './tokens.js';
export * from './volumes.js';
export * from './webhooks.js';

import { afterAll, beforeAll, expect, it } from 'vitest';
import { startEngine, stopEngine, type StartedEngine } from '../harness/engine.js';
import { startBerth, type RunningBerth } from '../support/berth.js';
import { CreateNetwork } from '../support/operations/index.js';

/**
 * An engine whose default address pools are used up. A private engine with a pool of one /24
 * makes it real: its first network without a subnet takes the only range, and the next finds none.
 */

let engine: StartedEngine;
let berth: RunningBerth;

beforeAll(async () => {
  engine = await startEngine({
    isolatedBridge: true,
    extraArgs: ['--shutdown-timeout=2', '--default-address-pool', 'base=10.213.250.0/24,size=24'],
  });
  berth = await startBerth({ DOCKER_HOST: engine.dockerHost });
}, 60_000);

afterAll(async () => {
  await berth?.stop();
  if (engine) await stopEngine(engine);
});

it('answers INVALID_STATE, saying to give a subnet, when no range is left; one with a subnet is made', async () => {
  const first = await berth.graphql(CreateNetwork, { name: 'takes-the-pool' });
  expect(first.errors).toBeUndefined();

  const refused = await berth.graphql(CreateNetwork, { name: 'finds-none' });
  expect(refused.errors?.[0]?.extensions?.['code']).toBe('INVALID_STATE');
  expect(refused.errors?.[0]?.message).toContain('give it a subnet');

  const withSubnet = await berth.graphql(CreateNetwork, {
    name: 'brings-its-own',
    subnet: '10.213.251.0/24',
  });
  expect(withSubnet.errors).toBeUndefined();
});

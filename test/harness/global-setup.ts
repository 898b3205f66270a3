// vitest globalSetup: bring up an engine, the test image and a local registry once per
// run, hand them to the test files, and take everything down again afterwards.

import type { TestProject } from 'vitest/node';

import { TEST_LABEL, cleanupLabelled, testDocker } from './docker.js';
import {
  acquireEngine,
  ensureRegistry,
  ensureTestImage,
  stopEngine,
  stopRegistry,
  sweepOrphans,
  type EngineLease,
  type RegistryLease,
} from './engine.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const startedAt = Date.now();
  const swept = await sweepOrphans();
  const engine = await acquireEngine();
  let registry: RegistryLease;
  let testImage: string;
  try {
    testImage = await ensureTestImage(engine.dockerHost);
    registry = await ensureRegistry();
  } catch (error) {
    await teardownEngine(engine);
    throw error;
  }

  project.provide('dockerHost', engine.dockerHost);
  project.provide('testImage', testImage);
  project.provide('registry', registry.address);
  console.info(
    `[berth harness] engine ${engine.dockerHost} (${engine.started ? 'started' : 'reused'}), ` +
      `registry ${registry.address} (${registry.started ? 'started' : 'reused'}), ` +
      `ready in ${Date.now() - startedAt} ms` +
      (swept.length > 0 ? `; cleaned up after interrupted runs: ${swept.join(', ')}` : ''),
  );

  return async function teardown(): Promise<void> {
    // Run every step even if one fails, then report all failures: a leak should be loud.
    const failures: unknown[] = [];
    const attempt = async (step: () => Promise<unknown>): Promise<void> => {
      await step().catch((error: unknown) => failures.push(error));
    };
    await attempt(() => removeTestContainers(engine));
    await attempt(() => stopRegistry(registry));
    await attempt(() => teardownEngine(engine));
    if (failures.length > 0) throw new AggregateError(failures, '[berth harness] teardown failed');
  };
}

/**
 * On a reused engine, remove only what tests made (labelled). On our own engine every
 * container is ours: remove them all, so dockerd need not wait out stop timeouts on exit.
 */
async function removeTestContainers(engine: EngineLease): Promise<void> {
  const docker = testDocker(engine.dockerHost);
  if (engine.started === undefined) {
    // Several runs at once on one engine (parallel development) would remove each other's
    // containers mid-test; each file removes its own in afterAll, so the sweep can be skipped.
    if (process.env['BERTH_TEST_SHARED_ENGINE'] !== '1') await cleanupLabelled(docker, TEST_LABEL);
    return;
  }
  const all = await docker.listContainers({ all: true });
  await Promise.allSettled(all.map((info) => docker.getContainer(info.Id).remove({ force: true, v: true })));
}

async function teardownEngine(engine: EngineLease): Promise<void> {
  if (engine.started !== undefined) await stopEngine(engine.started);
}

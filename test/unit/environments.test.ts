import { describe, expect, it } from 'vitest';
import { Environments } from '../../src/domain/environments/environments.js';
import type {
  EnvironmentDefinition,
  EnvironmentRuntime,
  EnvironmentServices,
} from '../../src/domain/environments/model.js';
import type { EngineState, EngineStateChange } from '../../src/domain/system/engine-availability.js';
import type { Principal } from '../../src/platform/auth/principal.js';
import { EnvironmentNotFoundError, ForbiddenError } from '../../src/shared/errors.js';

/** What each fake engine's state listeners are, by environment: a test tells them a change. */
const engines = new Map<string, Set<(change: EngineStateChange) => void>>();

/**
 * A runtime that records its starts and stops; of its services the registry uses only the
 * engine's state and its changes, which the test drives through `engines`.
 */
function runtime(name: string, journal: string[]): EnvironmentRuntime {
  const definition: EnvironmentDefinition = {
    name,
    endpoint: `tcp://${name}:2376`,
    connection: { kind: 'tcp', host: name, port: 2376, protocol: 'http' },
    source: name === 'local' ? 'LOCAL' : 'API',
  };
  const listeners = new Set<(change: EngineStateChange) => void>();
  engines.set(name, listeners);
  const state: EngineState = {
    status: 'UP',
    downSince: null,
    lastError: null,
    engineVersion: '28.2.2',
    swarmRole: null,
  };
  const system = {
    engineState: () => state,
    onEngineStateChange: (listener: (change: EngineStateChange) => void) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return {
    definition,
    services: { name, system } as unknown as EnvironmentServices,
    start: async () => void journal.push(`start ${name}`),
    stop: async () => void journal.push(`stop ${name}`),
  };
}

const limited: Principal = { tokenId: 't1', name: 'ci', role: 'operator', environments: ['edge'] };

describe('Environments', () => {
  it('finds an environment by name and refuses unknown names with ENVIRONMENT_NOT_FOUND', async () => {
    const journal: string[] = [];
    const environments = new Environments(runtime('local', journal), (d) => runtime(d.name, journal));
    await environments.add(runtime('edge', journal).definition);
    expect(environments.get('edge').name).toBe('edge');
    expect(() => environments.get('nowhere')).toThrow(EnvironmentNotFoundError);
  });

  it('refuses a token limited to other environments, and lists only the ones it may use', async () => {
    const journal: string[] = [];
    const environments = new Environments(runtime('local', journal), (d) => runtime(d.name, journal));
    await environments.add(runtime('edge', journal).definition);
    await environments.add(runtime('backup', journal).definition);
    expect(() => environments.get('local', limited)).toThrow(ForbiddenError);
    expect(environments.get('edge', limited).name).toBe('edge');
    expect(environments.list(limited).map((e) => e.name)).toEqual(['edge']);
    expect(environments.list().map((e) => e.name)).toEqual(['local', 'backup', 'edge']);
  });

  it('starts an environment added while running, and stops one when it is removed', async () => {
    const journal: string[] = [];
    const environments = new Environments(runtime('local', journal), (d) => runtime(d.name, journal));
    await environments.add(runtime('early', journal).definition);
    expect(journal).toEqual([]);
    await environments.start();
    await environments.add(runtime('late', journal).definition);
    await environments.remove('early');
    expect(environments.has('early')).toBe(false);
    await environments.stop();
    expect(journal.slice(0, 2).sort()).toEqual(['start early', 'start local']);
    expect(journal.slice(2, 4)).toEqual(['start late', 'stop early']);
    expect(journal.slice(4).sort()).toEqual(['stop late', 'stop local']);
    await expect(environments.remove('local')).rejects.toThrow(/cannot be removed/);
  });

  it('publishes each environment’s changes to every listener: added, its engine’s, removed; none after it leaves', async () => {
    const journal: string[] = [];
    const environments = new Environments(runtime('local', journal), (d) => runtime(d.name, journal));
    const heard: string[] = [];
    const stop = environments.onChange((change) =>
      heard.push(`${change.kind} ${change.definition.name} ${change.state.status}`),
    );
    expect(environments.listeners()).toBe(1);
    await environments.add(runtime('edge', journal).definition);
    for (const listener of engines.get('edge')!) listener('DOWN');
    for (const listener of engines.get('local')!) listener('UPDATED');
    await environments.remove('edge');
    // Its engine's listener went with it: nothing more of it is told.
    expect(engines.get('edge')!.size).toBe(0);
    expect(heard).toEqual(['ADDED edge UP', 'DOWN edge UP', 'UPDATED local UP', 'REMOVED edge UP']);
    stop();
    expect(environments.listeners()).toBe(0);
    for (const listener of engines.get('local')!) listener('DOWN');
    expect(heard).toHaveLength(4);
  });
});

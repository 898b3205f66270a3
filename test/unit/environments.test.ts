import { describe, expect, it } from 'vitest';
import { Environments } from '../../src/domain/environments/environments.js';
import type {
  EnvironmentDefinition,
  EnvironmentRuntime,
  EnvironmentServices,
} from '../../src/domain/environments/model.js';
import type { Principal } from '../../src/platform/auth/principal.js';
import { EnvironmentNotFoundError, ForbiddenError } from '../../src/shared/errors.js';

/** A runtime that records its starts and stops; the registry never looks inside its services. */
function runtime(name: string, journal: string[]): EnvironmentRuntime {
  const definition: EnvironmentDefinition = {
    name,
    endpoint: `tcp://${name}:2376`,
    connection: { kind: 'tcp', host: name, port: 2376, protocol: 'http' },
    source: name === 'local' ? 'LOCAL' : 'API',
  };
  return {
    definition,
    services: { name } as EnvironmentServices,
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
});

import { describe, expect, it } from 'vitest';
import { loadStack } from '../../src/domain/stacks/compose/load.js';

function hashes(compose: string): Record<string, string> {
  const { services } = loadStack({ name: 'demo', compose }).definition;
  return Object.fromEntries(services.map((service) => [service.name, service.configHash]));
}

const base = `services:
  web:
    image: nginx
    command: [nginx, -g, "daemon off;"]
    environment: { A: "1", B: "2" }
    ports: ["8080-8082:80"]
    networks: [front]
    deploy: { replicas: 1 }
  db:
    image: postgres
networks: { front: {} }
`;

describe('configHash', () => {
  it('is stable when the keys of the file are reordered', () => {
    const reordered = `networks: { front: {} }
services:
  db:
    image: postgres
  web:
    deploy: { replicas: 1 }
    networks: [front]
    ports: ["8080-8082:80"]
    environment: { A: "1", B: "2" }
    command: [nginx, -g, "daemon off;"]
    image: nginx
`;
    expect(hashes(reordered)).toEqual(hashes(base));
  });

  it('changes with the command, and only for that service', () => {
    const changed = hashes(base.replace('"daemon off;"', '"daemon on;"'));
    expect(changed['web']).not.toBe(hashes(base)['web']);
    expect(changed['db']).toBe(hashes(base)['db']);
  });

  it('does not change with replicas, update config or dependencies', () => {
    const scaled = base
      .replace('replicas: 1', 'replicas: 3, update_config: { parallelism: 2, order: start-first }')
      .replace('image: nginx', 'image: nginx\n    depends_on: [db]');
    expect(hashes(scaled)).toEqual(hashes(base));
  });

  it('changes with the engine name of a network or volume', () => {
    const renamed = base.replace('front: {} }', 'front: { name: elsewhere } }');
    expect(hashes(renamed)['web']).not.toBe(hashes(base)['web']);
    const other = loadStack({ name: 'other', compose: base }).definition.services.find(
      (s) => s.name === 'web',
    );
    expect(other?.configHash).not.toBe(hashes(base)['web']);
  });

  it('changes with the environment order, which the container keeps', () => {
    expect(hashes(base.replace('{ A: "1", B: "2" }', '{ B: "2", A: "1" }'))['web']).not.toBe(
      hashes(base)['web'],
    );
  });
});

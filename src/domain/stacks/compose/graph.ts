import type { StackServiceDefinition } from '../model.js';

/**
 * The dependency cycles among services, each as the names along it back to its start
 * (`["a", "b", "a"]`), found once each whatever service the search starts from.
 */
export function dependencyCycles(
  services: readonly Pick<StackServiceDefinition, 'name' | 'dependsOn'>[],
): string[][] {
  const edges = new Map(
    services.map((service) => [service.name, service.dependsOn.map((dependency) => dependency.service)]),
  );
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (name: string): void => {
    state.set(name, 'visiting');
    stack.push(name);
    for (const next of edges.get(name) ?? []) {
      if (!edges.has(next)) continue;
      if (state.get(next) === 'visiting') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (state.get(next) === undefined) visit(next);
    }
    stack.pop();
    state.set(name, 'done');
  };
  for (const name of [...edges.keys()].sort()) if (state.get(name) === undefined) visit(name);
  return cycles;
}

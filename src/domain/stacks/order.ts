import type { StackServiceDefinition } from './model.js';

/**
 * The services in start order, as levels: every service's dependencies are in earlier levels, and
 * the services of one level do not depend on each other, so they start in parallel (as Compose
 * does). A cycle has no order: it is named, e.g. `a -> b -> a`.
 */
export function dependencyLevels(services: readonly StackServiceDefinition[]): string[][] {
  const names = new Set(services.map((service) => service.name));
  const needs = new Map(
    services.map((service) => [
      service.name,
      service.dependsOn.map((dependency) => dependency.service).filter((name) => names.has(name)),
    ]),
  );
  const level = new Map<string, number>();
  const visiting: string[] = [];
  const visit = (name: string): number => {
    const known = level.get(name);
    if (known !== undefined) return known;
    const at = visiting.indexOf(name);
    if (at >= 0) throw new DependencyCycleError([...visiting.slice(at), name]);
    visiting.push(name);
    const depth = Math.max(-1, ...(needs.get(name) ?? []).map(visit)) + 1;
    visiting.pop();
    level.set(name, depth);
    return depth;
  };
  for (const name of [...names].sort()) visit(name);
  const levels: string[][] = [];
  for (const [name, depth] of [...level].sort(([a], [b]) => a.localeCompare(b))) {
    (levels[depth] ??= []).push(name);
  }
  return levels;
}

export class DependencyCycleError extends Error {
  constructor(readonly cycle: string[]) {
    super(`depends_on has a cycle: ${cycle.join(' -> ')}`);
  }
}

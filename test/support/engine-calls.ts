/**
 * The engine call kinds a berth has timed so far: the `operation` labels of its
 * `berth_docker_call_duration_seconds` series on `/metrics`, whatever their outcome.
 * (Authentication must be off, as startBerth leaves it unless told otherwise.)
 */
export async function timedOperations(url: string): Promise<Set<string>> {
  const response = await fetch(`${url}/metrics`);
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
  const text = await response.text();
  const operations = new Set<string>();
  for (const [, labels] of text.matchAll(/^berth_docker_call_duration_seconds_count\{([^}]*)\}/gm)) {
    const operation = /(?:^|,)operation="([^"]*)"/.exec(labels ?? '')?.[1];
    if (operation !== undefined) operations.add(operation);
  }
  return operations;
}

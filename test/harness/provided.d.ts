// Values the harness's globalSetup hands to every test file through `inject(...)`.
declare module 'vitest' {
  export interface ProvidedContext {
    /** The engine under test as a DOCKER_HOST string, e.g. `unix:///tmp/berth-engine-x/docker.sock`. */
    dockerHost: string;
    /** An image present on that engine: static busybox, runs `httpd` on port 80 by default. */
    testImage: string;
    /** A local registry, `host:port`, that the engine can push to and pull from. */
    registry: string;
  }
}

// Make this file a module so the block above augments vitest's types instead of replacing them.
export {};

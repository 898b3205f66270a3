import type { EngineImage, ImagePrune, ImageRemoval, PullEvent } from './model.js';

/** What the image domain needs of an engine (implemented by src/engine/images.ts). */
export interface ImageEngine {
  list(): Promise<EngineImage[]>;
  /** The image a reference or id names, or null when the engine does not have it. */
  find(reference: string): Promise<EngineImage | null>;
  /**
   * Pulls from the registry, telling each progress event; resolves when the pull is done. `auth`
   * goes to the registry through the engine (its X-Registry-Auth header), nowhere else.
   */
  pull(reference: string, onEvent: (event: PullEvent) => void, auth?: RegistryAuth): Promise<void>;
  remove(reference: string, force: boolean): Promise<ImageRemoval>;
  prune(): Promise<ImagePrune>;
}

/** A credential for one pull, as the engine takes it: the registry's host and the user's secret. */
export interface RegistryAuth {
  serveraddress: string;
  username: string;
  password: string;
}

/**
 * Who knows the credential of an image's registry (src/domain/registries): asked at each pull, so a
 * credential saved or removed applies from the next pull on. Null when none is saved for it.
 */
export interface RegistryAuthProvider {
  authFor(reference: string): RegistryAuth | null;
}

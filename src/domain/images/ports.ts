import type { EngineImage, ImagePrune, ImageRemoval, PullEvent } from './model.js';

/** What the image domain needs of an engine (implemented by src/engine/images.ts). */
export interface ImageEngine {
  list(): Promise<EngineImage[]>;
  /** The image a reference or id names, or null when the engine does not have it. */
  find(reference: string): Promise<EngineImage | null>;
  /** Pulls from the registry, telling each progress event; resolves when the pull is done. */
  pull(reference: string, onEvent: (event: PullEvent) => void): Promise<void>;
  remove(reference: string, force: boolean): Promise<ImageRemoval>;
  prune(): Promise<ImagePrune>;
}

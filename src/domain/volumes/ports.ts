import type { KeyValue } from '../containers/model.js';
import type { EngineVolume, VolumeFilter, VolumePrune } from './model.js';

/** What the volume domain needs of an engine (implemented by src/engine/volumes.ts). */
export interface VolumeEngine {
  list(filter?: VolumeFilter): Promise<EngineVolume[]>;
  find(name: string): Promise<EngineVolume | null>;
  create(name: string, labels: readonly KeyValue[]): Promise<EngineVolume>;
  remove(name: string, force: boolean): Promise<void>;
  /** Removes unused volumes carrying `label`. */
  prune(label: string): Promise<VolumePrune>;
}

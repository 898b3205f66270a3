import type { KeyValue } from '../containers/model.js';

/** berth's view of volumes: what the schema renders, free of Docker's wire shapes. */

export interface EngineVolume {
  name: string;
  driver: string;
  /** Where its data lives on the engine's host. */
  mountpoint: string;
  /** `local`, or `global` for a driver whose volumes every node sees. */
  scope: string;
  labels: KeyValue[];
  /** null when the driver does not say (the local driver always does). */
  createdAt: Date | null;
}

export type Volume = EngineVolume;

export interface VolumeFilter {
  /** Part of the name. */
  name?: string;
  /** `key` or `key=value`. */
  label?: string;
}

export interface VolumePrune {
  /** Names of the volumes removed. */
  deleted: string[];
  spaceReclaimedBytes: number;
}

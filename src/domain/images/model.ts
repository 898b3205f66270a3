/** berth's view of images and of pulls: what the schema renders, free of Docker's wire shapes. */

export interface Image {
  /** The content-addressed id, `sha256:…`. */
  id: string;
  /** `repo:tag` references; empty for a dangling image. */
  tags: string[];
  sizeBytes: number;
  createdAt: Date;
  /** Containers created from this image, running or not. */
  containers: number;
}

/** An image as the engine describes it; the service adds what only berth knows. */
export type EngineImage = Omit<Image, 'containers'>;

/** One line of Docker's pull progress: about one layer, or about the pull as a whole. */
export type PullEvent =
  | { kind: 'layer'; id: string; status: string; currentBytes?: number; totalBytes?: number }
  | { kind: 'status'; status: string };

export interface LayerProgress {
  /** Docker's short layer id. */
  id: string;
  /** Docker's words for the layer's phase: `Waiting`, `Downloading`, `Extracting`, `Pull complete`, … */
  status: string;
  /** Compressed bytes downloaded so far. */
  currentBytes: number;
  /** The layer's compressed size; 0 until Docker reports it (and for layers the engine already has). */
  totalBytes: number;
}

export const PULL_STATES = ['WAITING', 'PULLING', 'DONE'] as const;
export type PullState = (typeof PULL_STATES)[number];

/** A snapshot of one reference's pull: each message replaces the one before. */
export interface PullProgress {
  /** The normalized reference (`busybox` is `busybox:latest`). */
  reference: string;
  state: PullState;
  layers: LayerProgress[];
  currentBytes: number;
  totalBytes: number;
}

export interface ImageRemoval {
  untagged: string[];
  deleted: string[];
}

export interface ImagePrune {
  /** Ids of the images deleted. */
  deleted: string[];
  spaceReclaimedBytes: number;
}

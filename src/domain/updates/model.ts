/** Image-update detection: whether the registry has a newer image under a tag the engine runs. */

export const IMAGE_UPDATE_STATUSES = ['UP_TO_DATE', 'AVAILABLE', 'UNKNOWN'] as const;
export type ImageUpdateStatus = (typeof IMAGE_UPDATE_STATUSES)[number];

/** What the last check found for one reference (normalized: `busybox` is `busybox:latest`). */
export interface ImageUpdate {
  reference: string;
  status: ImageUpdateStatus;
  /** The digest the engine recorded when it pulled the image the tag names; null when it has none. */
  localDigest: string | null;
  /** The registry's manifest digest for the tag; null when the registry was not asked or did not say. */
  remoteDigest: string | null;
  checkedAt: Date;
  /** When AVAILABLE was first seen for this local image (kept in the database across restarts). */
  since: Date | null;
  /** Why the status is UNKNOWN. */
  error: string | null;
  /**
   * Each image id a container of this tag ran at the check, and the digest its registry gave it
   * (null: none, built or imported here): a container created before the last pull may run an older
   * image than the tag names.
   */
  imageDigests: Record<string, string | null>;
}

/** Whether one container runs the image its registry has under its tag now. */
export interface ContainerImageFinding {
  update: ImageUpdate;
  /** The digest of the image the container runs. */
  runningDigest: string;
  /** The registry's digest for the tag. */
  remoteDigest: string;
  /** True when they differ: a newer image exists for this container. */
  behind: boolean;
}

/** Where a tagged reference lives in a registry, as the Registry HTTP API v2 addresses it. */
export interface RegistryImage {
  /** The registry as users name it (`docker.io`, `127.0.0.1:5000`, `ghcr.io`); credentials are keyed by it. */
  registry: string;
  /** The repository within it (`library/busybox`, `team/app`). */
  repository: string;
  tag: string;
}

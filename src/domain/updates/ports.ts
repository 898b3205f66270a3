import type { RegistryImage } from './model.js';

/** What image-update detection needs of the engine (src/engine/image-digests.ts). */
export interface LocalImageDigests {
  /** The image `reference` names on the engine: its RepoDigests, or null when the engine has none. */
  repoDigests(reference: string): Promise<readonly string[] | null>;
}

/** A registry login, as `docker login` takes it. */
export interface RegistryCredential {
  username: string;
  password: string;
}

/**
 * The credential for a registry (`docker.io`, `127.0.0.1:5000`), or undefined to go anonymous.
 * berth's registry credentials (saveRegistryCredential) fill it; without one a check goes anonymous.
 */
export type RegistryAuthLookup = (registry: string) => RegistryCredential | undefined;

/** The registry's answer for one tag: its manifest digest, or why there is none. */
export type RemoteDigest = { ok: true; digest: string } | { ok: false; reason: string };

/** The Registry HTTP API v2, read-only (src/engine/registry-api.ts). */
export interface RegistryManifests {
  /**
   * The digest `docker pull` would record for the tag, by a HEAD of its manifest (no pull, so no
   * pull-rate cost). Never throws: a registry that does not answer, refuses or lacks the tag is a reason.
   */
  manifestDigest(
    image: RegistryImage,
    credential: RegistryCredential | undefined,
    signal?: AbortSignal,
  ): Promise<RemoteDigest>;
}

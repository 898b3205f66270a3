import type Docker from 'dockerode';
import type { KeyValue } from '../domain/containers/model.js';
import { VolumeExistsError } from '../shared/errors.js';
import type { EngineVolume, VolumeFilter, VolumePrune } from '../domain/volumes/model.js';
import { onStatus, type EngineCalls } from './calls.js';
import { inBody } from './mapping.js';

/** Docker's volume endpoints, in berth's terms. Reached through `DockerEngine.volumes`. */
export class DockerVolumes {
  readonly #calls: EngineCalls;
  /** The engine's API version, asked once: volume pruning changed meaning in 1.42. */
  #apiVersion: Promise<string> | undefined;

  constructor(calls: EngineCalls) {
    this.#calls = calls;
  }

  async list(filter: VolumeFilter = {}): Promise<EngineVolume[]> {
    const filters: Record<string, string[]> = {};
    if (filter.name !== undefined) filters['name'] = [filter.name];
    if (filter.label !== undefined) filters['label'] = [filter.label];
    const answer = await this.#calls.run('volume.list', 'volumes', (docker) =>
      docker.listVolumes({ filters }),
    );
    return (answer.Volumes ?? []).map(toVolume);
  }

  /** The volume, or null when the engine has none of that name. */
  async find(name: string): Promise<EngineVolume | null> {
    const info = await this.#calls.run<Docker.VolumeInspectInfo | null>(
      'volume.inspect',
      name,
      (docker) => docker.getVolume(name).inspect(),
      { answer: onStatus(404, null) },
    );
    return info === null ? null : toVolume(info);
  }

  /**
   * Creates a local volume. The engine answers a create of an existing name with that volume,
   * labels unchanged: berth says VOLUME_EXISTS instead, so nobody takes it for a new, empty one.
   */
  async create(name: string, labels: readonly KeyValue[]): Promise<EngineVolume> {
    if ((await this.find(name)) !== null) throw new VolumeExistsError(name);
    // dockerode answers a handle, not the engine's description: look at what was made.
    const handle = await this.#calls.run('volume.create', name, (docker) =>
      docker.createVolume(
        inBody({
          Name: name,
          Driver: 'local',
          Labels: Object.fromEntries(labels.map((label) => [label.name, label.value])),
        }),
      ),
    );
    return toVolume(await this.#calls.run('volume.inspect', name, () => handle.inspect()));
  }

  /** `force` removes it even when its driver fails to; a volume a container uses is refused anyway. */
  async remove(name: string, force: boolean): Promise<void> {
    await this.#calls.run('volume.remove', name, (docker) => docker.getVolume(name).remove({ force }));
  }

  /** Removes the unused volumes carrying `label` (`key` or `key=value`), named ones included. */
  async prune(label: string): Promise<VolumePrune> {
    const filters: Record<string, string[]> = { label: [label] };
    // From API 1.42 the engine prunes only anonymous volumes unless told `all`; before, `all` is
    // an unknown filter it refuses, and every unused volume is pruned.
    if (atLeast(await this.#version(), 1, 42)) filters['all'] = ['true'];
    const answer = await this.#calls.run('volume.prune', label, (docker) => docker.pruneVolumes({ filters }));
    return { deleted: answer.VolumesDeleted ?? [], spaceReclaimedBytes: answer.SpaceReclaimed ?? 0 };
  }

  #version(): Promise<string> {
    this.#apiVersion ??= this.#calls
      .run('version', 'engine version', async (docker) => (await docker.version()).ApiVersion)
      .catch((error: unknown) => {
        this.#apiVersion = undefined; // asked again next time: the engine may be back
        throw error;
      });
    return this.#apiVersion;
  }
}

function atLeast(version: string, major: number, minor: number): boolean {
  const [m = 0, n = 0] = version.split('.').map(Number);
  return m > major || (m === major && n >= minor);
}

/** Docker writes RFC 3339 for the local driver; other drivers may leave it out. */
function toDate(value: string | undefined): Date | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

function toVolume(info: Docker.VolumeInspectInfo & { CreatedAt?: string }): EngineVolume {
  return {
    name: info.Name,
    driver: info.Driver,
    mountpoint: info.Mountpoint,
    scope: info.Scope,
    labels: Object.entries(info.Labels ?? {}).map(([name, value]) => ({ name, value })),
    createdAt: toDate(info.CreatedAt),
  };
}

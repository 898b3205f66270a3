import type { ContainerIndex } from '../containers/container-index.js';
import type { Container } from '../containers/model.js';
import type { VolumeEngine } from './ports.js';
import type { KeyValue } from '../containers/model.js';
import { VolumeNotFoundError } from '../../shared/errors.js';
import type { Volume, VolumeFilter, VolumePrune } from './model.js';

/**
 * Volumes, for GraphQL. Who uses a volume comes from the container index (the engine's volume list
 * does not say, and its disk-usage report costs a walk of every volume).
 */
export class VolumeService {
  constructor(
    private readonly volumes: VolumeEngine,
    private readonly index: ContainerIndex,
  ) {}

  /** By name. */
  async list(filter: VolumeFilter = {}): Promise<Volume[]> {
    const volumes = await this.volumes.list(filter);
    return volumes.sort((a, b) => a.name.localeCompare(b.name));
  }

  find(name: string): Promise<Volume | null> {
    return this.volumes.find(name);
  }

  /** Containers (running or not) that mount the volume, newest first. */
  usedBy(name: string): Container[] {
    return this.index
      .list()
      .filter((c) => c.mounts.some((mount) => mount.type === 'VOLUME' && mount.name === name));
  }

  create(name: string, labels: KeyValue[]): Promise<Volume> {
    return this.volumes.create(name, labels);
  }

  /** Removes the volume and returns it as it was; VOLUME_IN_USE while any container has it. */
  async remove(name: string, force: boolean): Promise<Volume> {
    // The engine's force also succeeds on a name it does not have; berth says VOLUME_NOT_FOUND.
    const volume = await this.volumes.find(name);
    if (!volume) throw new VolumeNotFoundError(name);
    await this.volumes.remove(name, force);
    return volume;
  }

  /** Removes the unused volumes carrying the label; named ones too. */
  prune(label: string): Promise<VolumePrune> {
    return this.volumes.prune(label);
  }
}

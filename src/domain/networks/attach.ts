import type { CreateContainerSpec } from '../containers/model.js';
import type { NetworkEngine } from './ports.js';
import { InvalidInputError } from '../../shared/errors.js';

/**
 * createContainer's `networks`, looked up on the engine before the container is made: each
 * reference (name, id or id prefix) becomes the network's own name, and the combinations the
 * engine would refuse only halfway through (after the create) are refused here, naming the field.
 * Unknown networks are NETWORK_NOT_FOUND.
 */
export async function resolveNetworkAttachments(
  networks: NetworkEngine,
  spec: CreateContainerSpec,
  prefix: string,
): Promise<CreateContainerSpec> {
  const requested = spec.networks ?? [];
  if (requested.length === 0) return spec;
  const found = await Promise.all(requested.map((attachment) => networks.inspect(attachment.name)));
  const seen = new Set<string>();
  found.forEach((network, i) => {
    const field = `${prefix}networks.${i}`;
    if (seen.has(network.id)) {
      throw new InvalidInputError(`${field}.name`, `names the network "${network.name}" a second time`);
    }
    seen.add(network.id);
    // `host` and `none` are a network mode, not a network one joins beside others.
    const exclusive = network.driver === 'host' || network.driver === 'null';
    if (exclusive && requested.length > 1) {
      throw new InvalidInputError(
        `${field}.name`,
        `a container on the "${network.name}" network joins no other network`,
      );
    }
    if ((exclusive || network.name === 'bridge') && (requested[i]?.aliases.length ?? 0) > 0) {
      throw new InvalidInputError(`${field}.aliases`, 'aliases work on user-defined networks only');
    }
  });
  return {
    ...spec,
    networks: requested.map((attachment, i) => ({ ...attachment, name: found[i]!.name })),
  };
}

import { z } from 'zod';
import { keyValueSchema, labelSelectorSchema, toInvalidInput } from '../../shared/validation.js';
import { NETWORK_DRIVERS, type CreateNetworkSpec, type NetworkFilter } from './model.js';
import { aliasesSchema, networkNameSchema, networkRefSchema } from './names.js';
import { contains, lastAddress, parseAddress, parseCidr } from './subnet.js';

/** The rules network requests pass before any engine call; errors name the argument. */

const createSchema = z.object({
  name: networkNameSchema,
  driver: z.enum(NETWORK_DRIVERS, { error: 'must be BRIDGE or OVERLAY' }).nullish(),
  internal: z.boolean({ error: 'must be true or false' }).nullish(),
  attachable: z.boolean({ error: 'must be true or false' }).nullish(),
  labels: z.array(keyValueSchema('label')).max(4096).nullish(),
  subnet: z.string({ error: 'must be a string' }).max(64, 'is too long').nullish(),
  gateway: z.string({ error: 'must be a string' }).max(64, 'is too long').nullish(),
});

/**
 * The subnet and gateway the engine would take, and refuse only later with a bare 500: a gateway
 * on the subnet's own first address or its last (IPv4's broadcast), or no address left for a
 * container. An overlap with another network is the engine's to find (SUBNET_OVERLAP).
 */
const addressingSchema = createSchema.superRefine(({ subnet, gateway }, context) => {
  if (subnet == null) {
    if (gateway != null) {
      context.addIssue({ code: 'custom', path: ['gateway'], message: 'needs a subnet to belong to' });
    }
    return;
  }
  const cidr = parseCidr(subnet);
  if (typeof cidr === 'string') {
    context.addIssue({ code: 'custom', path: ['subnet'], message: cidr });
    return;
  }
  if (gateway == null) return;
  const address = parseAddress(gateway);
  const fail = (message: string) => context.addIssue({ code: 'custom', path: ['gateway'], message });
  if (!address) fail('must be an IPv4 or IPv6 address');
  else if (address.family !== cidr.family) {
    fail(`is an IPv${address.family} address and the subnet an IPv${cidr.family} one`);
  } else if (!contains(cidr, address)) fail(`must be inside the subnet ${subnet}`);
  else if (address.value === cidr.base) fail("must not be the subnet's own (first) address");
  else if (address.value === lastAddress(cidr)) {
    fail(`must not be the subnet's last address${cidr.family === 4 ? ' (its broadcast address)' : ''}`);
  }
});

export function validateCreateNetwork(input: unknown): CreateNetworkSpec {
  const parsed = addressingSchema.safeParse(input);
  if (!parsed.success) throw toInvalidInput(parsed.error, []);
  const { name, driver, internal, attachable, labels, subnet, gateway } = parsed.data;
  return {
    name,
    driver: driver ?? 'BRIDGE',
    internal: internal ?? false,
    attachable: attachable ?? false,
    labels: labels ?? [],
    ipam: subnet == null ? null : { subnet, gateway: gateway ?? null },
  };
}

export function validateNetworkRef(value: unknown, field = 'network'): string {
  const parsed = networkRefSchema.safeParse(value);
  if (!parsed.success) throw toInvalidInput(parsed.error, [field]);
  return parsed.data;
}

export function validateAliases(value: unknown, field = 'aliases'): string[] {
  const parsed = aliasesSchema.nullish().safeParse(value);
  if (!parsed.success) throw toInvalidInput(parsed.error, [field]);
  return parsed.data ?? [];
}

const filterSchema = z.object({
  name: z.string().max(128, 'is too long').nullish(),
  label: labelSelectorSchema.nullish(),
});

export function validateNetworkFilter(input: unknown): NetworkFilter {
  const parsed = filterSchema.safeParse(input ?? {});
  if (!parsed.success) throw toInvalidInput(parsed.error, ['filter']);
  const { name, label } = parsed.data;
  return { ...(name != null && name !== '' && { name }), ...(label != null && { label }) };
}

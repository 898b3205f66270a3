import { z } from 'zod';

/**
 * What a network name, reference and alias may look like, for createNetwork, connectContainer and
 * createContainer's `networks` alike. Kept apart from the rest of the validation so the container
 * rules can use them without an import cycle.
 */

// Docker accepts nearly any text as a network name; berth keeps to what also works as a DNS label
// and in a URL path segment, which is what Compose and the CLI make.
const NETWORK_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
// A DNS name a container answers to on a user network: labels of letters, digits, `-` and `_`.
const ALIAS = /^[a-zA-Z0-9_](?:[a-zA-Z0-9_-]*)(?:\.[a-zA-Z0-9_-]+)*$/;

export const networkNameSchema = z
  .string({ error: 'must be a string' })
  .max(128, 'is too long (at most 128 characters)')
  .refine((value) => NETWORK_NAME.test(value), 'must match [a-zA-Z0-9][a-zA-Z0-9_.-]*');

/** A full id, a unique id prefix or a name, as the engine resolves them. */
export const networkRefSchema = z
  .string({ error: 'must be a string' })
  .min(1, 'must not be empty')
  .max(128, 'is too long')
  .refine((value) => NETWORK_NAME.test(value), 'is not a network id, id prefix or name');

export const aliasSchema = z
  .string({ error: 'must be a string' })
  .max(253, 'is too long for a DNS name')
  .refine((value) => ALIAS.test(value), 'must be a DNS name (letters, digits, "-", "_" and dots)');

export const aliasesSchema = z
  .array(aliasSchema)
  .max(32, 'at most 32 aliases')
  .transform((aliases) => [...new Set(aliases)]);

/** One entry of createContainer's `networks`. */
export const networkAttachmentSchema = z.object({
  name: networkRefSchema,
  aliases: aliasesSchema.nullish(),
});

/** The engine's own networks, which it made and which it keeps. */
export const BUILT_IN_NETWORKS: ReadonlySet<string> = new Set(['bridge', 'host', 'none']);

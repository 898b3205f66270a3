import { z } from 'zod';

/**
 * What a volume name and a volume mount may look like, for createVolume and createContainer's
 * `volumes` alike. A name must never be a path: a path would make the engine bind-mount the host's
 * directory, which only `mounts` with type BIND may ask for, under the create policy.
 */

// The engine's own rule for named volumes (daemon/names): no `/`, so no path can pass.
const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

export function isVolumeName(value: string): boolean {
  return value.length <= 255 && VOLUME_NAME.test(value);
}

export const volumeNameSchema = z.string({ error: 'must be a string' }).check((ctx) => {
  const value = ctx.value;
  if (isVolumeName(value)) return;
  const pathLike = /[/\\]/.test(value) || value.startsWith('.') || value.startsWith('~');
  ctx.issues.push({
    code: 'custom',
    input: value,
    message: pathLike
      ? 'must be a volume name, not a host path: bind mounts are `mounts` with type BIND, under the create policy'
      : 'must match [a-zA-Z0-9][a-zA-Z0-9_.-]+ (2 to 255 characters)',
  });
});

const containerPath = z
  .string({ error: 'must be a string' })
  .max(4096, 'is too long')
  .refine((value) => !value.includes('\0'), 'must not contain NUL')
  .refine((value) => value.startsWith('/'), 'must be an absolute path in the container')
  .refine((value) => value.replace(/\/+$/, '') !== '', 'must not be the container’s root');

/** One entry of createContainer's `volumes`. */
export const volumeMountSchema = z.object({
  name: volumeNameSchema,
  target: containerPath,
  readOnly: z.boolean({ error: 'must be true or false' }).nullish(),
});

import { createHmac, randomBytes } from 'node:crypto';

/**
 * Webhook secrets and signatures as the Standard Webhooks specification has them
 * (https://www.standardwebhooks.com), so that any receiver can verify berth's deliveries with an
 * off-the-shelf library instead of code written for berth.
 */

export const SECRET_PREFIX = 'whsec_';

/** The spec's bounds for an HMAC key: 24 bytes at least, 64 at most. */
export const MIN_KEY_BYTES = 24;
export const MAX_KEY_BYTES = 64;
/** What berth generates: 32 bytes, the 256 bits of strength HMAC-SHA256 can give. */
const GENERATED_KEY_BYTES = 32;

/** The form berth took before, still accepted: any text, whose UTF-8 bytes are the key. */
export const MIN_TEXT_SECRET = 16;
export const MAX_TEXT_SECRET = 1024;

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export const WEBHOOK_ID_HEADER = 'webhook-id';
export const WEBHOOK_TIMESTAMP_HEADER = 'webhook-timestamp';
export const WEBHOOK_SIGNATURE_HEADER = 'webhook-signature';

/** A new secret: `whsec_` and the base64 of 32 random bytes. */
export function generateWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(GENERATED_KEY_BYTES).toString('base64');
}

/** Why a secret an admin gives cannot be used, or null when it can. Never repeats the secret. */
export function secretProblem(given: string): string | null {
  if (given.startsWith(SECRET_PREFIX)) {
    const encoded = given.slice(SECRET_PREFIX.length);
    const bytes = BASE64.test(encoded) ? Buffer.from(encoded, 'base64').length : -1;
    return bytes >= MIN_KEY_BYTES && bytes <= MAX_KEY_BYTES
      ? null
      : `a ${SECRET_PREFIX} secret must be the base64 of ${MIN_KEY_BYTES} to ${MAX_KEY_BYTES} bytes`;
  }
  if (given.length < MIN_TEXT_SECRET) return `must be at least ${MIN_TEXT_SECRET} characters`;
  if (given.length > MAX_TEXT_SECRET) return `must be at most ${MAX_TEXT_SECRET} characters`;
  return null;
}

/**
 * A secret in the spec's form. One given in berth's earlier form (plain text) keeps the key it
 * always had, its UTF-8 bytes, so receivers holding it need no new secret; written as `whsec_`
 * and their base64, any Standard Webhooks library takes it.
 */
export function standardSecret(given: string): string {
  return given.startsWith(SECRET_PREFIX)
    ? given
    : SECRET_PREFIX + Buffer.from(given, 'utf8').toString('base64');
}

/** The HMAC key of a secret in the spec's form. */
export function secretKey(secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX)) {
    // The store holds only whsec_ secrets (migration 10 rewrote the older ones).
    throw new Error('a webhook secret is not in its whsec_ form');
  }
  return Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
}

/**
 * `v1,` and the base64 HMAC-SHA256 of `<id>.<timestamp>.<body>`: the spec's symmetric signature.
 * `body` is signed as the exact bytes that are sent.
 */
export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  const hmac = createHmac('sha256', secretKey(secret));
  hmac.update(`${id}.${timestamp}.`, 'utf8');
  hmac.update(body, 'utf8');
  return `v1,${hmac.digest('base64')}`;
}

/** The three headers of one attempt, signed at `timestamp` (Unix seconds). */
export function webhookHeaders(
  secret: string,
  id: string,
  timestamp: number,
  body: string,
): Record<string, string> {
  return {
    [WEBHOOK_ID_HEADER]: id,
    [WEBHOOK_TIMESTAMP_HEADER]: String(timestamp),
    [WEBHOOK_SIGNATURE_HEADER]: signWebhook(secret, id, timestamp, body),
  };
}

/** A message id: unique per message and the same on each of its retries; never holds a `.`. */
export function newMessageId(): string {
  return `msg_${randomBytes(16).toString('hex')}`;
}

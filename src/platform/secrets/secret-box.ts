import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, scryptSync } from 'node:crypto';

/**
 * Secrets berth must give back later (a registry's password, a git token), sealed for the
 * database with AES-256-GCM under a key derived from BERTH_SECRET_KEY. One module owns it, so every
 * kind of stored secret is sealed the same way and a reader of the database file learns nothing
 * without the key.
 *
 * A sealed secret is text: `v1.<nonce>.<ciphertext and tag>` (base64url). The nonce is 12 random
 * bytes per seal: with random nonces GCM stays safe far past any number of secrets berth keeps.
 * The `purpose` a secret is sealed for (`registry:ghcr.io`) is authenticated with it, so a sealed
 * value copied onto another row of the database does not open there.
 */

const VERSION = 'v1';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** A shorter setting is refused at start: a passphrase that short is guessed, whatever the KDF. */
export const MIN_SECRET_KEY_LENGTH = 32;

// Fixed, not per install: the derived key must be the same wherever the setting is, and the
// setting alone must open a restored database. Precomputation gains an attacker little against a
// passphrase of 32 characters or more.
const SALT = Buffer.from('berth secret key v1', 'utf8');

export class SecretOpenError extends Error {
  override name = 'SecretOpenError';
}

/** The key material the setting gives: a 32-byte key in base64, or a passphrase. */
export function deriveKey(setting: string): Buffer {
  const decoded = decodeBase64Key(setting);
  // A random key needs no stretching, only a key meant for this use alone.
  if (decoded) return Buffer.from(hkdfSync('sha256', decoded, SALT, 'berth secret box', 32));
  // A passphrase does: scrypt makes each guess cost 32 MiB and a fifth of a second, once at start for berth.
  return scryptSync(setting, SALT, 32, { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
}

function decodeBase64Key(setting: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(setting)) return undefined;
  const bytes = Buffer.from(setting.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return bytes.length === 32 ? bytes : undefined;
}

export class SecretBox {
  readonly #key: Buffer;

  private constructor(key: Buffer) {
    this.#key = key;
  }

  /** The box BERTH_SECRET_KEY (or the text of BERTH_SECRET_KEY_FILE) opens. */
  static fromSetting(setting: string): SecretBox {
    return new SecretBox(deriveKey(setting));
  }

  seal(plaintext: string, purpose: string): string {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, nonce, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(purpose, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${VERSION}.${nonce.toString('base64url')}.${body.toString('base64url')}`;
  }

  /** The plaintext, or SecretOpenError: another key sealed it, it was altered, or for another purpose. */
  open(sealed: string, purpose: string): string {
    const [version, nonceText, bodyText, ...rest] = sealed.split('.');
    if (version !== VERSION || nonceText === undefined || bodyText === undefined || rest.length > 0) {
      throw new SecretOpenError('not a sealed secret of this berth');
    }
    const nonce = Buffer.from(nonceText, 'base64url');
    const body = Buffer.from(bodyText, 'base64url');
    if (nonce.length !== NONCE_BYTES || body.length < TAG_BYTES) {
      throw new SecretOpenError('not a sealed secret of this berth');
    }
    const decipher = createDecipheriv('aes-256-gcm', this.#key, nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(purpose, 'utf8'));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    try {
      return Buffer.concat([
        decipher.update(body.subarray(0, body.length - TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      // GCM says only that the tag does not match: a wrong key and an altered value look the same.
      throw new SecretOpenError(
        'the secret does not open with this BERTH_SECRET_KEY (another key sealed it, or it was altered)',
      );
    }
  }
}

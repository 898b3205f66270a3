import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deriveKey, SecretBox, SecretOpenError } from '../../src/platform/secrets/secret-box.js';

const KEY = randomBytes(32).toString('base64');
const PASSPHRASE = 'correct horse battery staple, and then some more';

describe('SecretBox', () => {
  it('opens what it sealed, with a base64 key and with a passphrase', () => {
    for (const setting of [KEY, PASSPHRASE]) {
      const box = SecretBox.fromSetting(setting);
      const sealed = box.seal('s3cret pässword', 'registry:ghcr.io');
      expect(sealed).toMatch(/^v1\.[\w-]{16}\.[\w-]+$/);
      expect(sealed).not.toContain('s3cret');
      expect(box.open(sealed, 'registry:ghcr.io')).toBe('s3cret pässword');
      // Another box from the same setting (berth restarted) opens it too.
      expect(SecretBox.fromSetting(setting).open(sealed, 'registry:ghcr.io')).toBe('s3cret pässword');
    }
  });

  it('draws a new nonce for every seal, so one password sealed twice reads differently', () => {
    const box = SecretBox.fromSetting(KEY);
    const sealed = Array.from({ length: 50 }, () => box.seal('same', 'p'));
    expect(new Set(sealed).size).toBe(50);
    expect(new Set(sealed.map((value) => value.split('.')[1])).size).toBe(50);
  });

  it('does not open with another key', () => {
    const sealed = SecretBox.fromSetting(KEY).seal('pw', 'p');
    expect(() => SecretBox.fromSetting(randomBytes(32).toString('base64')).open(sealed, 'p')).toThrow(
      SecretOpenError,
    );
    expect(() => SecretBox.fromSetting(PASSPHRASE).open(sealed, 'p')).toThrow(SecretOpenError);
  });

  it('does not open a value altered anywhere, or sealed for another purpose', () => {
    const box = SecretBox.fromSetting(KEY);
    const sealed = box.seal('a password of some length', 'registry:a');
    const [version, nonce, body] = sealed.split('.') as [string, string, string];
    const flip = (text: string, at: number) => {
      const bytes = Buffer.from(text, 'base64url');
      bytes[at] = (bytes[at] ?? 0) ^ 1;
      return bytes.toString('base64url');
    };
    const bodyLength = Buffer.from(body, 'base64url').length;
    const altered = [
      `${version}.${flip(nonce, 0)}.${body}`,
      `${version}.${nonce}.${flip(body, 0)}`, // the ciphertext
      `${version}.${nonce}.${flip(body, bodyLength - 1)}`, // the tag
      `${version}.${nonce}.${Buffer.from(body, 'base64url')
        .subarray(0, bodyLength - 1)
        .toString('base64url')}`,
      `v2.${nonce}.${body}`,
      `${version}.${nonce}`,
      '',
    ];
    for (const value of altered) expect(() => box.open(value, 'registry:a'), value).toThrow(SecretOpenError);
    expect(() => box.open(sealed, 'registry:b')).toThrow(SecretOpenError);
  });

  it('takes a base64 key as key material, and stretches anything else', () => {
    const raw = randomBytes(32);
    // Standard and URL-safe base64 of one key are one key.
    expect(deriveKey(raw.toString('base64'))).toEqual(deriveKey(raw.toString('base64url')));
    expect(deriveKey(raw.toString('base64'))).not.toEqual(raw);
    expect(deriveKey(PASSPHRASE)).toHaveLength(32);
    expect(deriveKey(PASSPHRASE)).not.toEqual(deriveKey(`${PASSPHRASE}.`));
  });
});

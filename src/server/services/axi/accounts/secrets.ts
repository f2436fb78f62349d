import { createHash, randomBytes } from 'node:crypto';

/** A high-entropy opaque secret (refresh tokens, challenges, API keys), URL-safe. */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/**
 * Secrets we mint carry 256 bits of entropy, so a fast hash is enough to store them: no
 * dictionary to attack, and lookups by hash stay indexable.
 */
export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

import type { Actor } from './token-verifier.js';

/**
 * Turns an `X-API-Key` header into the acting user (AXI implements it). The Actor it returns
 * carries `scopes`; undefined means the key is unknown, revoked, expired or its owner disabled.
 */
export interface ApiKeyResolver {
  resolve(key: string): Promise<Actor | undefined>;
}

import { randomUUID } from 'node:crypto';
import type { ApiKeyScope } from '../../src/contracts/axi/auth.js';

export const testPassword = 'velvet-Harbour-quietly-47';

async function postJson(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`POST ${url} answered ${res.status}: ${JSON.stringify(json)}`);
  return json;
}

/**
 * Over real HTTP against a running AXI (`axiUrl` is its base URL): registers a user, signs in,
 * and when scopes are given creates an API key with them. Uses three of the 20 requests per
 * minute AXI allows one IP on register and token.
 */
export async function signUpOnAxi(
  axiUrl: string,
  options: { email?: string; scopes?: ApiKeyScope[] } = {},
): Promise<{ userId: string; email: string; accessToken: string; apiKey?: { id: string; key: string } }> {
  const email = options.email ?? `user.${randomUUID()}@example.com`;
  const registered = await postJson(`${axiUrl}/api/v1/auth/register`, { email, password: testPassword });
  const signedIn = await postJson(`${axiUrl}/api/v1/auth/token`, { email, password: testPassword });
  const accessToken = signedIn.accessToken as string;
  const userId = registered.id as string;
  if (!options.scopes) return { userId, email, accessToken };
  const created = await postJson(
    `${axiUrl}/api/v1/api-keys`,
    { name: 'test key', scopes: options.scopes },
    { authorization: `Bearer ${accessToken}` },
  );
  return {
    userId,
    email,
    accessToken,
    apiKey: { id: created.id as string, key: created.key as string },
  };
}

export async function revokeApiKeyOnAxi(axiUrl: string, accessToken: string, id: string): Promise<void> {
  const res = await fetch(`${axiUrl}/api/v1/api-keys/${id}`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${accessToken}` },
  });
  if (res.status !== 204) throw new Error(`revoking API key ${id} answered ${res.status}`);
}

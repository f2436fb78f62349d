import { randomUUID } from 'node:crypto';
import {
  calculateJwkThumbprint,
  exportJWK,
  exportPKCS8,
  generateKeyPair,
  importPKCS8,
  type JSONWebKeySet,
  type JWK,
  SignJWT,
} from 'jose';
import type { Role } from '../../../../platform/auth/token-verifier.js';
import type { Db } from '../../../../platform/db/database.js';

const alg = 'ES256';

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
}

export interface TokenIssuerOptions {
  db: Db;
  issuer: string;
  audience: string;
  accessTokenTtlSeconds: number;
  /** PKCS#8 PEM from config; without it the key lives in `axi.signing_keys`. A secret: never logged. */
  signingKeyPem: string | undefined;
  clock: () => Date;
}

async function publicJwkOf(privateKey: CryptoKey, kid: string): Promise<JWK> {
  const { d: _private, ...pub } = await exportJWK(privateKey);
  return { ...pub, kid, alg, use: 'sig' };
}

/**
 * Loads (or creates, once per database) the ES256 key AXI signs access tokens with, and
 * publishes its public half. Every replica on one database signs with the same key.
 */
export async function loadOrCreateSigningKey(
  db: Db,
  signingKeyPem: string | undefined,
): Promise<{ key: SigningKey; jwks: JSONWebKeySet }> {
  if (signingKeyPem) {
    const privateKey = await importPKCS8(signingKeyPem, alg, { extractable: true });
    const { d: _d, ...pub } = await exportJWK(privateKey);
    const kid = await calculateJwkThumbprint(pub);
    return { key: { kid, privateKey }, jwks: { keys: [await publicJwkOf(privateKey, kid)] } };
  }

  let active = await db
    .selectFrom('axi.signingKeys')
    .selectAll()
    .where('active', '=', true)
    .executeTakeFirst();
  if (!active) {
    const { privateKey } = await generateKeyPair(alg, { extractable: true });
    const kid = randomUUID();
    // Replicas starting together may all get here; the partial unique index lets one insert win.
    await db
      .insertInto('axi.signingKeys')
      .values({
        kid,
        privateKeyPem: await exportPKCS8(privateKey),
        publicJwk: JSON.stringify(await publicJwkOf(privateKey, kid)),
        active: true,
      })
      .onConflict((oc) => oc.doNothing())
      .execute();
    active = await db
      .selectFrom('axi.signingKeys')
      .selectAll()
      .where('active', '=', true)
      .executeTakeFirstOrThrow();
  }
  const privateKey = await importPKCS8(active.privateKeyPem as string, alg);
  // Retired keys stay published so tokens they signed verify until they expire.
  const all = await db
    .selectFrom('axi.signingKeys')
    .select('publicJwk')
    .orderBy('createdAt', 'desc')
    .execute();
  return {
    key: { kid: active.kid as string, privateKey },
    jwks: { keys: all.map((k) => k.publicJwk as JWK) },
  };
}

export function createTokenIssuer(options: TokenIssuerOptions) {
  let loaded: { key: SigningKey; jwks: JSONWebKeySet } | undefined;
  return {
    async start() {
      loaded = await loadOrCreateSigningKey(options.db, options.signingKeyPem);
    },
    jwks(): JSONWebKeySet | undefined {
      return loaded?.jwks;
    },
    async issueAccessToken(user: {
      id: string;
      roles: Role[];
    }): Promise<{ token: string; expiresIn: number }> {
      if (!loaded) throw new Error('the token issuer has not started');
      const now = Math.floor(options.clock().getTime() / 1000);
      const token = await new SignJWT({ roles: user.roles })
        .setProtectedHeader({ alg, kid: loaded.key.kid, typ: 'JWT' })
        .setSubject(user.id)
        .setIssuer(options.issuer)
        .setAudience(options.audience)
        .setIssuedAt(now)
        .setExpirationTime(now + options.accessTokenTtlSeconds)
        .setJti(randomUUID())
        .sign(loaded.key.privateKey);
      return { token, expiresIn: options.accessTokenTtlSeconds };
    },
  };
}

export type TokenIssuer = ReturnType<typeof createTokenIssuer>;

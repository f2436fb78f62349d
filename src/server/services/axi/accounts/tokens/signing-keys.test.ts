import { exportPKCS8, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets } from '../../../../../../test/support/databases.js';
import { createTokenVerifier, InvalidToken } from '../../../../platform/auth/token-verifier.js';
import type { DatabaseHandle } from '../../../../platform/db/database.js';
import { migrateSchema } from '../../../../platform/db/migrate.js';
import { accountsMigrations } from '../accounts.migrations.js';
import { createTokenIssuer, loadOrCreateSigningKey } from './signing-keys.js';

const issuerName = 'axi';
const audience = 'analytics-platform';

describe.each(databaseTargets())('access-token signing on $name', (target) => {
  let handle: DatabaseHandle;

  beforeAll(async () => {
    handle = await target.open();
    await migrateSchema(handle.db, 'axi', accountsMigrations);
  });
  afterAll(async () => {
    await handle?.close();
  });

  const issuerAt = (clock: () => Date, overrides: { audience?: string; signingKeyPem?: string } = {}) =>
    createTokenIssuer({
      db: handle.db,
      issuer: issuerName,
      audience: overrides.audience ?? audience,
      accessTokenTtlSeconds: 900,
      signingKeyPem: overrides.signingKeyPem,
      clock,
    });

  it('creates one active key however many replicas start together, and all sign with it', async () => {
    const loaded = await Promise.all(
      Array.from({ length: 5 }, () => loadOrCreateSigningKey(handle.db, undefined)),
    );
    const kids = new Set(loaded.map((l) => l.key.kid));
    expect(kids.size).toBe(1);
    const rows = await handle.db
      .selectFrom('axi.signingKeys')
      .select('kid')
      .where('active', '=', true)
      .execute();
    expect(rows).toHaveLength(1);
    expect(loaded[0]!.jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(loaded[0]!.jwks.keys[0]).not.toHaveProperty('d');
  });

  it('issues tokens the platform verifier accepts, with the claims it needs', async () => {
    const issuer = issuerAt(() => new Date());
    await issuer.start();
    const verifier = createTokenVerifier({ issuer: issuerName, audience, keys: () => issuer.jwks() });
    const { token } = await issuer.issueAccessToken({ id: 'user-1', roles: ['analyst'] });
    await expect(verifier.verify(token)).resolves.toEqual({ id: 'user-1', roles: ['analyst'] });
  });

  it('is refused by the verifier when expired, for another audience, tampered or unsigned', async () => {
    const current = issuerAt(() => new Date());
    await current.start();
    const verifier = createTokenVerifier({ issuer: issuerName, audience, keys: () => current.jwks() });

    const past = issuerAt(() => new Date(Date.now() - 3_600_000));
    await past.start();
    const expired = (await past.issueAccessToken({ id: 'u', roles: ['viewer'] })).token;
    await expect(verifier.verify(expired)).rejects.toThrow(/expired/);

    const elsewhere = issuerAt(() => new Date(), { audience: 'another-api' });
    await elsewhere.start();
    const otherAudience = (await elsewhere.issueAccessToken({ id: 'u', roles: ['viewer'] })).token;
    await expect(verifier.verify(otherAudience)).rejects.toThrow(/aud/);

    const [h, p, s] = (await current.issueAccessToken({ id: 'u', roles: ['viewer'] })).token.split('.') as [
      string,
      string,
      string,
    ];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...claims, roles: ['admin'] })).toString('base64url')}.${s}`;
    await expect(verifier.verify(tampered)).rejects.toBeInstanceOf(InvalidToken);
    const none = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${p}.`;
    await expect(verifier.verify(none)).rejects.toBeInstanceOf(InvalidToken);
    const hs256 = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode('a-shared-secret-nobody-should-use'));
    await expect(verifier.verify(hs256)).rejects.toThrow(/algorithm/);
  });

  it('signs with the configured PEM instead of a stored key, under its thumbprint', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const pem = await exportPKCS8(privateKey);
    const issuer = issuerAt(() => new Date(), { signingKeyPem: pem });
    await issuer.start();
    const jwks = issuer.jwks()!;
    expect(jwks.keys).toHaveLength(1);
    const stored = await handle.db.selectFrom('axi.signingKeys').select('kid').execute();
    expect(stored.map((r) => r.kid)).not.toContain(jwks.keys[0]!.kid);
    const verifier = createTokenVerifier({ issuer: issuerName, audience, keys: () => jwks });
    const { token } = await issuer.issueAccessToken({ id: 'u', roles: ['admin'] });
    await expect(verifier.verify(token)).resolves.toMatchObject({ id: 'u' });
  });
});

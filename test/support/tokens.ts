import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JSONWebKeySet, SignJWT } from 'jose';
import type { Role } from '../../src/server/platform/auth/token-verifier.js';

export const testIssuer = 'axi';
export const testAudience = 'analytics-platform';

/** A signing key like AXI's, to mint access tokens in tests; its public half as a JWKS. */
export async function createTestIssuer() {
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'ES256', use: 'sig' };
  const jwks: JSONWebKeySet = { keys: [jwk] };
  return {
    jwks,
    async token(
      claims: { sub: string; roles?: Role[] },
      options: { expiresIn?: string; issuer?: string; audience?: string } = {},
    ): Promise<string> {
      return new SignJWT({ roles: claims.roles ?? [] })
        .setProtectedHeader({ alg: 'ES256', kid: 'test-key' })
        .setSubject(claims.sub)
        .setIssuer(options.issuer ?? testIssuer)
        .setAudience(options.audience ?? testAudience)
        .setIssuedAt()
        .setExpirationTime(options.expiresIn ?? '5m')
        .sign(privateKey);
    },
    /** Serves the JWKS over HTTP, as AXI's /.well-known/jwks.json would for split services. */
    async serve(): Promise<{ url: string; close(): Promise<void> }> {
      const server: Server = createServer((_req, res) => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(jwks));
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const { port } = server.address() as AddressInfo;
      return {
        url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
        close: () => new Promise<void>((r) => server.close(() => r())),
      };
    },
  };
}

type TestIssuer = Awaited<ReturnType<typeof createTestIssuer>>;

/** An Authorization header per role, each for its own user (`subOf(role)`, default a random id). */
export async function headersByRole(
  issuer: TestIssuer,
  subOf: (role: Role) => string = () => randomUUID(),
): Promise<Record<Role, Record<string, string>>> {
  const headers = {} as Record<Role, Record<string, string>>;
  for (const role of ['admin', 'analyst', 'viewer'] as const) {
    headers[role] = { authorization: `Bearer ${await issuer.token({ sub: subOf(role), roles: [role] })}` };
  }
  return headers;
}

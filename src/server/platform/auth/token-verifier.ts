import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose';
import { z } from 'zod';

export const roles = ['admin', 'analyst', 'viewer'] as const;
export type Role = (typeof roles)[number];

/** Who is calling: the verified subject of the access token. */
export interface Actor {
  id: string;
  roles: Role[];
  tenant?: string;
  /** Set only for an API-key caller: what the key may do. A user's own token is not scoped. */
  scopes?: readonly string[];
}

const AccessTokenClaims = z.object({
  sub: z.string().min(1),
  roles: z.array(z.enum(roles)).default([]),
  tenant: z.string().optional(),
});

export class InvalidToken extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'InvalidToken';
  }
}

export interface TokenVerifier {
  verify(token: string): Promise<Actor>;
}

/**
 * Verifies access tokens issued by AXI against its published keys. Only asymmetric algorithms
 * are accepted (an `alg: none` or HS256 token is refused before any key is consulted), and
 * issuer, audience and expiry are enforced.
 */
export function createTokenVerifier(options: {
  issuer: string;
  audience: string;
  /** AXI's `/.well-known/jwks.json` when services run split. */
  jwksUrl?: string;
  /** Keys known in-process (all-in-one: AXI hands its public keys over directly). */
  keys?: () => JSONWebKeySet | undefined;
  timeoutMs?: number;
}): TokenVerifier {
  let getKey: JWTVerifyGetKey | undefined;
  if (options.jwksUrl) {
    getKey = createRemoteJWKSet(new URL(options.jwksUrl), {
      timeoutDuration: options.timeoutMs ?? 5_000,
      cooldownDuration: 30_000,
    });
  }
  return {
    async verify(token) {
      const local = options.keys?.();
      const keySet = local ? createLocalJWKSet(local) : getKey;
      if (!keySet) throw new InvalidToken('no token issuer is configured');
      try {
        const { payload } = await jwtVerify(token, keySet, {
          issuer: options.issuer,
          audience: options.audience,
          algorithms: ['ES256', 'EdDSA'],
          requiredClaims: ['sub', 'exp', 'iat'],
        });
        const claims = AccessTokenClaims.safeParse(payload);
        if (!claims.success) throw new InvalidToken('token claims are malformed');
        return {
          id: claims.data.sub,
          roles: claims.data.roles,
          ...(claims.data.tenant ? { tenant: claims.data.tenant } : {}),
        };
      } catch (err) {
        if (err instanceof InvalidToken) throw err;
        if (err instanceof errors.JWTExpired) throw new InvalidToken('token has expired');
        if (err instanceof errors.JWTClaimValidationFailed)
          throw new InvalidToken(`token ${err.claim} claim is not accepted`);
        if (err instanceof errors.JOSEAlgNotAllowed)
          throw new InvalidToken('token algorithm is not accepted');
        if (err instanceof errors.JOSEError) throw new InvalidToken('token is not valid');
        throw err;
      }
    },
  };
}

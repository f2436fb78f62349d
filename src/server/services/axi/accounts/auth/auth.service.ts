import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type {
  LoginBody,
  MfaChallenge,
  RegisterBody,
  TokenResponse,
  TwoFactorLoginBody,
  UserProfile,
} from '../../../../../contracts/axi/auth.js';
import type { AuditClient } from '../../../../platform/audit/audit-client.js';
import type { Cache } from '../../../../platform/cache/cache.js';
import type { Db } from '../../../../platform/db/database.js';
import type { RequestContext } from '../../../../platform/http/request-context.js';
import {
  AccountDisabled,
  EmailTaken,
  InvalidChallenge,
  InvalidCredentials,
  InvalidRefreshToken,
  InvalidTwoFactorCode,
  TooManyAttempts,
} from '../accounts.errors.js';
import { randomSecret, sha256 } from '../secrets.js';
import {
  findRefreshTokenForUpdate,
  insertRefreshToken,
  markRotated,
  revokeFamily,
} from '../tokens/refresh-tokens.repository.js';
import type { TokenIssuer } from '../tokens/signing-keys.js';
import { verifySecondFactor } from '../two-factor/second-factor.js';
import { toProfile } from '../users/user-views.js';
import {
  clearFailedLogins,
  findUserByEmail,
  findUserById,
  insertUser,
  recordFailedLogin,
  type UserRow,
} from '../users/users.repository.js';
import { lockDurationMs, loginPolicy } from './login-policy.js';
import { assertStrongPassword, createDummyHash, hashPassword, verifyPassword } from './passwords.js';

export interface AuthDeps {
  db: Db;
  cache: Cache;
  clock: () => Date;
  log: Logger;
  /** Optional so the service can be tested alone; the module always passes the platform's client. */
  audit?: AuditClient;
  issuer: TokenIssuer;
  adminEmails: readonly string[];
  refreshTokenTtlDays: number;
}

/** What a successful sign-in yields: the body, and the refresh token for the cookie. */
export interface Session {
  body: TokenResponse;
  refreshToken: string;
  refreshTokenMaxAgeSeconds: number;
}

export type LoginOutcome =
  | { kind: 'session'; session: Session }
  | { kind: 'challenge'; challenge: MfaChallenge };

interface Challenge {
  userId: string;
  includeRefreshToken: boolean;
}

export function createAuthService(deps: AuthDeps) {
  const { db, cache, clock, issuer } = deps;
  let dummyHash: Promise<string> | undefined;
  const theDummyHash = () => {
    dummyHash ??= createDummyHash();
    return dummyHash;
  };
  const refreshTtlMs = deps.refreshTokenTtlDays * 86_400_000;

  // The refresh-token family is the sign-in's session id (an id, not the secret token).
  function audit(
    ctx: RequestContext,
    action: string,
    userId: string | null,
    metadata: Record<string, unknown> = {},
    sessionId?: string,
  ) {
    deps.audit?.record(ctx, { service: 'axi', action, userId, sessionId, metadata });
  }

  // Never the password or the e-mail typed: the user id when the account exists, and why it failed.
  function loginFailed(ctx: RequestContext, userId: string | null, reason: string) {
    audit(ctx, 'login.failed', userId, { reason });
  }

  async function throttleAccount(email: string) {
    const { count, ttlMs } = await cache.increment(
      `axi:login-attempts:${sha256(email)}`,
      loginPolicy.perAccountWindowMs,
    );
    if (count > loginPolicy.perAccountAttempts)
      throw new TooManyAttempts(Math.max(1, Math.ceil(ttlMs / 1000)));
  }

  async function startSession(
    user: UserRow,
    includeRefreshToken: boolean,
    familyId: string = randomUUID(),
    tx: Db = db,
  ): Promise<Session> {
    const refreshToken = randomSecret();
    const now = clock();
    await insertRefreshToken(tx, {
      id: randomUUID(),
      familyId,
      userId: user.id,
      tokenHash: sha256(refreshToken),
      createdAt: now,
      expiresAt: new Date(now.getTime() + refreshTtlMs),
    });
    const access = await issuer.issueAccessToken(user);
    return {
      body: {
        accessToken: access.token,
        tokenType: 'Bearer',
        expiresIn: access.expiresIn,
        ...(includeRefreshToken ? { refreshToken } : {}),
      },
      refreshToken,
      refreshTokenMaxAgeSeconds: Math.floor(refreshTtlMs / 1000),
    };
  }

  return {
    async start() {
      await theDummyHash();
    },

    async register(ctx: RequestContext, input: RegisterBody): Promise<UserProfile> {
      assertStrongPassword(input.password, [input.email, input.displayName]);
      const now = clock();
      const user = {
        id: randomUUID(),
        email: input.email,
        passwordHash: await hashPassword(input.password),
        displayName: input.displayName ?? input.email.split('@')[0]!,
        organisation: input.organisation || null,
        locale: input.locale ?? 'en',
        timezone: input.timezone ?? 'UTC',
        // The first admin is whoever registers with an address the operator listed in AXI_ADMIN_EMAILS.
        roles: deps.adminEmails.includes(input.email) ? (['admin'] as const) : (['analyst'] as const),
        createdAt: now,
      };
      if (!(await insertUser(db, { ...user, roles: [...user.roles] }))) throw new EmailTaken();
      ctx.log.info({ userId: user.id, roles: user.roles }, 'user registered');
      audit(ctx, 'register', user.id, { roles: [...user.roles] });
      const created = await findUserById(db, user.id);
      return toProfile(created!);
    },

    async login(ctx: RequestContext, input: LoginBody): Promise<LoginOutcome> {
      try {
        await throttleAccount(input.email);
      } catch (err) {
        if (err instanceof TooManyAttempts) loginFailed(ctx, null, 'throttled');
        throw err;
      }
      const user = await findUserByEmail(db, input.email);
      if (!user) {
        // Same work as for a real account, so the answer's timing does not tell them apart.
        await verifyPassword(await theDummyHash(), input.password);
        loginFailed(ctx, null, 'unknown_account');
        throw new InvalidCredentials();
      }
      const now = clock();
      const locked = user.lockedUntil !== null && user.lockedUntil > now;
      const passwordOk = await verifyPassword(user.passwordHash, input.password);
      // A locked account answers exactly as a wrong password does, even to the right one, and
      // failures while locked do not extend the lock (the owner can sign in once it ends).
      if (locked) {
        loginFailed(ctx, user.id, 'locked');
        throw new InvalidCredentials();
      }
      if (!passwordOk) {
        await recordFailedLogin(db, user.id, lockDurationMs, now);
        ctx.log.info({ userId: user.id }, 'sign-in failed: wrong password');
        loginFailed(ctx, user.id, 'wrong_password');
        throw new InvalidCredentials();
      }
      if (user.disabled) {
        loginFailed(ctx, user.id, 'disabled');
        throw new AccountDisabled();
      }
      await clearFailedLogins(db, user.id);
      if (user.totpEnabled) {
        const challengeToken = randomSecret();
        const challenge: Challenge = { userId: user.id, includeRefreshToken: input.includeRefreshToken };
        await cache.set(`axi:mfa-challenge:${sha256(challengeToken)}`, challenge, loginPolicy.challengeTtlMs);
        return { kind: 'challenge', challenge: { mfaRequired: true, challengeToken } };
      }
      ctx.log.info({ userId: user.id }, 'signed in');
      const familyId = randomUUID();
      const session = await startSession(user, input.includeRefreshToken, familyId);
      audit(ctx, 'login', user.id, { secondFactor: false }, familyId);
      return { kind: 'session', session };
    },

    async completeTwoFactorLogin(ctx: RequestContext, input: TwoFactorLoginBody): Promise<Session> {
      const key = `axi:mfa-challenge:${sha256(input.challengeToken)}`;
      const challenge = await cache.get<Challenge>(key);
      if (!challenge) throw new InvalidChallenge();
      const attempts = await cache.increment(`${key}:attempts`, loginPolicy.challengeTtlMs);
      if (attempts.count > loginPolicy.challengeAttempts) {
        await cache.delete(key);
        throw new InvalidChallenge();
      }
      const user = await findUserById(db, challenge.userId);
      if (!user?.totpEnabled) throw new InvalidChallenge();
      if (user.disabled) throw new AccountDisabled();
      if (!(await verifySecondFactor(db, user, input.code, clock()))) {
        ctx.log.info({ userId: user.id }, 'sign-in failed: wrong second factor');
        loginFailed(ctx, user.id, 'wrong_second_factor');
        throw new InvalidTwoFactorCode();
      }
      // One challenge, one session: a replayed challenge token finds nothing.
      await cache.delete(key);
      ctx.log.info({ userId: user.id }, 'signed in with second factor');
      const familyId = randomUUID();
      const session = await startSession(user, challenge.includeRefreshToken, familyId);
      audit(ctx, 'login', user.id, { secondFactor: true }, familyId);
      return session;
    },

    /**
     * Rotates a refresh token. Presenting one that was already rotated means it leaked (or a
     * client replayed it): the whole family is revoked, so the thief's copy dies with it.
     */
    async refresh(
      ctx: RequestContext,
      presented: string | undefined,
      includeRefreshToken: boolean,
    ): Promise<Session> {
      if (!presented)
        throw new InvalidRefreshToken('No refresh token: send the cookie or refreshToken in the body.');
      const now = clock();
      const outcome = await db.transaction().execute(async (tx) => {
        const row = await findRefreshTokenForUpdate(tx, sha256(presented));
        if (!row || row.revokedAt) return { kind: 'invalid' as const };
        if (row.rotatedAt) {
          await revokeFamily(tx, row.familyId, now);
          return { kind: 'reused' as const, row };
        }
        if (row.expiresAt <= now) return { kind: 'invalid' as const };
        const user = await findUserById(tx, row.userId);
        if (!user || user.disabled) {
          await revokeFamily(tx, row.familyId, now);
          return { kind: 'invalid' as const };
        }
        await markRotated(tx, row.id, now);
        return {
          kind: 'ok' as const,
          session: await startSession(user, includeRefreshToken, row.familyId, tx),
        };
      });
      if (outcome.kind === 'reused') {
        ctx.log.warn(
          { userId: outcome.row.userId, familyId: outcome.row.familyId },
          'rotated refresh token presented again: token family revoked',
        );
        throw new InvalidRefreshToken(
          'This refresh token was already used; every session of this sign-in is revoked.',
        );
      }
      if (outcome.kind === 'invalid') throw new InvalidRefreshToken();
      return outcome.session;
    },

    /** Ends the sign-in the refresh token belongs to (all its rotations). Unknown tokens are fine. */
    async logout(ctx: RequestContext, presented: string | undefined): Promise<void> {
      if (!presented) return;
      // The token row (locked, as a refresh would) also says whose sign-in ends, for the audit
      // event: logout usually comes with the cookie alone, no bearer token.
      const ended = await db.transaction().execute(async (tx) => {
        const row = await findRefreshTokenForUpdate(tx, sha256(presented));
        if (row) await revokeFamily(tx, row.familyId, clock());
        return row;
      });
      if (ended) audit(ctx, 'logout', ended.userId, {}, ended.familyId);
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets } from '../../../../../../test/support/databases.js';
import { testLogger } from '../../../../../../test/support/logger.js';
import type { Cache } from '../../../../platform/cache/cache.js';
import { createMemoryCache } from '../../../../platform/cache/memory-cache.js';
import type { DatabaseHandle } from '../../../../platform/db/database.js';
import { migrateSchema } from '../../../../platform/db/migrate.js';
import type { RequestContext } from '../../../../platform/http/request-context.js';
import { InvalidCredentials, InvalidRefreshToken } from '../accounts.errors.js';
import { accountsMigrations } from '../accounts.migrations.js';
import { createTokenIssuer } from '../tokens/signing-keys.js';
import { type AuthService, createAuthService } from './auth.service.js';
import { lockDurationMs, loginPolicy } from './login-policy.js';

const password = 'lantern-Orchard-softly-93';
const ctx: RequestContext = { actor: undefined, correlationId: 'test', log: testLogger };

describe('lock durations', () => {
  it('start at the threshold, double with each further failure, and stop at the cap', () => {
    expect(lockDurationMs(loginPolicy.lockAfterFailures - 1)).toBeUndefined();
    expect(lockDurationMs(5)).toBe(60_000);
    expect(lockDurationMs(6)).toBe(120_000);
    expect(lockDurationMs(7)).toBe(240_000);
    expect(lockDurationMs(12)).toBe(loginPolicy.maxLockMs);
    expect(lockDurationMs(500)).toBe(loginPolicy.maxLockMs);
  });
});

describe.each(databaseTargets())('auth service on $name (time under test control)', (target) => {
  let handle: DatabaseHandle;
  let cache: Cache;
  let now: Date;
  let auth: AuthService;
  let seq = 0;

  beforeAll(async () => {
    handle = await target.open();
    await migrateSchema(handle.db, 'axi', accountsMigrations);
    cache = createMemoryCache({ keyPrefix: 't:' });
    now = new Date('2030-01-01T00:00:00Z');
    const clock = () => now;
    const issuer = createTokenIssuer({
      db: handle.db,
      issuer: 'axi',
      audience: 'analytics-platform',
      accessTokenTtlSeconds: 900,
      signingKeyPem: undefined,
      clock,
    });
    await issuer.start();
    auth = createAuthService({
      db: handle.db,
      cache,
      clock,
      log: testLogger,
      issuer,
      adminEmails: [],
      refreshTokenTtlDays: 30,
    });
    await auth.start();
  });
  afterAll(async () => {
    await cache?.close();
    await handle?.close();
  });

  const advance = (ms: number) => {
    now = new Date(now.getTime() + ms);
  };
  const attempt = (email: string, pw: string) =>
    auth.login(ctx, { email, password: pw, includeRefreshToken: false });
  const lockedUntil = async (email: string) =>
    (
      await handle.db
        .selectFrom('axi.users')
        .select('lockedUntil')
        .where('email', '=', email)
        .executeTakeFirst()
    )?.lockedUntil as Date | null;

  async function newUser() {
    const email = `lock.${++seq}@example.com`;
    await auth.register(ctx, { email, password });
    return email;
  }

  it('locks for 1, then 2, then 4 minutes; the right password fails while locked and works after', async () => {
    const email = await newUser();
    for (let i = 0; i < loginPolicy.lockAfterFailures; i++) {
      await expect(attempt(email, 'wrong-guess')).rejects.toBeInstanceOf(InvalidCredentials);
    }
    expect((await lockedUntil(email))?.getTime()).toBe(now.getTime() + 60_000);
    await expect(attempt(email, password)).rejects.toBeInstanceOf(InvalidCredentials);

    advance(60_001);
    await expect(attempt(email, 'wrong-guess')).rejects.toBeInstanceOf(InvalidCredentials);
    expect((await lockedUntil(email))?.getTime()).toBe(now.getTime() + 120_000);

    advance(120_001);
    await expect(attempt(email, 'wrong-guess')).rejects.toBeInstanceOf(InvalidCredentials);
    expect((await lockedUntil(email))?.getTime()).toBe(now.getTime() + 240_000);
    // Failures while locked do not extend the lock.
    await expect(attempt(email, 'wrong-guess')).rejects.toBeInstanceOf(InvalidCredentials);
    expect((await lockedUntil(email))?.getTime()).toBe(now.getTime() + 240_000);

    advance(240_001);
    await expect(attempt(email, password)).resolves.toMatchObject({ kind: 'session' });
    expect(await lockedUntil(email)).toBeNull();
  });

  it('starts the count afresh after a success', async () => {
    const email = await newUser();
    for (let i = 0; i < loginPolicy.lockAfterFailures - 1; i++) {
      await expect(attempt(email, 'wrong-guess')).rejects.toBeInstanceOf(InvalidCredentials);
    }
    await expect(attempt(email, password)).resolves.toMatchObject({ kind: 'session' });
    for (let i = 0; i < loginPolicy.lockAfterFailures - 1; i++) {
      await expect(attempt(email, 'wrong-guess')).rejects.toBeInstanceOf(InvalidCredentials);
    }
    await expect(attempt(email, password)).resolves.toMatchObject({ kind: 'session' });
  });

  it('never locks an unknown e-mail, and answers it with the same error', async () => {
    const email = `ghost.${++seq}@example.com`;
    for (let i = 0; i < loginPolicy.lockAfterFailures + 1; i++) {
      await expect(attempt(email, 'wrong-guess')).rejects.toBeInstanceOf(InvalidCredentials);
    }
    expect(await lockedUntil(email)).toBeUndefined();
  });

  async function signIn() {
    const email = await newUser();
    const outcome = await auth.login(ctx, { email, password, includeRefreshToken: true });
    if (outcome.kind !== 'session') throw new Error('expected a session');
    return outcome.session.refreshToken;
  }

  it('refuses a refresh token past its lifetime', async () => {
    const token = await signIn();
    advance(30 * 86_400_000 + 1);
    await expect(auth.refresh(ctx, token, true)).rejects.toBeInstanceOf(InvalidRefreshToken);
  });

  it('lets exactly one of two concurrent refreshes with one token win, and the loser revokes the family', async () => {
    const token = await signIn();
    const results = await Promise.allSettled([
      auth.refresh(ctx, token, true),
      auth.refresh(ctx, token, true),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')?.reason).toBeInstanceOf(InvalidRefreshToken);
    // The reuse revoked the family, so the winner's new token is dead too.
    const next = (won[0] as PromiseFulfilledResult<{ refreshToken: string }>).value.refreshToken;
    await expect(auth.refresh(ctx, next, true)).rejects.toBeInstanceOf(InvalidRefreshToken);
  });
});
